"""Tables of the orders group: orders and their lines, shipments and applied vouchers (daily change
windows by the order's updatedAt), returns and their lines (windowed by their creation).

Money: decimals in the order currency, quantised to its minor units (SEK 2, JPY 0); `*_base` in the
base currency from Centra's currencyBaseRate, each amount converted and rounded on its own (sums of
them are what reports add up). The contract wants the amounts present; their rounding is the
mapping's business. Mapped statuses may be NULL: an unmapped status is reported by the
mapping_completeness check (naming it), not quarantined row by row. Child rows carry their order's
updated_at, so a stale page never overwrites rows of a newer order snapshot.
"""

from centra_pipelines.warehouse.model.formats import CHANGE_WINDOW, COUNTRY_CODE, CURRENCY_CODE, DAY, MONEY, ORDER_ID
from centra_pipelines.warehouse.tables import Column, TableSpec

ORDER_SNAPSHOT = "updatedAt of the order this row was read with (UTC); the conflict rule compares it."

ORDERS = TableSpec("orders", key="id", updated_at="updated_at", partition="partition", columns={
    "id": Column("text", "Centra order id (32 hex characters).", str_matches=ORDER_ID, unique=True),
    "number": Column("bigint", "Order number as the customer and the Centra admin see it.", gt=0),
    "order_type": Column("text", "DirectToConsumerOrder or WholesaleOrder.",
                                 isin=["DirectToConsumerOrder", "WholesaleOrder"]),
    "centra_status": Column("text", "Order status as Centra has it.", nullable=False),
    "status": Column("text", "Status after the mapping file (NULL: unmapped, reported by a check).", nullable=True),
    "is_on_hold": Column("boolean", "Whether the order is on hold."),
    "store_id": Column("bigint", "Store (stores.id).", gt=0),
    "market_id": Column("bigint", "Market the order was placed in (markets.id)."),
    "pricelist_id": Column("bigint", "Pricelist of the order (pricelists.id).", gt=0),
    "customer_id": Column("bigint", "Customer (customers.id); NULL for wholesale."),
    "account_id": Column("bigint", "Wholesale account id; NULL for DTC."),
    # Tax, shipping and the ERP need the country: an order without one is quarantined.
    "country": Column("text", "ISO 3166 country of the order (shipping address); required by the contract.",
                              str_matches=COUNTRY_CODE),
    "billing_email": Column("text", "E-mail on the order's billing address at checkout (personal data; links "
                                    "e-mail changes)."),
    "currency": Column("text", "ISO 4217 currency of the order's amounts.", str_matches=CURRENCY_CODE),
    "lines_total": Column(MONEY, "Sum of the lines, in the order currency."),
    "shipping": Column(MONEY, "Shipping charged, in the order currency."),
    "handling": Column(MONEY, "Handling charged, in the order currency."),
    "discounts": Column(MONEY, "Discounts, in the order currency."),
    "grand_total": Column(MONEY, "What the customer pays, in the order currency.", nullable=False),
    "base_currency": Column("text", "The store's base currency (ISO 4217)."),
    "grand_total_base": Column(MONEY, "grand_total in the base currency (Centra's conversion rate)."),
    "currency_base_rate": Column("double", "Centra's rate from the order currency to the base currency.", gt=0),
    "order_date": Column("timestamptz", "When the order was placed (UTC)."),
    "created_at": Column("timestamptz", "When the order was created in Centra (UTC).", nullable=False),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the order (UTC).", nullable=False),
    "partition": Column("text", CHANGE_WINDOW, str_matches=DAY),
    "tax_included": Column(MONEY, "Tax included in the prices (order currency)."),
    "tax_added": Column(MONEY, "Tax added on top of the prices (order currency)."),
    "lines_total_base": Column(MONEY, "lines_total in the base currency."),
    "shipping_base": Column(MONEY, "shipping in the base currency."),
    "handling_base": Column(MONEY, "handling in the base currency."),
    "discounts_base": Column(MONEY, "discounts in the base currency."),
    "tax_included_base": Column(MONEY, "tax_included in the base currency."),
    "tax_added_base": Column(MONEY, "tax_added in the base currency."),
})

ORDER_LINES = TableSpec("order_lines", key="id", updated_at="order_updated_at", partition="partition", columns={
    "id": Column("bigint", "Centra order line id.", gt=0, unique=True),
    "order_id": Column("text", "Order (orders.id).", str_matches=ORDER_ID),
    "order_number": Column("bigint", "Order number (orders.number)."),
    "product_id": Column("bigint", "Product (products.id)."),
    "variant_id": Column("bigint", "Variant (variants.id)."),
    "size_id": Column("bigint", "Product size (sizes.id)."),
    "sku": Column("text", "SKU of the item sold."),
    "quantity": Column("bigint", "Units ordered.", ge=0),
    "cancelled_quantity": Column("bigint", "Units cancelled.", ge=0, nullable=True),
    "shipped_quantity": Column("bigint", "Units shipped."),
    "returned_quantity": Column("bigint", "Units returned."),
    "currency": Column("text", "ISO 4217 currency of the amounts."),
    "unit_price": Column(MONEY, "Price per unit paid, in the order currency.", nullable=False),
    "unit_original_price": Column(MONEY, "Price per unit before discounts, in the order currency."),
    "line_value": Column(MONEY, "Value of the line, in the order currency.", nullable=False),
    "line_value_base": Column(MONEY, "line_value in the base currency."),
    "tax_percent": Column("double", "Tax rate of the line, in percent."),
    "discount_percent": Column("double", "Discount of the line, in percent."),
    "taxable_value": Column(MONEY, "Line value without tax (order currency)."),
    "tax_amount": Column(MONEY, "Line tax: value with tax minus taxable value."),
    "order_updated_at": Column("timestamptz", ORDER_SNAPSHOT, nullable=False),
    "partition": Column("text", CHANGE_WINDOW),
})

SHIPMENTS = TableSpec("shipments", key="id", updated_at="order_updated_at", partition="partition", columns={
    "id": Column("bigint", "Centra shipment id.", gt=0, unique=True),
    "number": Column("text", "Shipment number (order number and a suffix).", nullable=False),
    "order_id": Column("text", "Order (orders.id).", str_matches=ORDER_ID),
    "order_number": Column("bigint", "Order number (orders.number)."),
    "status": Column("text", "Shipment status after the mapping file.", nullable=True),
    "is_good_to_go": Column("boolean", "Whether the shipment is ready to ship."),
    "is_shipped": Column("boolean", "Whether it has shipped."),
    "is_paid": Column("boolean", "Whether it is paid."),
    "is_captured": Column("boolean", "Whether the payment was captured."),
    "is_on_hold": Column("boolean", "Whether it is on hold."),
    "tracking_number": Column("text", "Carrier tracking number."),
    "currency": Column("text", "ISO 4217 currency of the amounts."),
    "grand_total": Column(MONEY, "Value of the shipment, in the order currency."),
    "grand_total_base": Column(MONEY, "grand_total in the base currency."),
    "currency_base_rate": Column("double", "Centra's rate from the order currency to the base currency."),
    "shipped_at": Column("timestamptz", "When it shipped (UTC)."),
    "created_at": Column("timestamptz", "When the shipment was created (UTC).", nullable=False),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the shipment (UTC)."),
    "order_updated_at": Column("timestamptz", ORDER_SNAPSHOT, nullable=False),
    "partition": Column("text", CHANGE_WINDOW),
})

APPLIED_VOUCHERS = TableSpec("applied_vouchers", key=("order_id", "position"), updated_at="order_updated_at",
                             partition="partition", columns={
    "order_id": Column("text", "Order (orders.id).", str_matches=ORDER_ID),
    "position": Column("integer", "Position of the voucher among the order's discounts (1, 2…).", gt=0),
    "order_number": Column("bigint", "Order number (orders.number)."),
    "kind": Column("text", "What the voucher applied to (order, line, shipping…).", nullable=False),
    "voucher_id": Column("bigint", "Voucher (vouchers.id)."),
    "voucher_name": Column("text", "Voucher name."),
    "code": Column("text", "Code the customer entered, if any."),
    "currency": Column("text", "ISO 4217 currency of the amount."),
    "amount": Column(MONEY, "Discount given, in the order currency.", nullable=False),
    "amount_base": Column(MONEY, "amount in the base currency."),
    "applied_at": Column("timestamptz", "When the voucher was applied (UTC)."),
    "order_updated_at": Column("timestamptz", ORDER_SNAPSHOT, nullable=False),
    "partition": Column("text", CHANGE_WINDOW),
})

# Centra's Return has no updatedAt: returns are windowed by created_at (their partition), and a
# re-pull replaces the row (last write wins).
RETURNS = TableSpec("returns", key="id", partition="partition", columns={
    "id": Column("bigint", "Centra return id.", gt=0, unique=True),
    "return_type": Column("text", "Kind of return in Centra."),
    "order_id": Column("text", "Order (orders.id)."),
    "order_number": Column("bigint", "Order number (orders.number)."),
    "shipment_id": Column("bigint", "Shipment returned from (shipments.id)."),
    "store_id": Column("bigint", "Store (stores.id)."),
    "centra_status": Column("text", "Return status as Centra has it.", nullable=False),
    "centra_return_status": Column("text", "Centra's return-processing status."),
    "status": Column("text", "Return status after the mapping file.", nullable=True),
    "refund_status": Column("text", "Refund status after the mapping file.", nullable=True),
    "total_quantity": Column("bigint", "Units returned."),
    "returned_to_stock": Column("boolean", "Whether the units went back to stock."),
    "currency": Column("text", "ISO 4217 currency of the amounts.", str_matches=CURRENCY_CODE),
    "grand_total": Column(MONEY, "Value returned, in the order currency.", nullable=False),
    "grand_total_base": Column(MONEY, "grand_total in the base currency."),
    "refunded": Column(MONEY, "Amount refunded, in the order currency.", nullable=False),
    "refunded_base": Column(MONEY, "refunded in the base currency."),
    "refunded_at": Column("timestamptz", "When the refund was made (UTC)."),
    "currency_base_rate": Column("double", "Centra's rate from the order currency to the base currency."),
    "created_at": Column("timestamptz", "When the return was created (UTC); returns are windowed by it.",
                                        nullable=False),
    "partition": Column("text", "Dagster partition: the UTC day (YYYY-MM-DD) the return was created.",
                                str_matches=DAY),
})

# A return's lines: which order line and shipment line each returns (ReturnLine's own id and quantity
# are unconfirmed in Centra's public schema, so a line is keyed by its position in the return).
RETURN_LINES = TableSpec("return_lines", key=("return_id", "position"), partition="partition", columns={
    "return_id": Column("bigint", "Return (returns.id).", gt=0),
    "position": Column("integer", "Position of the line in the return (its key: Centra's line id is unconfirmed).",
                                  ge=0),
    "order_line_id": Column("bigint", "Order line returned (order_lines.id).", gt=0, nullable=True),
    "shipment_line_id": Column("bigint", "Shipment line returned."),
    "partition": Column("text", "UTC day of the return's createdAt."),
})
