"""uvicorn's httptools protocol with the connection limits it lacks, so hostile traffic is refused
before it costs memory or file descriptors.

What uvicorn 0.54 offers (read from its source): `limit_concurrency` (503, but checked only once a
request's headers are complete, so half-sent requests are never counted), `timeout_keep_alive`
(idle time between requests only), and `h11_max_incomplete_event_size` for the slower h11 parser.
Its httptools protocol has no limit on the request line, header size or count, and no timeout for
headers or body: httptools buffers a header value until it ends, so one 200 MB header is held
whole, and a request sent one byte at a time keeps its connection for ever. This subclass adds:

- at connect: more than `max_connections` open in this worker, or more than
  `max_connections_per_client` from one peer address: 503 and close;
- request line over `max_request_line_bytes`: 414; headers over `max_header_bytes` (counted as the
  bytes arrive, before httptools has finished one) or more than `max_headers`: 431;
- headers not complete `header_timeout_seconds` after the connection or request began, or the
  body not complete `body_timeout_seconds` after the headers: 408 (unless a response has started).

Every refusal answers with `Connection: close` and closes. Limits come from `ReceiverConfig.limits`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections import Counter

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .settings import ConnectionLimits

log = logging.getLogger("centra_pipelines.webhooks.app")

# Open connections per peer address, per server (one uvicorn server per worker; tests run several
# servers in one process, so the count is kept per server).
_PEERS: "weakref.WeakKeyDictionary[object, Counter[str]]" = weakref.WeakKeyDictionary()


class _Refusal(Exception):
    """Raised inside a parser callback to stop parsing; the refusal itself is in `_refusal`."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config, server_state, app_state, _loop=None):
        super().__init__(config, server_state, app_state, _loop)
        self.limits: ConnectionLimits = getattr(config, "limits", None) or ConnectionLimits()
        self._peers = _PEERS.setdefault(server_state, Counter())
        self._peer: str | None = None  # counted in _peers while open
        self._deadline: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str] | None = None  # (status, public text, reason for the log)
        self._in_head = True  # between the end of one request's headers and the next's
        self._head_bytes = 0  # bytes received while in the head
        self._url_bytes = 0
        self._header_count = 0
        self._header_bytes = 0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        peer = self.client[0] if self.client else "unknown"
        self._peer = peer
        self._peers[peer] += 1
        if len(self.connections) > self.limits.max_connections:
            self._refuse(503, "too many connections",
                         f"{len(self.connections)} connections open, over the limit of {self.limits.max_connections}")
        elif self._peers[peer] > self.limits.max_connections_per_client:
            self._refuse(503, "too many connections",
                         f"{self._peers[peer]} connections open from {peer}, over the per-client limit of "
                         f"{self.limits.max_connections_per_client}")
        else:
            self._arm(self.limits.header_timeout_seconds, "headers")

    def connection_lost(self, exc) -> None:
        self._disarm()
        if self._peer is not None:
            self._peers[self._peer] -= 1
            if self._peers[self._peer] <= 0:
                del self._peers[self._peer]
            self._peer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return  # refused: nothing more is parsed
        self._unset_keepalive_if_required()
        if self._in_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # The receiver speaks plain HTTP/1.1; Centra never asks for an upgrade.
            self._refuse(400, "protocol upgrade not supported", "protocol upgrade requested")
            return
        except httptools.HttpParserError as exc:
            if self._refusal is None:
                self._refusal = (400, "invalid HTTP request", f"unparsable HTTP request: {exc}")
            self._refuse(*self._refusal)
            return
        # httptools keeps a header it is still reading in its own buffer: count what arrived.
        if self._in_head and self._head_bytes > self.limits.max_request_line_bytes + self.limits.max_header_bytes:
            self._refuse(431, "request headers too large",
                         f"over {self._head_bytes} bytes of request head without its end")

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._url_bytes = self._header_count = self._header_bytes = 0
        if self._deadline is None:  # a keep-alive connection's next request
            self._arm(self.limits.header_timeout_seconds, "headers")

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)  # called per piece as the target arrives
        if self._url_bytes > self.limits.max_request_line_bytes:
            self._stop(414, "request target too long",
                       f"request target over the {self.limits.max_request_line_bytes}-byte limit")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value)
        if self._header_count > self.limits.max_headers:
            self._stop(431, "too many request headers", f"more than {self.limits.max_headers} headers")
        if self._header_bytes > self.limits.max_header_bytes:
            self._stop(431, "request headers too large",
                       f"headers over the {self.limits.max_header_bytes}-byte limit")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._arm(self.limits.body_timeout_seconds, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head = True
        super().on_message_complete()

    # Refusals

    def _stop(self, status: int, public: str, reason: str) -> None:
        self._refusal = (status, public, reason)
        raise _Refusal(reason)

    def _arm(self, seconds: float, phase: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._timed_out, phase, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self, phase: str, seconds: float) -> None:
        self._deadline = None
        # The app, if it is waiting for the body, sees a disconnect and answers nothing more.
        self._refuse(408, "request timeout", f"request {phase} not received within {seconds:g} s")

    def _refuse(self, status: int, public: str, reason: str) -> None:
        """Answer `status` (unless a response has started) and close the connection."""
        self._disarm()
        if self.transport.is_closing():
            return
        peer = self.client[0] if self.client else "unknown"
        log.warning("connection from %s refused with %d: %s", peer, status, reason)
        if self._in_head:  # between requests: answer unless the previous response is still going out
            answer = self.cycle is None or self.cycle.response_complete
        else:  # inside a request: answer unless the app already has
            answer = self.cycle is not None and not self.cycle.response_started
        if answer:
            body = json.dumps({"error": public}).encode()
            self.transport.write(b"".join([
                STATUS_LINE[status], b"content-type: application/json\r\n",
                b"content-length: ", str(len(body)).encode(), b"\r\n", b"connection: close\r\n\r\n", body]))
        self.transport.close()
