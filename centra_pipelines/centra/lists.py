"""Several small lists in one request: the reference lists (stores, markets, pricelists, …) together.

Each list stream's own document (centra.queries) supplies its selection; the root fields are put
side by side in one query under the stream's name as alias, with the sort the schema offers and a
full first page, so the reference data of a sync costs one request instead of one per list. A list
that fills its first page continues page by page through the stream's normal pagination.
"""

from __future__ import annotations

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

from centra_pipelines.centra.pagination import Cursor
from centra_pipelines.centra.streams import STREAMS

if TYPE_CHECKING:
    from centra_pipelines.centra.client import CentraClient


def _limit(client: CentraClient, name: str) -> int:
    """Rows per page, as `client.pages` would ask for them (so page 2 continues page 1)."""
    cap = STREAMS[name].page_cap
    return min(client.page_size or cap, cap)


def lists_document(client: CentraClient, names: list[str]) -> str:
    """One query holding the first page of each named list stream (aliased by stream name)."""
    fields = []
    for name in names:
        stream = STREAMS[name]
        operation = parse(stream.query).definitions[0]
        root: FieldNode = operation.selection_set.selections[0]
        sort = client.capabilities().plan(name).sort
        arguments = [ArgumentNode(name=NameNode(value="sort"),
                                  value=ListValueNode(values=tuple(EnumValueNode(value=s) for s in sort))),
                     ArgumentNode(name=NameNode(value="limit"),
                                  value=IntValueNode(value=str(_limit(client, name)))),
                     ArgumentNode(name=NameNode(value="page"), value=IntValueNode(value="1"))]
        fields.append(FieldNode(alias=NameNode(value=name), name=root.name, arguments=tuple(arguments),
                                directives=(), selection_set=root.selection_set))
    document = DocumentNode(definitions=(OperationDefinitionNode(
        operation=OperationType.QUERY, name=NameNode(value="ReferenceLists"), variable_definitions=(),
        directives=(), selection_set=SelectionSetNode(selections=tuple(fields))),))
    return print_ast(document)


def pull_lists(client: CentraClient, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every row of each named (small, page-mode) list stream: one request for all first pages."""
    data = client.execute(lists_document(client, names), operation_name="ReferenceLists").data
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        rows = list(data.get(name) or [])
        if len(rows) >= _limit(client, name):  # a full first page: the rest through normal pagination
            rows += [row for page in client.pages(name, cursor=Cursor(name, "pages", page=2)) for row in page.rows]
        out[name] = rows
    return out

