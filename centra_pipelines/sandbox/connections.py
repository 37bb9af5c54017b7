"""Relay connections (`productConnection`, `orderConnection`, ...): base64 `field:value` cursors over
the sorted rows, `first`/`after` and `last`/`before` windows, `totalCount` and `pageInfo`."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from .catalog import Catalog
from .context import DEFAULT_LIMIT, ORDER_LIMIT, check_limit, graphql_error
from .permissions import ROOT_PERMISSIONS, require
from .rows import ROW_TYPE, expand, filtered, sort_key, sort_specs, value_at

CONNECTION_SOURCES = {"productConnection": "products", "customerConnection": "customers",
                      "orderConnection": "orders", "shipmentConnection": "shipments", "returnConnection": "returns"}
UNIQUE_SORT_FIELDS = {"id", "number"}


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
        ka, kb = sort_key(a), sort_key(b)
        if ka != kb:
            result = -1 if ka < kb else 1
            return -result if desc else result
    return 0


def resolve_connection(conn_name: str):
    list_name = CONNECTION_SOURCES[conn_name]
    cap = ORDER_LIMIT if conn_name == "orderConnection" else DEFAULT_LIMIT

    def resolve(_source, info, where=None, sort=None, first=None, after=None, last=None, before=None):
        require(info, ROOT_PERMISSIONS[conn_name], conn_name)
        cat: Catalog = info.context.catalog
        type_name = ROW_TYPE[list_name]
        if sort is None:
            sort = info.parent_type.fields[info.field_name].args["sort"].default_value
        specs = sort_specs(sort)
        rows = filtered(info, list_name, where, sort)
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
                 for r, node in zip(window, expand(cat, window))]
        return {
            "totalCount": total, "edges": edges,
            "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_prev,
                         "startCursor": edges[0]["cursor"] if edges else None,
                         "endCursor": edges[-1]["cursor"] if edges else None},
        }
    return resolve

