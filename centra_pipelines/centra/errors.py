"""Errors a user of the Centra client can act on.

None of them ever carries a token, a secret or an Authorization header: messages are built
from Centra's GraphQL error text and our own words only.
"""

from __future__ import annotations

import re
from typing import Any


class CentraError(Exception):
    """Base class of every error the Centra client raises."""


class AuthError(CentraError):
    """HTTP 401: every configured token was rejected (expired or revoked)."""


class CentraPermissionError(CentraError):
    """A GraphQL error with ``extensions.category = "authorization"``: the token lacks a permission.

    Not retried: the same request would fail the same way until someone edits the token in the
    Centra admin (System -> API Tokens).
    """

    def __init__(self, message: str, *, permission: str | None, path: list[Any] | None,
                 permissions: list[str] | None = None, errors: list[dict] | None = None) -> None:
        self.permission = permission
        self.errors = errors or []  # the answer's authorization errors, each with its path
        self.permissions = permissions or ([permission] if permission else [])  # every one the answer named
        self.path = path
        needed = permission or "an unknown permission"
        where = f" at {'.'.join(str(p) for p in path)}" if path else ""
        super().__init__(
            f"Centra token lacks {needed}{where}: {message} "
            f"Add {needed} to the integration token in the Centra admin (System > API Tokens)."
        )


class QueryError(CentraError):
    """Centra rejected the GraphQL document or its variables (validation, bad argument). Not retried."""

    def __init__(self, message: str, *, path: list[Any] | None, errors: list[dict]) -> None:
        self.path = path
        self.errors = errors
        where = f" at {'.'.join(str(p) for p in path)}" if path else ""
        super().__init__(f"Centra rejected the query{where}: {message}")


class CentraUnavailable(CentraError):
    """Retries exhausted on 5xx, timeouts, dropped connections or malformed bodies."""


_PERMISSION = re.compile(r"\b([A-Z][A-Za-z]*(?:\.[A-Za-z]+)*:(?:read|write))\b")


def permission_from_message(message: str) -> str | None:
    """Centra says e.g. "You need Order:read permission to access orders."; pick out ``Order:read``."""
    match = _PERMISSION.search(message or "")
    return match.group(1) if match else None


def error_from_graphql(errors: list[dict]) -> CentraError:
    """Classify the ``errors`` of a GraphQL response: a permission error wins over a query error."""
    denied = [e for e in errors if (e.get("extensions") or {}).get("category") == "authorization"]
    if denied:
        message = str(denied[0].get("message", ""))
        named = [permission_from_message(str(e.get("message", ""))) for e in denied]
        return CentraPermissionError(message, permission=permission_from_message(message), path=denied[0].get("path"),
                                     permissions=sorted({p for p in named if p}), errors=denied)
    first = errors[0] if errors else {}
    return QueryError(str(first.get("message", "unknown GraphQL error")), path=first.get("path"), errors=errors)
