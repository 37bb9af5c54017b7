"""Integration API tokens of the sandbox Centra.

Centra authenticates with `Authorization: Bearer <token>` or the `graphql-access` cookie. A token
has a name (what the request log shows: the secret itself is never stored in a log or a repr),
a permission set, an integration name (tokens of one integration share an event queue) and an
expiry. Expiry is measured on the sandbox clock, so advancing time can expire a token.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_TOKEN = "sandbox"
DEFAULT_INTEGRATION = "default"


@dataclass(frozen=True)
class Token:
    """One configured token. `permissions=None` means every permission (Centra's read set plus
    `Event:write`, which is all the sandbox schema has)."""

    secret: str = field(repr=False)
    name: str = "default"
    permissions: frozenset[str] | None = None
    integration: str = DEFAULT_INTEGRATION
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class AuthError(Exception):
    """Why a request was refused with HTTP 401. The text never contains the token."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_token_option(value: str, index: int) -> Token:
    """`--token SECRET` (every permission) or `--token SECRET=Order:read,Product:read`."""
    secret, _, perms = value.partition("=")
    if not secret:
        raise ValueError(f"--token number {index}: empty token")
    permissions = frozenset(p.strip() for p in perms.split(",") if p.strip()) if perms else None
    return Token(secret=secret, name=f"token-{index}", permissions=permissions)


class TokenRegistry:
    """Looks up the token of a request. The first token is the one `expire_at` faults expire."""

    def __init__(self, tokens: list[Token] | tuple[Token, ...] | None = None):
        tokens = list(tokens) if tokens else [Token(secret=DEFAULT_TOKEN, name="default")]
        names = [t.name for t in tokens]
        if len(set(names)) != len(names):
            raise ValueError(f"token names must be unique, got {sorted(names)}")
        self._tokens = tokens

    @property
    def first(self) -> Token:
        return self._tokens[0]

    def names(self) -> list[str]:
        return [t.name for t in self._tokens]

    @staticmethod
    def credential(headers, cookies) -> str | None:
        """The presented secret: the Bearer header wins over the cookie."""
        auth = headers.get("authorization")
        if auth:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                return value.strip()
            return None
        cookie = cookies.get("graphql-access")
        return cookie or None

    def authenticate(self, secret: str | None, now: datetime, *, first_expired: bool = False) -> Token:
        if not secret:
            raise AuthError("Missing access token: send `Authorization: Bearer <token>`.")
        for token in self._tokens:
            # Constant-time compare: the sandbox should not teach clients timing-unsafe habits.
            if hmac.compare_digest(token.secret.encode(), secret.encode()):
                if token.expired(now) or (first_expired and token is self._tokens[0]):
                    raise AuthError(f"Access token '{token.name}' has expired.")
                return token
        raise AuthError("Unknown access token.")
