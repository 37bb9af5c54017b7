"""The rows behind every list Centra serves, and how `where` filters and `sort` orders them."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from . import structure
from .catalog import Catalog
from .context import graphql_error
from .products import ProductHead

# Filter keys that name a path through the row rather than a field of it.
FILTER_PATHS: dict[str, tuple[str, ...]] = {
    "storeId": ("store", "id"), "marketId": ("market", "id"), "pricelistId": ("pricelist", "id"),
    "currencyId": ("pricelist", "currency", "id"), "countryId": ("country", "id"),
    "customerId": ("customer", "id"), "accountId": ("account", "id"), "buyerId": ("buyer", "id"),
    "storeType": ("store", "type"), "userIp": ("userIP",), "isWaitingForPayment": ("_waitingForPayment",),
    "productId": ("product", "id"), "orderId": ("order", "id"), "orderNumber": ("order", "number"),
    "sizeId": ("size", "id"), "warehouseId": ("warehouse", "id"), "productSizeId": ("productSize", "id"),
    "productVariantId": ("productVariant", "id"), "paymentMethodId": ("paymentMethod", "id"),
    "languageId": ("language", "id"), "allocationRuleId": ("market", "allocationRule", "id"),
}
# Filters that span a list on the row (a display belongs to several markets).
LIST_PATHS = {("Display", "marketId"): ("markets", "id"), ("Voucher", "marketId"): ("markets", "id")}


def value_at(row: Any, key: str, type_name: str = "") -> Any:
    path = LIST_PATHS.get((type_name, key)) or FILTER_PATHS.get(key, (key,))
    values = [row]
    for step in path:
        nxt = []
        for v in values:
            if v is None:
                continue
            item = v.get(step) if isinstance(v, dict) else getattr(v, step, None)
            if isinstance(item, list):
                nxt.extend(item)
            else:
                nxt.append(item)
        values = nxt
    if (type_name, key) in LIST_PATHS:
        return values
    return values[0] if values else None


def matches(row: Any, where: dict, type_name: str) -> bool:
    negate = set(where.get("negate") or ())
    for key, cond in where.items():
        if cond is None or key == "negate":
            continue
        if key == "notNull":
            ok = all(value_at(row, k, type_name) is not None for k in cond)
        elif key == "search":
            text = " ".join(str(value_at(row, k, type_name) or "") for k in ("name", "email", "number", "code", "SKU", "id"))
            ok = cond.lower() in text.lower()
        else:
            value = value_at(row, key, type_name)
            if isinstance(cond, dict) and ("from" in cond or "to" in cond):
                ok = value is not None and (cond.get("from") is None or value >= cond["from"]) and (
                    cond.get("to") is None or value <= cond["to"])
            elif isinstance(cond, dict):  # StringMatch
                text = "" if value is None else str(value)
                if "equals" in cond and cond["equals"] is not None:
                    ok = text == cond["equals"]
                elif "contains" in cond and cond["contains"] is not None:
                    ok = cond["contains"].lower() in text.lower()
                elif cond.get("startsWith") is not None:
                    ok = text.startswith(cond["startsWith"])
                else:
                    ok = True
            elif isinstance(cond, list):
                ok = any(v in cond for v in value) if isinstance(value, list) else value in cond
            else:
                ok = any(v == cond for v in value) if isinstance(value, list) else value == cond
        if key in negate:
            ok = not ok
        if not ok:
            return False
    return True


def check_string_match(info, where: dict | None) -> None:
    for key, cond in (where or {}).items():
        if isinstance(cond, dict) and not ({"from", "to"} & set(cond)):
            given = [k for k, v in cond.items() if v is not None]
            if len(given) != 1:
                raise graphql_error(info, f"Exactly one input field should be provided for {key}.")


def sort_specs(sort: Any) -> list[tuple[str, bool]]:
    if sort is None:
        return []
    if isinstance(sort, str):
        sort = [sort]
    specs = []
    for value in sort:
        name, _, direction = value.rpartition("_")
        specs.append(("id" if name == "customSort" else name, direction == "DESC"))
    return specs


def sort_key(value: Any) -> tuple:
    # None sorts first; mixed types never meet because one field has one type.
    return (0, 0) if value is None else (1, value)


def sort_rows(rows: list, specs: list[tuple[str, bool]], type_name: str) -> list:
    """Stable, total ordering: the requested keys, then id (ascending) to break ties."""
    ordered = sorted(rows, key=lambda r: sort_key(value_at(r, "id", type_name)))
    for name, desc in reversed(specs):
        if name == "id":
            ordered.sort(key=lambda r: sort_key(value_at(r, "id", type_name)), reverse=desc)
        else:
            ordered.sort(key=lambda r, n=name: sort_key(value_at(r, n, type_name)), reverse=desc)
    return ordered


# ---------------------------------------------------------------- sources of rows per list
def _live(rows: list[dict]) -> list[dict]:
    return [r for r in rows if not r.get("_deleted")]


def _all_variants(cat: Catalog) -> list[dict]:
    return [v for h in cat.live_heads() for v in cat.product(h.id)["variants"]]


def all_sizes(cat: Catalog) -> list[dict]:
    return [s for v in _all_variants(cat) for s in v["productSizes"]]


def _all_displays(cat: Catalog) -> list[dict]:
    return [d for h in cat.live_heads() for d in cat.product(h.id)["displays"]]


SOURCES: dict[str, Callable[[Catalog], list]] = {
    "stores": lambda c: c.stores, "markets": lambda c: c.markets, "pricelists": lambda c: c.pricelists,
    "currencies": lambda c: c.currencies, "languages": lambda c: c.languages, "countries": lambda c: c.countries,
    "warehouses": lambda c: c.warehouses, "sizeCharts": lambda c: c.size_charts,
    "products": lambda c: c.live_heads(), "productVariants": _all_variants, "productSizes": all_sizes,
    "displays": _all_displays, "stockChangeLines": lambda c: [], "purchaseOrderDeliveries": lambda c: [],
    "customers": lambda c: _live(c.customers), "orders": lambda c: c.orders, "shipments": lambda c: c.shipments,
    "returns": lambda c: c.returns, "vouchers": lambda c: _live(c.vouchers),
    "accounts": structure.listed_accounts, "brands": lambda c: c.brands, "collections": lambda c: c.collections,
    "categories": lambda c: c.categories, "folders": lambda c: c.folders,
}
ROW_TYPE = {"products": "Product", "productVariants": "ProductVariant", "productSizes": "ProductSize",
            "displays": "Display", "customers": "Customer", "orders": "Order", "shipments": "Shipment",
            "returns": "Return", "vouchers": "Voucher", "markets": "Market", "pricelists": "Pricelist"}


def expand(cat: Catalog, rows: Iterable) -> list:
    """Product heads become full products only for the rows of the page being served."""
    return [cat.product(r.id) if isinstance(r, ProductHead) else r for r in rows]


def filtered(info, list_name: str, where: dict | None, sort: Any) -> list:
    cat: Catalog = info.context.catalog
    check_string_match(info, where)
    rows = SOURCES[list_name](cat)
    type_name = ROW_TYPE.get(list_name, "")
    if where:
        rows = [r for r in rows if matches(r, where, type_name)]
    return sort_rows(rows, sort_specs(sort), type_name)
