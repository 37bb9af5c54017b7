"""The store's base currency, as Centra reports it (the orders, returns and real-time runs convert to it)."""

import time

from centra_pipelines.centra import queries
from centra_pipelines.centra.client import CAPABILITIES_TTL_SECONDS

# The base currency per endpoint, asked once per process for as long as the client keeps what
# introspection found: the orders and returns of every run of a sync share one answer.
_BASE_CURRENCY: dict[str, tuple[float, str | None]] = {}


def base_currency(client) -> str | None:
    known = _BASE_CURRENCY.get(client.url)
    if known is not None and time.monotonic() - known[0] < CAPABILITIES_TTL_SECONDS:
        return known[1]
    rows = client.execute(queries.BASE_CURRENCY, operation_name="BaseCurrency").data["currencies"]
    code = rows[0]["code"] if rows else None
    _BASE_CURRENCY[client.url] = (time.monotonic(), code)
    return code
