"""Centra's permissions as the sandbox enforces them: what each root field and guarded nested field
needs ("You need X permission to access <field>."), and the check."""

from __future__ import annotations

from .context import Context, graphql_error


# Root field -> permission it needs (Centra: "You need X permission to access <field>.").
ROOT_PERMISSIONS = {
    "store": "Store:read", "stores": "Store:read",
    "market": "Market:read", "markets": "Market:read",
    "pricelist": "Pricelist:read", "pricelists": "Pricelist:read",
    "currency": "Currency:read", "currencies": "Currency:read",
    "languages": "Language:read", "countries": "Country:read",
    "warehouse": "Warehouse:read", "warehouses": "Warehouse:read",
    "sizeChart": "SizeChart:read", "sizeCharts": "SizeChart:read",
    "product": "Product:read", "products": "Product:read", "productConnection": "Product:read",
    "productVariant": "Product:read", "productVariants": "Product:read",
    "productSizes": "ProductSize:read",
    "display": "Display:read", "displays": "Display:read",
    "stockChangeLines": "StockChange:read", "purchaseOrderDeliveries": "PurchaseOrder:read",
    "customer": "Customer:read", "customers": "Customer:read", "customerConnection": "Customer:read",
    "order": "Order:read", "orders": "Order:read", "orderConnection": "Order:read",
    "shipment": "Shipment:read", "shipments": "Shipment:read", "shipmentConnection": "Shipment:read",
    "return": "Return:read", "returns": "Return:read", "returnConnection": "Return:read",
    "voucher": "Voucher:read", "vouchers": "Voucher:read",
    "accounts": "Account:read", "brands": "Brand:read", "collections": "Collection:read",
    "categories": "Category:read", "folders": "Folder:read",
    "eventListeners": "Event:read", "events": "Event:read",
    "setEventListeners": "Event:write", "unsetEventListeners": "Event:write", "confirmEvents": "Event:write",
}
# Nested fields with their own permission (Centra's `Type.field:read`).
FIELD_PERMISSIONS = {
    ("ProductSize", "stock"): "ProductSize.stock:read",
    ("ProductSize", "stockTotals"): "ProductSize.stockTotals:read",
    ("ProductVariant", "stock"): "ProductVariant.stock:read",
    ("ProductVariant", "stockTotals"): "ProductVariant.stockTotals:read",
    ("Customer", "totalOrders"): "Customer.totalOrders:read",
    ("Customer", "billingAddress"): "Customer.billingAddress:read",
    ("DirectToConsumerOrder", "billingAddress"): "Order.billingAddress:read",
    ("WholesaleOrder", "billingAddress"): "Order.billingAddress:read",
    ("DirectToConsumerOrder", "shippingAddress"): "Order.shippingAddress:read",
    ("WholesaleOrder", "shippingAddress"): "Order.shippingAddress:read",
    ("DirectToConsumerOrder", "internalComment"): "Order.internalComment:read",
    ("WholesaleOrder", "internalComment"): "Order.internalComment:read",
    ("DirectToConsumerOrder", "paymentHistory"): "PaymentHistory:read",
    ("WholesaleOrder", "paymentHistory"): "PaymentHistory:read",
    ("DirectToConsumerReturn", "comment"): "Return.comment:read",
    ("WholesaleReturn", "comment"): "Return.comment:read",
    ("Market", "assignedToCountries"): "Country:read",
}
ALL_PERMISSIONS = frozenset(set(ROOT_PERMISSIONS.values()) | set(FIELD_PERMISSIONS.values()))
READ_PERMISSIONS = frozenset(p for p in ALL_PERMISSIONS if p.endswith(":read"))


def require(info, permission: str, what: str) -> None:
    ctx: Context = info.context
    ctx.used.add(permission)
    if ctx.permissions is not None and permission not in ctx.permissions:
        raise graphql_error(info, f"You need {permission} permission to access {what}.", "authorization")

