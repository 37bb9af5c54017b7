"""Resolvers that make the served schema behave like Centra over a Catalog, and the wiring of all of
them onto the schema (`served_schema`).

Objects are dicts keyed by GraphQL field names, so most fields use graphql-core's default resolver;
what Centra does on top lives beside this module: permissions (permissions.py), filters, sorts and
the rows of each list (rows.py), Relay connections (connections.py); here are root lists with
limit/page, single objects, nested paged lists, counters, DateTimeTz rendering in store time and the
event queue. Every resolver reads its state from `info.context` (context.py), so one schema object
serves any number of sandboxes.
"""

from __future__ import annotations

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
from .connections import CONNECTION_SOURCES, resolve_connection
from .context import DEFAULT_LIMIT, ORDER_LIMIT, Context, check_limit, page_args
from .permissions import FIELD_PERMISSIONS, ROOT_PERMISSIONS, require
from .rows import ROW_TYPE, SOURCES, all_sizes, check_string_match, expand, filtered, matches, sort_rows, sort_specs
from .schema import load_schema
from .spoil import SPOILS, is_spoiled

CENTRA_IPS = ["35.228.74.10", "35.228.160.51", "34.88.60.216"]
EXPENSIVE_SCALARS = {"physicalQuantity", "allocatedQuantity", "availableNowQuantity", "availableQuantity",
                     "demandQuantity", "unshippedQuantity", "incomingQuantity", "linkedIncomingQuantity",
                     "unlinkedIncomingQuantity", "onDeliveryQuantity"}


def _fast_sizes_page(cat: Catalog, where, sort, limit: int, page: int) -> list | None:
    """Sizes in id order need no scan: product ids and size ids grow together."""
    if where or sort_specs(sort) not in ([], [("id", False)]):
        return None
    out = []
    for size in cat.iter_sizes_from((page - 1) * limit):
        out.append(size)
        if len(out) == limit:
            break
    return out


def _sizes_by_id(cat: Catalog, where, sort, limit: int, page: int) -> list | None:
    """Sizes named by id only (a stock webhook's re-fetch) need no scan either. The scan generates
    every product (more than the product cache holds at medium scale, so all of them again on every
    request): seconds of the sandbox's CPU per request, on the cores of the processes it serves."""
    given = {key: cond for key, cond in (where or {}).items() if cond is not None}
    if set(given) != {"id"} or sort_specs(sort) not in ([], [("id", False)]):
        return None
    wanted = given["id"] if isinstance(given["id"], list) else [given["id"]]
    sizes = [size for size in map(cat.size, sorted({i for i in wanted if isinstance(i, int)})) if size is not None]
    start = (page - 1) * limit
    return sizes[start:start + limit]


def resolve_root_list(list_name: str):
    cap = ORDER_LIMIT if list_name == "orders" else DEFAULT_LIMIT

    def resolve(_source, info, where=None, sort=None, limit=None, page=None):
        require(info, ROOT_PERMISSIONS[list_name], list_name)
        limit, page = page_args(info, limit, page, cap)
        cat: Catalog = info.context.catalog
        if list_name == "productSizes":
            fast = _fast_sizes_page(cat, where, sort, limit, page)
            if fast is None:
                fast = _sizes_by_id(cat, where, sort, limit, page)
            if fast is not None:
                return fast
        rows = filtered(info, list_name, where, sort)
        start = (page - 1) * limit
        return expand(cat, rows[start:start + limit])
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
        require(info, ROOT_PERMISSIONS[name], name)
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
            require(info, permission, field_name)
        limit, page = page_args(info, limit, page, DEFAULT_LIMIT)
        if type_name == "Warehouse" and field_name == "stock":
            return _warehouse_stock(info, source, where, sort, limit, page)
        rows = source.get(field_name) if isinstance(source, dict) else getattr(source, field_name, None)
        rows = rows(info) if callable(rows) else (rows or [])
        if where:
            rows = [r for r in rows if matches(r, where, "")]
        rows = sort_rows(rows, sort_specs(sort), "") if sort else rows
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
    rows = [s for size in all_sizes(cat) for s in size["stock"] if s["warehouse"] is warehouse]
    rows = [r for r in rows if matches(r, where, "")]
    start = (page - 1) * limit
    return rows[start:start + limit]


def resolve_guarded(type_name: str, field_name: str):
    permission = FIELD_PERMISSIONS[(type_name, field_name)]

    def resolve(source, info, **args):
        require(info, permission, field_name)
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
        check_string_match(info, where)
        rows = SOURCES[list_name](cat)
        if not where:
            return len(rows)
        type_name = ROW_TYPE.get(list_name, "")
        return sum(1 for r in rows if matches(r, where, type_name))
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
    require(info, "Event:read", "eventListeners")
    listeners = info.context.sandbox.events.listeners(info.context.integration)
    if where and where.get("objectType"):
        listeners = [l for l in listeners if l["objectType"] in where["objectType"]]
    return listeners


def resolve_events(_source, info, where=None, limit=20):
    require(info, "Event:read", "events")
    check_limit(info, limit, DEFAULT_LIMIT)
    return info.context.sandbox.events.pending(info.context.integration, where or {}, limit)


def resolve_set_listeners(_source, info, input):
    require(info, "Event:write", "setEventListeners")
    queue = info.context.sandbox.events
    listeners = queue.set_listeners(info.context.integration, input, info.context.sandbox.now)
    return {"eventListeners": listeners, "userErrors": [], "userWarnings": []}


def resolve_unset_listeners(_source, info, input):
    require(info, "Event:write", "unsetEventListeners")
    listeners = info.context.sandbox.events.unset_listeners(info.context.integration, input)
    return {"eventListeners": listeners, "userErrors": [], "userWarnings": []}


def resolve_confirm_events(_source, info, input):
    require(info, "Event:write", "confirmEvents")
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
