"""Centra-style webhooks: signing and a background sender.

Wire format (Centra Webhook plugin, Integration API version): POST, form-encoded body
`payload=<url-encoded JSON {"events": [...]}>`, header `X-Centra-Signature: t=<unix>,v1=<hex>` with
v1 = HMAC-SHA256(secret, "<t>.<raw body>"). At most 100 events per call, 5 s timeout, 0-3 retries
with growing delay, then the call is dropped (and counted), as Centra does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Centra-Signature"
MAX_EVENTS_PER_CALL = 100


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign(secret: str, timestamp: int, raw_body: bytes | str) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed by the endpoint secret."""
    message = str(int(timestamp)).encode() + b"." + _bytes(raw_body)
    return hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, raw_body: bytes | str) -> str:
    return f"t={int(timestamp)},v1={sign(secret, timestamp, raw_body)}"


def verify(secret: str, header: str, raw_body: bytes | str) -> bool:
    """Check an X-Centra-Signature header against the raw body (constant-time)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    return hmac.compare_digest(sign(secret, int(parts["t"]), raw_body), parts["v1"])


def encode_payload(events: list[dict]) -> bytes:
    """`payload=<url-encoded compact JSON>`, the body Centra posts."""
    document = json.dumps({"events": events}, separators=(",", ":"))
    return b"payload=" + quote(document, safe="").encode("ascii")


@dataclass
class WebhookStats:
    calls_sent: int = 0       # calls answered 2xx
    events_sent: int = 0
    attempts_failed: int = 0  # attempts that failed (each retry counts)
    calls_dropped: int = 0    # calls given up after the last retry
    events_dropped: int = 0
    last_error: str | None = None


@dataclass
class WebhookSender:
    """Sends event batches from a background thread so an `advance` answers at once.

    `flush()` waits until everything queued so far was delivered or dropped."""

    url: str
    secret: str = field(repr=False)
    retries: int = 3
    timeout: float = 5.0
    retry_delay: float = 1.0  # first retry waits this long, then 2x, 4x
    max_events: int = MAX_EVENTS_PER_CALL

    def __post_init__(self):
        if not 0 <= self.retries <= 3:
            raise ValueError("webhook retries must be 0-3 (Centra allows at most 3)")
        self.stats = WebhookStats()
        self._queue: queue.Queue[list[dict] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def send(self, events: list[dict]) -> int:
        """Queue events in calls of at most `max_events`; returns the number of calls queued."""
        calls = 0
        for start in range(0, len(events), self.max_events):
            self._queue.put(events[start:start + self.max_events])
            calls += 1
        return calls

    def flush(self, timeout: float | None = None) -> bool:
        """Block until the queue is drained; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=self.timeout * (self.retries + 1) + 10)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                batch = self._queue.get()
                try:
                    if batch is None:
                        return
                    self._deliver(client, batch)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, batch: list[dict]) -> None:
        body = encode_payload(batch)
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_delay * 2 ** (attempt - 1))
            timestamp = int(time.time())
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       SIGNATURE_HEADER: signature_header(self.secret, timestamp, body)}
            try:
                response = client.post(self.url, content=body, headers=headers)
                if 200 <= response.status_code < 300:
                    self.stats.calls_sent += 1
                    self.stats.events_sent += len(batch)
                    return
                error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            self.stats.attempts_failed += 1
            self.stats.last_error = error
        self.stats.calls_dropped += 1
        self.stats.events_dropped += len(batch)
        log.warning("webhook call with %d events dropped after %d attempts (%s)",
                    len(batch), self.retries + 1, self.stats.last_error)
