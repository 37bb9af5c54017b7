"""Client of the Centra Integration API (GraphQL): budgeted, retried, resumable. No Dagster here."""

from centra_pipelines.centra.capabilities import KEYSET, PAGES, Capabilities, StreamPlan
from centra_pipelines.centra.client import CentraClient, Result, RetryPolicy
from centra_pipelines.centra.errors import (
    AuthError,
    CentraError,
    CentraPermissionError,
    CentraUnavailable,
    QueryError,
)
from centra_pipelines.centra.pagination import Cursor, ListPages, Page
from centra_pipelines.centra.stats import Stats
from centra_pipelines.centra.streams import STREAMS, Stream
from centra_pipelines.centra.throttle import LANES, TIERS, Throttle, parse_retry_after
from centra_pipelines.centra.tokens import TokenSource

__all__ = [
    "KEYSET", "PAGES", "STREAMS", "TIERS", "AuthError", "Capabilities", "CentraClient", "CentraError",
    "CentraPermissionError", "CentraUnavailable", "Cursor", "ListPages", "Page",
    "QueryError", "Result", "RetryPolicy", "Stats", "Stream", "StreamPlan", "LANES", "Throttle",
    "TokenSource", "parse_retry_after",
]
