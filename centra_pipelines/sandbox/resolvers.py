"""Resolvers that make the served schema behave like Centra over a Catalog.

Objects are dicts keyed by GraphQL field names, so most fields use graphql-core's default resolver;
this module adds what Centra does on top: root lists with where/sort/limit/page, Relay connections
with base64 `field:value` cursors, counters, permissions, DateTimeTz rendering in store time, and the
event queue. Every resolver reads its state from `info.context` (a `Context`), so one schema object
serves any number of sandboxes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Iterable

from graphql import (
    GraphQLError,
    default_field_resolver,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLInterfaceType,
    get_named_type,
)
from graphql.language import ast as gast

from . import dates, ids, structure
from .catalog import Catalog
from .products import ProductHead
from .schema import load_schema
from .spoil import SPOILS, is_spoiled

ORDER_LIMIT = 100
DEFAULT_LIMIT = 200

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

CENTRA_IPS = ["35.228.74.10", "35.228.160.51", "34.88.60.216"]

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
UNIQUE_SORT_FIELDS = {"id", "number"}
EXPENSIVE_SCALARS = {"physicalQuantity", "allocatedQuantity", "availableNowQuantity", "availableQuantity",
                     "demandQuantity", "unshippedQuantity", "incomingQuantity", "linkedIncomingQuantity",
                     "unlinkedIncomingQuantity", "onDeliveryQuantity"}


@dataclass
class Context:
    catalog: Catalog
    sandbox: Any  # state.Sandbox (events, clock)
    permissions: frozenset[str] | None
    integration: str
    rate_limits: Callable[[], list[dict]] | None
    used: set[str] = field(default_factory=set)
    extra_complexity: int = 0


def graphql_error(info, message: str, category: str = "graphql") -> GraphQLError:
    return GraphQLError(message, info.field_nodes, path=info.path.as_list(), extensions={"category": category})


def _require(info, permission: str, what: str) -> None:
    ctx: Context = info.context
    ctx.used.add(permission)
    if ctx.permissions is not None and permission not in ctx.permissions:
        raise graphql_error(info, f"You need {permission} permission to access {what}.", "authorization")


# ---------------------------------------------------------------- row access, filters, sorts
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


def _matches(row: Any, where: dict, type_name: str) -> bool:
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


def _check_string_match(info, where: dict | None) -> None:
    for key, cond in (where or {}).items():
        if isinstance(cond, dict) and not ({"from", "to"} & set(cond)):
            given = [k for k, v in cond.items() if v is not None]
            if len(given) != 1:
                raise graphql_error(info, f"Exactly one input field should be provided for {key}.")


def _sort_specs(sort: Any) -> list[tuple[str, bool]]:
    if sort is None:
        return []
    if isinstance(sort, str):
        sort = [sort]
    specs = []
    for value in sort:
        name, _, direction = value.rpartition("_")
        specs.append(("id" if name == "customSort" else name, direction == "DESC"))
    return specs


def _sort_key(value: Any) -> tuple:
    # None sorts first; mixed types never meet because one field has one type.
    return (0, 0) if value is None else (1, value)


def sort_rows(rows: list, specs: list[tuple[str, bool]], type_name: str) -> list:
    """Stable, total ordering: the requested keys, then id (ascending) to break ties."""
    ordered = sorted(rows, key=lambda r: _sort_key(value_at(r, "id", type_name)))
    for name, desc in reversed(specs):
        if name == "id":
            ordered.sort(key=lambda r: _sort_key(value_at(r, "id", type_name)), reverse=desc)
        else:
            ordered.sort(key=lambda r, n=name: _sort_key(value_at(r, n, type_name)), reverse=desc)
    return ordered


def check_limit(info, limit: int, cap: int) -> int:
    """Centra's answer to a page size (`limit`, `first`, `last`) out of range."""
    if not 1 <= limit <= cap:
        raise graphql_error(info, f"Limit must be in range 1 - {cap}.")
    return limit


def _limit(info, limit: int | None, page: int | None, cap: int) -> tuple[int, int]:
    limit = check_limit(info, 20 if limit is None else limit, cap)
    page = 1 if page is None else page
    if page < 1:
        raise graphql_error(info, "Page must be greater than or equal to 1.")
    return limit, page


# ---------------------------------------------------------------- sources of rows per list
def _type_of_list(info) -> str:
    return get_named_type(info.return_type).name


def _live(rows: list[dict]) -> list[dict]:
    return [r for r in rows if not r.get("_deleted")]


def _all_variants(cat: Catalog) -> list[dict]:
    return [v for h in cat.live_heads() for v in cat.product(h.id)["variants"]]


def _all_sizes(cat: Catalog) -> list[dict]:
    return [s for v in _all_variants(cat) for s in v["productSizes"]]


def _all_displays(cat: Catalog) -> list[dict]:
    return [d for h in cat.live_heads() for d in cat.product(h.id)["displays"]]


SOURCES: dict[str, Callable[[Catalog], list]] = {
    "stores": lambda c: c.stores, "markets": lambda c: c.markets, "pricelists": lambda c: c.pricelists,
    "currencies": lambda c: c.currencies, "languages": lambda c: c.languages, "countries": lambda c: c.countries,
    "warehouses": lambda c: c.warehouses, "sizeCharts": lambda c: c.size_charts,
    "products": lambda c: c.live_heads(), "productVariants": _all_variants, "productSizes": _all_sizes,
    "displays": _all_displays, "stockChangeLines": lambda c: [], "purchaseOrderDeliveries": lambda c: [],
    "customers": lambda c: _live(c.customers), "orders": lambda c: c.orders, "shipments": lambda c: c.shipments,
    "returns": lambda c: c.returns, "vouchers": lambda c: _live(c.vouchers),
    "accounts": structure.listed_accounts, "brands": lambda c: c.brands, "collections": lambda c: c.collections,
    "categories": lambda c: c.categories, "folders": lambda c: c.folders,
}
CONNECTION_SOURCES = {"productConnection": "products", "customerConnection": "customers",
                      "orderConnection": "orders", "shipmentConnection": "shipments", "returnConnection": "returns"}
ROW_TYPE = {"products": "Product", "productVariants": "ProductVariant", "productSizes": "ProductSize",
            "displays": "Display", "customers": "Customer", "orders": "Order", "shipments": "Shipment",
            "returns": "Return", "vouchers": "Voucher", "markets": "Market", "pricelists": "Pricelist"}


def _expand(cat: Catalog, rows: Iterable) -> list:
    """Product heads become full products only for the rows of the page being served."""
    return [cat.product(r.id) if isinstance(r, ProductHead) else r for r in rows]


def _filtered(info, list_name: str, where: dict | None, sort: Any) -> list:
    cat: Catalog = info.context.catalog
    _check_string_match(info, where)
    rows = SOURCES[list_name](cat)
    type_name = ROW_TYPE.get(list_name, "")
    if where:
        rows = [r for r in rows if _matches(r, where, type_name)]
    return sort_rows(rows, _sort_specs(sort), type_name)


def _fast_sizes_page(cat: Catalog, where, sort, limit: int, page: int) -> list | None:
    """Sizes in id order need no scan: product ids and size ids grow together."""
    if where or _sort_specs(sort) not in ([], [("id", False)]):
        return None
    out = []
    for size in cat.iter_sizes_from((page - 1) * limit):
        out.append(size)
        if len(out) == limit:
            break
    return out


def resolve_root_list(list_name: str):
    cap = ORDER_LIMIT if list_name == "orders" else DEFAULT_LIMIT

    def resolve(_source, info, where=None, sort=None, limit=None, page=None):
        _require(info, ROOT_PERMISSIONS[list_name], list_name)
        limit, page = _limit(info, limit, page, cap)
        cat: Catalog = info.context.catalog
        if list_name == "productSizes":
            fast = _fast_sizes_page(cat, where, sort, limit, page)
            if fast is not None:
                return fast
        rows = _filtered(info, list_name, where, sort)
        start = (page - 1) * limit
        return _expand(cat, rows[start:start + limit])
    return resolve


# ---------------------------------------------------------------- connections
def _encode_part(value: Any) -> str:
    if isinstance(value, datetime):
        return "d" + value.isoformat()
    if isinstance(value, bool) or value is None:
        return "n" if value is None else ("b1" if value else "b0")
    if isinstance(value, int):
        return "i" + str(value)
    return "s" + str(value)


def _decode_part(text: str) -> Any:
    kind, body = text[:1], text[1:]
    if kind == "d":
        return datetime.fromisoformat(body)
    if kind == "i":
        return int(body)
    if kind == "b":
        return body == "1"
    if kind == "n":
        return None
    return body


def make_cursor(row: Any, specs: list[tuple[str, bool]], type_name: str) -> str:
    name = specs[0][0] if specs else "id"
    if len(specs) <= 1 and name in UNIQUE_SORT_FIELDS:
        payload = f"{name}:{value_at(row, name, type_name)}"
    else:
        keys = [n for n, _ in specs] + ["id"]
        payload = f"{name}:" + "|".join(_encode_part(value_at(row, k, type_name)) for k in keys)
    return base64.b64encode(payload.encode()).decode()


def _cursor_key(info, cursor: str, specs: list[tuple[str, bool]]) -> list:
    try:
        payload = base64.b64decode(cursor.encode(), validate=True).decode()
        name, _, value = payload.partition(":")
        if len(specs) <= 1 and (specs[0][0] if specs else "id") in UNIQUE_SORT_FIELDS:
            return [int(value) if value.lstrip("-").isdigit() else value]
        return [_decode_part(p) for p in value.split("|")]
    except Exception as exc:  # any malformed cursor is the caller's error, reported like Centra would
        raise graphql_error(info, f"Invalid cursor {cursor!r}.") from exc


def _compare(row_key: list, cursor_key: list, directions: list[bool]) -> int:
    for a, b, desc in zip(row_key, cursor_key, directions):
        ka, kb = _sort_key(a), _sort_key(b)
        if ka != kb:
            result = -1 if ka < kb else 1
            return -result if desc else result
    return 0


def resolve_connection(conn_name: str):
    list_name = CONNECTION_SOURCES[conn_name]
    cap = ORDER_LIMIT if conn_name == "orderConnection" else DEFAULT_LIMIT

    def resolve(_source, info, where=None, sort=None, first=None, after=None, last=None, before=None):
        _require(info, ROOT_PERMISSIONS[conn_name], conn_name)
        cat: Catalog = info.context.catalog
        type_name = ROW_TYPE[list_name]
        if sort is None:
            sort = info.parent_type.fields[info.field_name].args["sort"].default_value
        specs = _sort_specs(sort)
        rows = _filtered(info, list_name, where, sort)
        total = len(rows)
        unique = len(specs) <= 1 and (specs[0][0] if specs else "id") in UNIQUE_SORT_FIELDS
        keys = [n for n, _ in specs][:1] if unique else [n for n, _ in specs] + ["id"]
        directions = [d for _, d in specs][:1] if unique else [d for _, d in specs] + [False]

        def key_of(r):
            return [value_at(r, k, type_name) for k in keys]
        start, end = 0, total
        if after:
            ck = _cursor_key(info, after, specs)
            start = next((i for i, r in enumerate(rows) if _compare(key_of(r), ck, directions) > 0), total)
        if before:
            ck = _cursor_key(info, before, specs)
            end = next((i for i, r in enumerate(rows) if _compare(key_of(r), ck, directions) >= 0), total)
            end = max(end, start)
        if first is not None or last is None:
            n = check_limit(info, 20 if first is None else first, cap)
            window = rows[start:min(end, start + n)]
            has_next, has_prev = start + n < end, start > 0
        else:
            check_limit(info, last, cap)
            window = rows[max(start, end - last):end]
            has_next, has_prev = end < total, end - last > start
        edges = [{"cursor": make_cursor(r, specs, type_name), "node": node}
                 for r, node in zip(window, _expand(cat, window))]
        return {
            "totalCount": total, "edges": edges,
            "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_prev,
                         "startCursor": edges[0]["cursor"] if edges else None,
                         "endCursor": edges[-1]["cursor"] if edges else None},
        }
    return resolve


# ---------------------------------------------------------------- single objects
def _find(rows: Iterable[dict], **keys) -> dict | None:
    wanted = {k: v for k, v in keys.items() if v is not None}
    if not wanted:
        return None
    for r in rows:
        if all(r.get(k) == v for k, v in wanted.items()):
            return r
    return None


def resolve_single(name: str, list_name: str):
    def resolve(_source, info, **args):
        _require(info, ROOT_PERMISSIONS[name], name)
        cat: Catalog = info.context.catalog
        if list_name == "products":
            return cat.product(args.get("id")) if args.get("id") is not None else None
        if list_name == "productVariants" and args.get("id") is not None:
            product = cat.product(ids.product_of_variant(args["id"]))
            return next((v for v in product["variants"] if v["id"] == args["id"]), None) if product else None
        if list_name == "displays" and args.get("id") is not None:
            product = cat.product(ids.product_of_display(args["id"]))
            return next((d for d in product["displays"] if d["id"] == args["id"]), None) if product else None
        return _find(SOURCES[list_name](cat), **args)
    return resolve


# ---------------------------------------------------------------- nested lists with paging
def resolve_nested_list(type_name: str, field_name: str):
    permission = FIELD_PERMISSIONS.get((type_name, field_name))

    def resolve(source, info, where=None, sort=None, limit=None, page=None, **_ignored):
        if permission:
            _require(info, permission, field_name)
        limit, page = _limit(info, limit, page, DEFAULT_LIMIT)
        if type_name == "Warehouse" and field_name == "stock":
            return _warehouse_stock(info, source, where, sort, limit, page)
        rows = source.get(field_name) if isinstance(source, dict) else getattr(source, field_name, None)
        rows = rows(info) if callable(rows) else (rows or [])
        if where:
            rows = [r for r in rows if _matches(r, where, "")]
        rows = sort_rows(rows, _sort_specs(sort), "") if sort else rows
        start = (page - 1) * limit
        return rows[start:start + limit]
    return resolve


def _warehouse_stock(info, warehouse: dict, where, sort, limit: int, page: int) -> list:
    cat: Catalog = info.context.catalog
    if not warehouse.get("_stocked"):
        return []
    if not where:
        out = []
        for size in cat.iter_sizes_from((page - 1) * limit):
            out.extend(s for s in size["stock"] if s["warehouse"] is warehouse)
            if len(out) >= limit:
                break
        return out[:limit]
    rows = [s for size in _all_sizes(cat) for s in size["stock"] if s["warehouse"] is warehouse]
    rows = [r for r in rows if _matches(r, where, "")]
    start = (page - 1) * limit
    return rows[start:start + limit]


def resolve_guarded(type_name: str, field_name: str):
    permission = FIELD_PERMISSIONS[(type_name, field_name)]

    def resolve(source, info, **args):
        _require(info, permission, field_name)
        value = source.get(field_name) if isinstance(source, dict) else getattr(source, field_name, None)
        return value(info, **args) if callable(value) else value
    return resolve


def resolve_spoilable(type_name: str, inner: Callable, spoil: Callable[[Any], Any]):
    """A field served spoiled on the rows `--bad-rows` picks (sandbox/spoil.py)."""
    def resolve(source, info, **args):
        value = inner(source, info, **args)
        sandbox = info.context.sandbox
        return spoil(value) if is_spoiled(sandbox.seed, type_name, source, sandbox.bad_rows) else value
    return resolve


def resolve_date(source, info, format: str = dates.DEFAULT_FORMAT, **_args):
    value = source.get(info.field_name) if isinstance(source, dict) else getattr(source, info.field_name, None)
    if value is None:
        return None
    return dates.render(value, format or dates.DEFAULT_FORMAT)


# ---------------------------------------------------------------- counters, operations
def resolve_counter(list_name: str):
    def resolve(_source, info, where=None):
        cat: Catalog = info.context.catalog
        _check_string_match(info, where)
        rows = SOURCES[list_name](cat)
        if not where:
            return len(rows)
        type_name = ROW_TYPE.get(list_name, "")
        return sum(1 for r in rows if _matches(r, where, type_name))
    return resolve


def resolve_rate_limits(_source, info, where=None):
    ctx: Context = info.context
    ctx.extra_complexity += 10
    rows = ctx.rate_limits() if ctx.rate_limits else []
    if where:
        types, intervals = where.get("type"), where.get("interval")
        rows = [r for r in rows if (not types or r["type"] in types) and (not intervals or r["intervalSeconds"] in intervals)]
    return rows


def resolve_centra_ips(_source, info):
    info.context.extra_complexity += 10
    return CENTRA_IPS


# ---------------------------------------------------------------- event queue
def resolve_event_listeners(_source, info, where=None):
    _require(info, "Event:read", "eventListeners")
    listeners = info.context.sandbox.events.listeners(info.context.integration)
    if where and where.get("objectType"):
        listeners = [l for l in listeners if l["objectType"] in where["objectType"]]
    return listeners


def resolve_events(_source, info, where=None, limit=20):
    _require(info, "Event:read", "events")
    check_limit(info, limit, DEFAULT_LIMIT)
    return info.context.sandbox.events.pending(info.context.integration, where or {}, limit)


def resolve_set_listeners(_source, info, input):
    _require(info, "Event:write", "setEventListeners")
    queue = info.context.sandbox.events
    listeners = queue.set_listeners(info.context.integration, input, info.context.sandbox.now)
    return {"eventListeners": listeners, "userErrors": [], "userWarnings": []}


def resolve_unset_listeners(_source, info, input):
    _require(info, "Event:write", "unsetEventListeners")
    listeners = info.context.sandbox.events.unset_listeners(info.context.integration, input)
    return {"eventListeners": listeners, "userErrors": [], "userWarnings": []}


def resolve_confirm_events(_source, info, input):
    _require(info, "Event:write", "confirmEvents")
    ids = input["eventsIds"]
    errors = []
    if len(ids) > 200:
        errors.append({"message": "At most 200 events can be confirmed per call.", "path": ["input", "eventsIds"]})
    else:
        info.context.sandbox.events.confirm(info.context.integration, ids)
    return {"userErrors": errors, "userWarnings": []}


# ---------------------------------------------------------------- schema wiring
def _parse_datetime_literal(node, _variables=None):
    if not isinstance(node, gast.StringValueNode):
        raise GraphQLError("DateTimeTz must be a string, e.g. 2026-03-01T00:00:00+01:00.")
    return dates.parse_input(node.value)


def _parse_datetime_value(value):
    if not isinstance(value, str):
        raise GraphQLError("DateTimeTz must be a string, e.g. 2026-03-01T00:00:00+01:00.")
    return dates.parse_input(value)


@lru_cache(maxsize=8)
def served_schema(strict: bool, drop: tuple[str, ...] = ()) -> GraphQLSchema:
    """The schema with Centra's behaviour attached (built once per mode, shared by all sandboxes);
    `drop` leaves members out (sandbox/schema.py)."""
    schema = load_schema(strict, drop=drop)
    dt = schema.type_map["DateTimeTz"]
    dt.parse_literal = _parse_datetime_literal
    dt.parse_value = _parse_datetime_value
    query = schema.query_type
    for name, f in query.fields.items():
        if name in SOURCES:
            f.resolve = resolve_root_list(name)
        elif name in CONNECTION_SOURCES:
            f.resolve = resolve_connection(name)
    singles = {"store": "stores", "market": "markets", "pricelist": "pricelists", "currency": "currencies",
               "warehouse": "warehouses", "sizeChart": "sizeCharts", "product": "products",
               "productVariant": "productVariants", "display": "displays", "customer": "customers",
               "order": "orders", "shipment": "shipments", "return": "returns", "voucher": "vouchers"}
    for name, list_name in singles.items():
        if name in query.fields:
            query.fields[name].resolve = resolve_single(name, list_name)
    schema.type_map["OrderLine"].fields["lineValue"].resolve = structure.resolve_line_value
    query.fields["counters"].resolve = lambda _s, _i: {}
    for name, f in schema.type_map["Counters"].fields.items():
        f.resolve = resolve_counter(name)
    query.fields["rateLimits"].resolve = resolve_rate_limits
    query.fields["centraIPs"].resolve = resolve_centra_ips
    query.fields["eventListeners"].resolve = resolve_event_listeners
    query.fields["events"].resolve = resolve_events
    mutation = schema.mutation_type
    mutation.fields["setEventListeners"].resolve = resolve_set_listeners
    mutation.fields["unsetEventListeners"].resolve = resolve_unset_listeners
    mutation.fields["confirmEvents"].resolve = resolve_confirm_events
    for (type_name, fname), spoil in SPOILS.items():
        field_ = schema.type_map[type_name].fields[fname]
        field_.resolve = resolve_spoilable(type_name, field_.resolve or default_field_resolver, spoil)
    for type_ in schema.type_map.values():
        if not isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)) or type_.name.startswith("__"):
            continue
        if type_ in (query, mutation):
            continue
        for fname, f in type_.fields.items():
            if get_named_type(f.type).name == "DateTimeTz":
                f.resolve = resolve_date
            elif "limit" in f.args and "page" in f.args:
                f.resolve = resolve_nested_list(type_.name, fname)
            elif (type_.name, fname) in FIELD_PERMISSIONS:
                f.resolve = resolve_guarded(type_.name, fname)
    return schema


def complexity_of(data: Any) -> int:
    """Roughly Centra's: one per object returned, one per expensive stock scalar."""
    total = 0
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            total += 1
            for key, value in item.items():
                if key in EXPENSIVE_SCALARS:
                    total += 1
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return total
