"""Several small lists in one request: the reference lists (stores, markets, pricelists, …) and the
lists a token may lack (accounts, brands, collections, categories, folders) together.

The base currency (Centra's `isBase` filter) rides along with the currencies and is kept for the
process (`base_currency`). Each list stream's own document (centra.queries) supplies its selection; the root fields are put
side by side in one query under the stream's name as alias, with the arguments the served schema
offers (sort, a full first page; none for a list offered whole), so the lists of a sync cost one
request instead of one per list. A list that fills its first page continues page by page through
the stream's normal pagination.

A list the token may not read: Centra answers the whole request with an authorization error at that
alias (its root fields are non-null, so the error nulls every list). The request is sent again
without the refused lists, so they cost one extra request only when a permission is missing; a
refused optional list is returned as refused (its asset warns), a refused required one raises.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import parse, print_ast
from graphql.language import (
    DocumentNode,
    EnumValueNode,
    FieldNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.language.ast import ArgumentNode

from centra_pipelines.centra import queries
from centra_pipelines.centra.capabilities import PAGES, WHOLE
from centra_pipelines.centra.errors import CentraError, CentraPermissionError, error_from_graphql
from centra_pipelines.centra.pagination import Cursor
from centra_pipelines.centra.streams import STREAMS

if TYPE_CHECKING:
    from centra_pipelines.centra.client import CentraClient


BASE_ALIAS = "baseCurrency"
# The base currency per endpoint, for as long as the clients keep what introspection found: learnt
# with the reference lists (or asked alone), shared by the orders and returns of every run of a sync.
_BASE_CURRENCY: dict[str, tuple[float, str | None]] = {}


def _remember_base_currency(client: CentraClient, rows: list[dict]) -> str | None:
    code = rows[0]["code"] if rows else None
    _BASE_CURRENCY[client.url] = (time.monotonic(), code)
    return code


def base_currency(client: CentraClient) -> str | None:
    """The store's base currency code (order amounts are converted into it): known from this
    process's reference lists, else one request."""
    from centra_pipelines.centra.client import CAPABILITIES_TTL_SECONDS

    known = _BASE_CURRENCY.get(client.url)
    if known is not None and time.monotonic() - known[0] < CAPABILITIES_TTL_SECONDS:
        return known[1]
    rows = client.execute(queries.BASE_CURRENCY, operation_name="BaseCurrency").data["currencies"]
    return _remember_base_currency(client, rows)


@dataclass
class Lists:
    rows: dict[str, list[dict[str, Any]]]  # every row of each list read
    refused: dict[str, CentraPermissionError] = field(default_factory=dict)  # optional lists the token may not read


def _limit(client: CentraClient, name: str) -> int:
    """Rows per page, as `client.pages` would ask for them (so page 2 continues page 1)."""
    cap = STREAMS[name].page_cap
    return min(client.page_size or cap, cap)


def _argument(name: str, value) -> ArgumentNode:
    return ArgumentNode(name=NameNode(value=name), value=value)


def lists_document(client: CentraClient, names: list[str]) -> str:
    """One query holding the first page of each named list stream (aliased by stream name)."""
    fields = []
    for name in names:
        stream, plan = STREAMS[name], client.capabilities().plan(name)
        if plan.mode == WHOLE:  # the schema offers no limit/page: the whole list, no arguments
            query, arguments = stream.whole_query, []
        elif plan.mode == PAGES:
            query = stream.query
            arguments = [_argument("limit", IntValueNode(value=str(_limit(client, name)))),
                         _argument("page", IntValueNode(value="1"))]
            if plan.sort:
                arguments.insert(0, _argument("sort", ListValueNode(values=tuple(EnumValueNode(value=s)
                                                                                 for s in plan.sort))))
        else:
            raise CentraError(f"Centra stream {name} cannot be pulled: {plan.reason}")
        root: FieldNode = parse(query).definitions[0].selection_set.selections[0]
        fields.append(FieldNode(alias=NameNode(value=name), name=root.name, arguments=tuple(arguments),
                                directives=(), selection_set=root.selection_set))
    if "currencies" in names:  # the base currency (isBase filter) with the currencies
        root = parse(queries.BASE_CURRENCY).definitions[0].selection_set.selections[0]
        fields.append(FieldNode(alias=NameNode(value=BASE_ALIAS), name=root.name, arguments=root.arguments,
                                directives=(), selection_set=root.selection_set))
    document = DocumentNode(definitions=(OperationDefinitionNode(
        operation=OperationType.QUERY, name=NameNode(value="ReferenceLists"), variable_definitions=(),
        directives=(), selection_set=SelectionSetNode(selections=tuple(fields))),))
    return print_ast(document)


def _refused(exc: CentraPermissionError, optional: set[str]) -> dict[str, CentraPermissionError]:
    """The optional lists an authorization error names, each with its own error; raises `exc` when it
    names anything else (a required list, or no list at all)."""
    by_list = {}
    for error in exc.errors:
        path = error.get("path") or []
        if not path or path[0] not in optional:
            raise exc
        by_list[path[0]] = error_from_graphql([error])
    return by_list


def pull_lists(client: CentraClient, names: list[str]) -> Lists:
    """Every row of each named (small) list stream: one request for all first pages. A stream marked
    `optional` that the token may not read is left out and reported in `refused`."""
    optional = {name for name in names if STREAMS[name].optional}
    asked, refused = list(names), {}
    data: dict[str, Any] = {}
    while asked:
        try:
            data = client.execute(lists_document(client, asked), operation_name="ReferenceLists").data
            if BASE_ALIAS in data:
                _remember_base_currency(client, data[BASE_ALIAS])
            break
        except CentraPermissionError as exc:
            refused.update(_refused(exc, optional))
            asked = [name for name in asked if name not in refused]
    out: dict[str, list[dict[str, Any]]] = {}
    for name in asked:
        rows = list(data.get(name) or [])
        if client.capabilities().plan(name).mode != WHOLE and len(rows) >= _limit(client, name):
            # a full first page: the rest through normal pagination
            rows += [row for page in client.pages(name, cursor=Cursor(name, "pages", page=2)) for row in page.rows]
        out[name] = rows
    return Lists(out, refused)
