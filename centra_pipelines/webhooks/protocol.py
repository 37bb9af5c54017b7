"""uvicorn's httptools protocol with the connection limits it lacks, so hostile traffic is refused
before it costs memory or file descriptors.

What uvicorn 0.54 offers (read from its source): `limit_concurrency` (503, but checked only once a
request's headers are complete, so half-sent requests are never counted), `timeout_keep_alive`
(idle time between requests only), and `h11_max_incomplete_event_size` for the slower h11 parser.
Its httptools protocol has no limit on the request line, header size or count, and no timeout for
headers or body: httptools buffers a header value until it ends, so one 200 MB header is held
whole, and a request sent one byte at a time keeps its connection for ever. This subclass adds:

- at connect: a peer already holding `max_connections_per_client`: 503 and close. A worker holding
  `max_connections` drops a connection waiting for a request head (408; see `_Book` for which) to
  admit the new one; only when every connection is in a request is the new one refused (503);
- request line over `max_request_line_bytes`: 414; headers over `max_header_bytes` (counted as the
  bytes arrive, before httptools has finished one) or more than `max_headers`: 431;
- headers not complete `header_timeout_seconds` after the connection or request began, or the
  body not complete `body_timeout_seconds` after the headers: 408 (unless a response has started;
  a connection on which nothing of a request arrived is closed without an answer).

Every refusal answers with `Connection: close` and closes (uvicorn's own `limit_concurrency` is not
used: it would count connections this protocol has already accounted for). Limits come from
`ReceiverConfig.limits`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections import Counter, OrderedDict

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .settings import ConnectionLimits

log = logging.getLogger(__name__)

# After refusing a request still arriving, read and drop up to this much of it before closing, so
# the answer reaches the caller instead of being lost to the reset a close with unread data causes.
LINGER_SECONDS = 2.0
LINGER_BYTES = 4 * 1024 * 1024


class _Book:
    """One server's (one worker's) connections: how many each peer has open, how many are admitted,
    and which are waiting for a request head — the ones dropped to make room when the worker is
    full, so half-sent requests cannot crowd out callers that send. First to go are connections that
    never completed a request (`fresh`), then idle keep-alive ones (`idle`); in each the longest
    waiting first (a trickle of bytes does not renew a place: the wait counts from the connection or
    the last answer)."""

    def __init__(self):
        self.peers: Counter[str] = Counter()
        self.admitted = 0
        self.fresh: OrderedDict[GuardedHttpToolsProtocol, None] = OrderedDict()
        self.idle: OrderedDict[GuardedHttpToolsProtocol, None] = OrderedDict()

    def longest_waiting(self) -> "GuardedHttpToolsProtocol | None":
        for waiting in (self.fresh, self.idle):
            if waiting:
                return next(iter(waiting))
        return None

    def not_waiting(self, protocol: "GuardedHttpToolsProtocol") -> None:
        self.fresh.pop(protocol, None)
        self.idle.pop(protocol, None)


# Tests run several servers in one process: one book per server.
_BOOKS: "weakref.WeakKeyDictionary[object, _Book]" = weakref.WeakKeyDictionary()


class _Refusal(Exception):
    """Raised inside a parser callback to stop parsing; the refusal itself is in `_refusal`."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config, server_state, app_state, _loop=None):
        super().__init__(config, server_state, app_state, _loop)
        self.limits: ConnectionLimits = getattr(config, "limits", None) or ConnectionLimits()
        self._book = _BOOKS.setdefault(server_state, _Book())
        self._peer = "unknown"
        self._admitted = False  # counted in the book
        self._deadline: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str] | None = None  # (status, public text, reason for the log)
        self._lingering = -1  # bytes dropped after a refusal (-1: not refused)
        self._in_head = True  # between the end of one request's headers and the next's
        self._head_bytes = 0  # bytes received while in the head
        self._url_bytes = 0
        self._header_count = 0
        self._header_bytes = 0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        book, limits = self._book, self.limits
        self._peer = self.client[0] if self.client else "unknown"
        if book.peers[self._peer] >= limits.max_connections_per_client:
            self._refuse(503, "too many connections", f"{book.peers[self._peer]} connections open from "
                         f"{self._peer}, the per-caller limit of {limits.max_connections_per_client}")
            return
        if book.admitted >= limits.max_connections:
            oldest = book.longest_waiting()
            if oldest is None:
                self._refuse(503, "too many connections",
                             f"{book.admitted} connections busy, the limit of {limits.max_connections}")
                return
            oldest._refuse(408, "request timeout",
                           f"dropped while waiting for a request: the worker is at its limit of "
                           f"{limits.max_connections} connections")
        book.peers[self._peer] += 1
        book.admitted += 1
        book.fresh[self] = None
        self._admitted = True
        self._arm(limits.header_timeout_seconds, "headers")

    def connection_lost(self, exc) -> None:
        self._disarm()
        self._release()
        super().connection_lost(exc)

    def _release(self) -> None:
        if self._admitted:
            self._admitted = False
            self._book.peers[self._peer] -= 1
            if self._book.peers[self._peer] <= 0:
                del self._book.peers[self._peer]
            self._book.admitted -= 1
            self._book.not_waiting(self)

    def data_received(self, data: bytes) -> None:
        if self._lingering >= 0:
            self._lingering += len(data)
            if self._lingering > LINGER_BYTES:
                self.transport.close()
            return
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
            self._refuse(*self._refusal, linger=True)
            return
        # httptools keeps a header it is still reading in its own buffer: count what arrived.
        if self._in_head and self._head_bytes > self.limits.max_request_line_bytes + self.limits.max_header_bytes:
            self._refuse(431, "request headers too large",
                         f"over {self._head_bytes} bytes of request head without its end", linger=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._admitted and not self.transport.is_closing():
            self._book.idle[self] = None  # until the next request's head arrives

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
        self._book.not_waiting(self)  # a request to answer: no longer dropped for room
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

    def _refuse(self, status: int, public: str, reason: str, *, linger: bool = False) -> None:
        """Answer `status` (unless a response has started) and close the connection; with `linger`,
        after reading and dropping what the caller is still sending (up to LINGER_BYTES/SECONDS)."""
        self._disarm()
        self._release()
        if self.transport.is_closing() or self._lingering >= 0:
            return
        log.warning("connection from %s refused with %d: %s", self._peer, status, reason)
        if status == 408 and self._in_head and self._head_bytes == 0:
            # Nothing of a request arrived: close as at the end of keep-alive, without an answer a
            # client could take for the answer to the request it is just starting to send.
            answer = False
        elif self._in_head:  # between requests: answer unless the previous response is still going out
            answer = self.cycle is None or self.cycle.response_complete
        else:  # inside a request: answer unless the app already has
            answer = self.cycle is not None and not self.cycle.response_started
        if answer:
            body = json.dumps({"error": public}).encode()
            self.transport.write(b"".join([
                STATUS_LINE[status], b"content-type: application/json\r\n",
                b"content-length: ", str(len(body)).encode(), b"\r\n", b"connection: close\r\n\r\n", body]))
        # Lingering holds a descriptor for a while: not when the worker is already full.
        full = len(self.connections) >= self.limits.max_connections
        if linger and answer and not full and self.transport.can_write_eof():
            self.transport.write_eof()
            self._lingering = 0
            self._deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)
            return
        self.transport.close()
