"""What every resolver of the served schema reads and answers with: the request's `Context` (one
schema object serves any number of sandboxes), Centra's errors, and its page-size limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from graphql import GraphQLError

from .catalog import Catalog

ORDER_LIMIT = 100
DEFAULT_LIMIT = 200


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


def check_limit(info, limit: int, cap: int) -> int:
    """Centra's answer to a page size (`limit`, `first`, `last`) out of range."""
    if not 1 <= limit <= cap:
        raise graphql_error(info, f"Limit must be in range 1 - {cap}.")
    return limit


def page_args(info, limit: int | None, page: int | None, cap: int) -> tuple[int, int]:
    limit = check_limit(info, 20 if limit is None else limit, cap)
    page = 1 if page is None else page
    if page < 1:
        raise graphql_error(info, "Page must be greater than or equal to 1.")
    return limit, page

