"""CentraClient: one GraphQL endpoint over httpx, budgeted, retried, with actionable errors."""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import ssl
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpx
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from centra_pipelines.centra import queries
from centra_pipelines.centra.budget_store import open_store
from centra_pipelines.centra.capabilities import Capabilities, plan_capabilities
from centra_pipelines.centra.errors import AuthError, CentraError, CentraUnavailable, error_from_graphql
from centra_pipelines.centra.pagination import Cursor, ListPages
from centra_pipelines.centra.stats import Stats
from centra_pipelines.centra.streams import STREAMS, Stream
from centra_pipelines.centra.throttle import Throttle, parse_retry_after
from centra_pipelines.centra.tokens import TokenSource
from centra_pipelines.redaction import redact_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for retrying 5xx, timeouts, dropped connections and malformed bodies (429s wait apart)."""

    attempts: int = 6
    max_seconds: float = 300.0
    initial_wait: float = 0.5
    max_wait: float = 30.0
    max_throttled_seconds: float = 900.0  # longest one request may wait on 429s before giving up


@dataclass
class Result:
    data: dict[str, Any]
    complexity: int
    stats: Stats  # this request: attempts, 429s, retries, waits, bytes
    extensions: dict[str, Any] = field(default_factory=dict)
    server_time: datetime | None = None  # Centra's clock (its `Date` header) when it answered


def _http_date(value: str | None) -> datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def budget_key(url: str) -> str:
    """The shared budget's name: one per Centra endpoint (host and path; never a credential)."""
    parts = urlsplit(url)
    return f"centra:{(parts.hostname or '').lower()}:{parts.port or ''}{parts.path}"


class _Retryable(Exception):
    """A failure worth another attempt: 5xx, timeout, dropped connection, malformed body."""


# What introspection found, per endpoint, shared by the clients of one process: every asset of a
# sync opens its own client, and one introspection per sync (not per asset) is enough. Entries
# expire so that a long-lived process notices a schema change.
_CAPABILITIES: dict[str, tuple[float, Capabilities]] = {}
CAPABILITIES_TTL_SECONDS = 600.0


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle), built once per process: loading the bundle
    costs ~0.1 s, and a sync opens a client per asset."""
    return ssl.create_default_context(cafile=certifi.where())


class CentraClient:
    """Client of the Centra Integration API (GraphQL).

    ``share`` of the ``tier`` is the deployment's budget (the rest is left to the brand's other
    integrations), held in the store ``budget_url`` names (``budget_store.open_store``; default:
    this process only) and spent in ``lane``; ``time_scale`` shortens the windows to match a
    time-scaled sandbox; ``max_in_flight`` allows a few concurrent requests (``execute_many``)
    inside the budget.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        secondary_token: str | None = None,
        token_file: str | Path | None = None,
        tier: str = "growth",
        share: float = 0.5,
        time_scale: float = 1.0,
        lane: str = "incremental",
        budget_url: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_in_flight: int = 1,
        rate_limit_poll_seconds: float = 60.0,
        throttle: Throttle | None = None,
        page_size: int | None = None,
    ) -> None:
        if httpx.URL(url).userinfo:
            # httpx would send them as Basic auth in place of the token (Centra answers 401) and log
            # them with every request line.
            raise CentraError(f"The Centra URL {redact_url(url)} holds credentials (user:password@): the "
                              "Integration API authenticates with the integration token only; remove them.")
        self.url = url
        self.tokens = TokenSource(token, secondary=secondary_token, token_file=token_file)
        self.throttle = throttle or Throttle(tier, share, lane=lane, store=open_store(budget_url),
                                             key=budget_key(url), time_scale=time_scale)
        self._owns_throttle = throttle is None
        self.retry = retry or RetryPolicy()
        self.max_in_flight = max(1, max_in_flight)
        self.page_size = page_size  # rows per page for pages() (None: each list's cap)
        self.stats = Stats(lane=self.throttle.lane)
        self._poll_every = rate_limit_poll_seconds / self.throttle.time_scale
        self._next_poll = time.monotonic() + self._poll_every
        self._polling = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.max_in_flight)
        self._estimates: dict[str, float] = {}
        self._capabilities: Capabilities | None = None
        # Centra's clock at its latest answer (its `Date` header), None before any: a window's
        # "as of" must be in Centra's time, the time of the `updatedAt` values it filters on.
        self.server_time: datetime | None = None
        self._http = httpx.Client(
            verify=_tls_context(),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=self.max_in_flight, max_keepalive_connections=self.max_in_flight),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        log.info("Centra client for %s using the %s token", redact_url(url), self.tokens.name)

    def __repr__(self) -> str:
        return f"CentraClient(url={redact_url(self.url)!r}, token_in_use={self.tokens.name!r})"

    def __enter__(self) -> CentraClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        if self._owns_throttle:
            self.throttle.close()

    # --- requests -------------------------------------------------------------------------

    def execute(self, query: str, variables: dict[str, Any] | None = None, *,
                operation_name: str | None = None) -> Result:
        """Send one GraphQL document; return its data and this request's statistics.

        Raises AuthError (401 with every token), CentraPermissionError, QueryError (neither retried)
        or CentraUnavailable (retries exhausted).
        """
        self._maybe_poll_rate_limits()
        return self._execute(query, variables, operation_name)

    def execute_many(self, requests: Iterable[tuple[str, dict[str, Any] | None]]) -> list[Result]:
        """Run several documents with up to ``max_in_flight`` in flight; results in input order."""
        requests = list(requests)
        if self.max_in_flight == 1 or len(requests) < 2:
            return [self.execute(q, v) for q, v in requests]
        with ThreadPoolExecutor(max_workers=self.max_in_flight) as pool:
            return list(pool.map(lambda qv: self.execute(*qv), requests))

    def read_rate_limits(self) -> list[dict[str, Any]]:
        """Read the shared quota (``rateLimits``, complexity 10) and let the throttle learn from it."""
        readings = self._execute(queries.RATE_LIMITS, None, "RateLimits").data["rateLimits"]
        self.throttle.observe(readings)
        return readings

    def _maybe_poll_rate_limits(self) -> None:
        if time.monotonic() < self._next_poll or not self._polling.acquire(blocking=False):
            return
        try:
            self._next_poll = time.monotonic() + self._poll_every
            self.read_rate_limits()
        except CentraError as exc:  # a failed reading must not fail the caller's request
            log.warning("Centra rateLimits reading failed: %s", exc)
        finally:
            self._polling.release()

    def _execute(self, query: str, variables: dict[str, Any] | None, operation_name: str | None) -> Result:
        payload: dict[str, Any] = {"query": query}
        if variables:
            payload["variables"] = variables
        if operation_name:
            payload["operationName"] = operation_name
        body = json.dumps(payload).encode()
        stats = Stats()
        policy = self.retry

        def count_retry(state: Any) -> None:
            stats.retries += 1
            log.warning("Centra request failed (%s); retry %d of %d", state.outcome.exception(),
                        state.attempt_number, policy.attempts - 1)

        retrying = Retrying(
            stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_seconds),
            wait=wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait) + wait_random(0, policy.initial_wait),
            retry=retry_if_exception_type(_Retryable),
            before_sleep=count_retry,
            reraise=True,
        )
        try:
            try:
                response, answered = retrying(self._attempt, query, body, stats)
            except _Retryable as exc:
                raise CentraUnavailable(
                    f"Centra gave no usable answer after {stats.requests} requests ({exc}); "
                    "the run can be retried and resumes from its last cursor."
                ) from None
        finally:
            self.stats.add(stats)
        return Result(response.get("data") or {}, stats.complexity, stats, response.get("extensions") or {}, answered)

    def _attempt(self, query: str, body: bytes, stats: Stats) -> tuple[dict[str, Any], datetime | None]:
        throttled = 0.0
        while True:
            estimate = self._estimates.get(query, 50.0)
            stats.wait_seconds += self.throttle.acquire(estimate)
            token = self.tokens.token
            stats.requests += 1
            try:
                with self._slots:
                    response = self._http.post(self.url, content=body, headers={"Authorization": f"Bearer {token}"})
            except httpx.TransportError as exc:  # timeouts, refused and dropped connections, truncation
                raise _Retryable(type(exc).__name__) from None
            stats.bytes += len(response.content)
            answered = _http_date(response.headers.get("Date"))
            self.server_time = answered or self.server_time
            status = response.status_code
            if status in (429, 401):
                self.throttle.settle(estimate, 0)
            if status == 429:
                stats.throttled += 1
                delay = parse_retry_after(response.headers.get("Retry-After"))
                if delay is None:  # no usable header: wait one (scaled) 10 s window
                    delay = 10.0 / self.throttle.time_scale
                delay = max(delay, 0.01)
                throttled += delay
                if throttled > self.retry.max_throttled_seconds:
                    raise CentraUnavailable(
                        f"Centra kept answering 429 for {throttled:.0f} s; the shared rate limit is exhausted "
                        "by other integrations or the share is set too high."
                    )
                log.info("Centra answered 429; every request of this client waits %.2f s", delay)
                self.throttle.pause(delay)
                continue
            if status == 401:
                if self.tokens.rotate(token):
                    continue
                raise AuthError(
                    "Centra rejected the integration token (HTTP 401): it has expired or been revoked. "
                    "Create a new token in the Centra admin (System > API Tokens) and configure it "
                    "(CENTRA_API_TOKEN, a secondary token or the token file)."
                )
            if status >= 500:
                raise _Retryable(f"HTTP {status}")
            try:
                payload = response.json()
            except ValueError:
                if status >= 400:
                    raise CentraError(f"Centra answered HTTP {status} at {redact_url(self.url)}") from None
                raise _Retryable("malformed response body") from None
            if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
                raise _Retryable("response body is not a GraphQL response")
            complexity = int((payload.get("extensions") or {}).get("complexity") or 0)
            self.throttle.settle(estimate, complexity)
            self._estimates[query] = complexity
            stats.complexity += complexity
            if payload.get("errors"):
                raise error_from_graphql(payload["errors"])
            if status >= 400:
                raise CentraError(f"Centra answered HTTP {status} at {redact_url(self.url)}")
            return payload, answered

    # --- schema and pagination ------------------------------------------------------------

    def capabilities(self, previous_fingerprint: dict[str, Any] | None = None) -> Capabilities:
        """Introspect once per client what each stream can rely on; logs modes and schema drift."""
        if self._capabilities is None:
            known = _CAPABILITIES.get(self.url)
            if known is not None and previous_fingerprint is None and time.monotonic() - known[0] < CAPABILITIES_TTL_SECONDS:
                self._capabilities = known[1]
            else:
                data = self.execute(queries.CAPABILITIES, operation_name="Capabilities").data
                self._capabilities = plan_capabilities(data, previous_fingerprint)
                _CAPABILITIES[self.url] = (time.monotonic(), self._capabilities)
        return self._capabilities

    def pages(self, stream: str | Stream, *, cursor: Cursor | str | None = None,
              where: dict[str, Any] | None = None, limit: int | None = None,
              since: str | None = None, variables: dict[str, Any] | None = None) -> ListPages:
        """Pages of a list stream in the mode the schema allows (keyset by updatedAt, else by page).

        ``since`` (keyset only) starts after that updatedAt; ``cursor`` resumes a previous iteration.
        """
        stream = STREAMS[stream] if isinstance(stream, str) else stream
        plan = self.capabilities().plan(stream.name)
        if plan.mode not in ("keyset", "pages", "whole"):
            raise CentraError(f"Centra stream {stream.name} cannot be pulled: {plan.reason}")
        return ListPages(self, stream, mode=plan.mode, sort=plan.sort, where=where, limit=limit or self.page_size,
                         cursor=cursor, since=since, variables=variables)
