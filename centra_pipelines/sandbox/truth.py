"""Ground truth: the sandbox's whole current state, flat and JSON-serialisable (dates ISO UTC), for
tests and benchmarks to compare a sync's warehouse with (`Sandbox.truth()`, GET /_sandbox/truth)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import structure
from .dates import iso_utc
from .products import ean_is_valid

if TYPE_CHECKING:
    from .catalog import Catalog

Rows = dict[str, list[dict[str, Any]]]


def truth(cat: Catalog) -> Rows:
    out = _reference(cat)
    out.update(_catalog(cat))
    out.update(_customers(cat))
    out.update(_orders(cat))
    out.update(_fulfilment(cat))
    structure_truth = structure.truth(cat)
    out["quirks"] = [dict(q) for q in cat.quirks] + structure_truth.pop("quirks")
    out.update(structure_truth)
    return out


def _ref(obj: dict | None) -> Any:
    return None if obj is None else obj["id"]


def _reference(cat: Catalog) -> Rows:
    return {
        "stores": [{"id": s["id"], "name": s["name"], "type": s["type"]} for s in cat.stores],
        "currencies": [{"id": c["id"], "code": c["code"], "name": c["name"], "is_base": c["isBase"],
                        "decimals": c["_decimals"], "base_rate": c["_rate"]} for c in cat.currencies],
        "languages": [{"id": l["id"], "code": l["code"], "name": l["name"], "is_active": l["isActive"]}
                      for l in cat.languages],
        "countries": [{"id": c["id"], "code": c["code"], "name": c["name"], "is_eu": c["isEU"]} for c in cat.countries],
        "markets": [{"id": m["id"], "name": m["name"], "store_id": m["store"]["id"], "is_active": m["_active"],
                     "looks_like_test": m["_test"], "country_codes": [c["code"] for c in m["assignedToCountries"]],
                     "pricelist_id": m["_pricelist"]["id"]} for m in cat.markets],
        "pricelists": [{"id": p["id"], "name": p["name"], "status": p["status"], "store_id": p["store"]["id"],
                        "currency": p["currency"]["code"], "market_id": p["_market"]["id"],
                        "updated_at": iso_utc(p["updatedAt"])} for p in cat.pricelists],
        "warehouses": [{"id": w["id"], "name": w["name"], "status": w["status"]} for w in cat.warehouses],
        "size_charts": [{"id": c["id"], "name": c["name"], "sizes": [s["name"] for s in c["sizes"]]}
                        for c in cat.size_charts],
    }


def _catalog(cat: Catalog) -> Rows:
    out: Rows = {"products": [], "variants": [], "sizes": [], "prices": [], "displays": [], "stock_levels": []}
    for head in cat.live_heads():
        p = cat.product(head.id)
        out["products"].append({"id": p["id"], "name": p["name"], "status": p["status"],
                                "product_number": p["productNumber"], "size_chart_id": cat.size_charts[head.chart]["id"],
                                "created_at": iso_utc(p["createdAt"]), "updated_at": iso_utc(p["updatedAt"])})
        for price in p["_prices"].values():
            out["prices"].append({"product_id": p["id"], "pricelist_id": price["pricelist"]["id"],
                                  "currency": price["pricelist"]["currency"]["code"], "amount_minor": price["_minor"],
                                  "amount": price["price"]["value"]})
        for d in p["displays"]:
            out["displays"].append({"id": d["id"], "product_id": p["id"], "store_id": d["store"]["id"],
                                    "status": d["status"], "updated_at": iso_utc(d["updatedAt"])})
        for v in p["variants"]:
            out["variants"].append({"id": v["id"], "product_id": p["id"], "name": v["name"], "status": v["status"],
                                    "variant_number": v["variantNumber"], "updated_at": iso_utc(v["updatedAt"])})
            _sizes(out, p, v)
    return out


def _sizes(out: Rows, p: dict, v: dict) -> None:
    for s in v["productSizes"]:
        out["sizes"].append({"id": s["id"], "variant_id": v["id"], "product_id": p["id"],
                             "size_id": s["size"]["id"], "size_name": s["size"]["name"],
                             "size_number": s["sizeNumber"], "sku": s["SKU"], "ean": s["EAN"],
                             "ean_valid": ean_is_valid(s["EAN"]), "updated_at": iso_utc(s["updatedAt"])})
        for st in s["stock"]:
            out["stock_levels"].append({
                "size_id": s["id"], "warehouse_id": st["warehouse"]["id"],
                "physical": st["physicalQuantity"], "allocated": st["allocatedQuantity"],
                "free_to_allocate": st["freeToAllocateQuantity"]})


def _customers(cat: Catalog) -> Rows:
    return {
        "customers": [{
            "id": c["id"], "email": c["email"], "first_name": c["firstName"], "last_name": c["lastName"],
            "status": c["status"], "is_registered": c["_registered"], "store_id": c["store"]["id"],
            "total_orders": c["totalOrders"], "created_at": iso_utc(c["createdAt"]),
            "updated_at": iso_utc(c["updatedAt"]),
        } for c in cat.customers if not c.get("_deleted")],
        "customer_email_history": [{**row, "valid_from": iso_utc(row["valid_from"]),
                                    "valid_to": iso_utc(row["valid_to"])} for row in cat.email_history],
    }


def _orders(cat: Catalog) -> Rows:
    return {"orders": [_order(o) for o in cat.orders],
            "order_lines": [_order_line(cat, o, l) for o in cat.orders for l in o["lines"]]}


def _order(o: dict) -> dict[str, Any]:
    return {
        "id": o["id"], "number": o["number"], "type": o["__typename"], "status": o["status"],
        "store_id": o["store"]["id"], "market_id": o["market"]["id"], "pricelist_id": o["pricelist"]["id"],
        "customer_id": _ref(o["customer"]), "account_id": _ref(o["account"]),
        "currency": o["pricelist"]["currency"]["code"],
        "currency_base_rate": o["currencyBaseRate"], "country": o["country"]["code"] if o["country"] else None,
        "is_on_hold": o["isOnHold"], "is_waiting_for_payment": o["_waitingForPayment"],
        "billing_email": (o["billingAddress"] or {}).get("email"),
        "line_total_minor": o["_line_total"], "shipping_minor": o["_shipping"], "handling_minor": o["_handling"],
        "discounts_minor": o["_discounts"], "grand_total_minor": o["_grand"], "grand_total": o["grandTotal"]["value"],
        "voucher_ids": [d["voucher"]["id"] for d in o["discountsApplied"] if d.get("voucher")],
        "order_date": iso_utc(o["orderDate"]), "created_at": iso_utc(o["createdAt"]),
        "updated_at": iso_utc(o["updatedAt"]),
    }


def _order_line(cat: Catalog, o: dict, l: dict) -> dict[str, Any]:
    return {
        "id": l["id"], "order_id": o["id"], "order_number": o["number"], "product_id": l["product"]["id"],
        "variant_id": l["productVariant"]["id"], "size_id": l["productSize"]["id"], "sku": l["productSize"]["SKU"],
        "quantity": l["quantity"], "cancelled_quantity": l["cancelledQuantity"],
        "shipped_quantity": l["shippedQuantity"], "returned_quantity": l["returnedQuantity"],
        "unit_price_minor": l["_unit"], "line_value_minor": l["_unit"] * l["quantity"],
        "discount_percent": l["discountPercent"], "tax_percent": l["taxPercent"],
        "taxable_minor": structure.line_net(cat, l),
        "tax_minor": l["_unit"] * l["quantity"] - structure.line_net(cat, l)}


def _fulfilment(cat: Catalog) -> Rows:
    return {
        "shipments": [{
            "id": s["id"], "number": s["number"], "order_id": s["order"]["id"], "order_number": s["order"]["number"],
            "is_shipped": s["isShipped"], "is_paid": s["isPaid"], "created_at": iso_utc(s["createdAt"]),
            "updated_at": iso_utc(s["updatedAt"]), "shipped_at": iso_utc(s["shippedAt"])} for s in cat.shipments],
        "returns": [{
            "id": r["id"], "order_id": r["order"]["id"], "order_number": r["order"]["number"],
            "shipment_id": r["shipment"]["id"], "return_status": r["returnStatus"], "total_quantity": r["totalQuantity"],
            "grand_total": r["grandTotal"]["value"], "refunded": sum(e["value"]["value"] for e in r["refundPaymentHistory"]),
            "created_at": iso_utc(r["createdAt"])} for r in cat.returns],
        "vouchers": [{
            "id": v["id"], "name": v["name"], "status": v["status"], "method": v["method"], "type": v["type"],
            "code": v["code"], "successful_usages": v["successfulUsages"], "created_at": iso_utc(v["createdAt"]),
            "updated_at": iso_utc(v["updatedAt"])} for v in cat.vouchers if not v.get("_deleted")],
    }
