"""The webhook receiver: an ASGI app that authenticates Centra's webhook calls and lands them.

Order of work for one call, cheapest refusal first and nothing parsed before it is authenticated:
address allow-list (403), method (405), content type (415), declared size (413), signature header
and timestamp (401), body read with a running count (413, so a chunked body cannot slip past),
HMAC over the raw bytes against every secret (401), form/JSON parse and nesting depth (400: a bad
payload is never a 5xx, which would make Centra deliver it again), atomic landing file (500 if the
disk fails, so Centra retries), 200. It processes nothing: the landing sensor does. Limits on the
connection itself (request line, headers, timeouts, connection counts) are the protocol's
(protocol.py): they act before this app runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .landing import land_call, probe_writable
from .settings import WebhookSettings, address_in, parse_address
from .signature import SIGNATURE_HEADER, SignatureError, check_timestamp, match_secret, parse_signature_header

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Refused(Exception):
    """A call answered with `status` and nothing landed. `reason` goes to the log (never a secret
    or signature); `public` goes to the caller."""

    def __init__(self, status: int, public: str, reason: str | None = None, headers: dict | None = None):
        super().__init__(reason or public)
        self.status = status
        self.public = public
        self.reason = reason or public
        self.headers = headers


def build_app(settings: WebhookSettings) -> Starlette:
    """The receiver app: POST `settings.path` (default /webhooks/centra) and GET /healthz.
    Creates `<landing>/incoming/`. Serve it with uvicorn `proxy_headers=False`: the app decides
    itself which proxies' X-Forwarded-For to believe (`settings.trusted_proxies`)."""
    settings.incoming.mkdir(parents=True, exist_ok=True)

    async def receive_webhook(request: Request) -> JSONResponse:
        peer = request.client.host if request.client else "unknown"
        remote = peer
        try:
            remote = _client_address(request, peer, settings)
            landed = await _accept(request, peer, remote, settings)
        except Refused as refused:
            log.warning("webhook call from %s refused with %d: %s", remote, refused.status, refused.reason)
            return JSONResponse({"error": refused.public}, status_code=refused.status, headers=refused.headers)
        log.debug("webhook call from %s landed as %s", remote, landed)
        return JSONResponse({"landed": landed})

    async def healthz(request: Request) -> JSONResponse:
        # Healthy means a call would land now: the landing folder exists and takes a file.
        try:
            await run_in_threadpool(probe_writable, settings.incoming)
        except OSError as exc:
            log.error("healthz: landing folder %s is not writable: %s", settings.incoming, exc.strerror or exc)
            return JSONResponse({"status": "failing", "reason": f"landing folder not writable: {exc.strerror or exc}"},
                                status_code=503)
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[
        Route(settings.path, receive_webhook, methods=ALL_METHODS),
        Route("/healthz", healthz, methods=["GET"]),
    ])
    app.state.settings = settings
    return app


def _client_address(request: Request, peer: str, settings: WebhookSettings) -> str:
    """The caller's address, checked against the allow-list. X-Forwarded-For counts only when the
    peer is a trusted proxy: then the right-most entry that is not itself a trusted proxy."""
    try:
        address = parse_address(peer)
    except ValueError:
        raise Refused(403, "address not allowed", f"peer address {peer!r} is not an IP address") from None
    forwarded = request.headers.getlist("x-forwarded-for")
    if forwarded and address_in(address, settings.trusted_proxies):
        hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
        try:
            chain = [parse_address(hop) for hop in hops]
        except ValueError:
            raise Refused(403, "address not allowed", f"unparsable X-Forwarded-For from proxy {peer}") from None
        for hop in reversed(chain):
            address = hop
            if not address_in(hop, settings.trusted_proxies):
                break
    if not address_in(address, settings.allow):
        raise Refused(403, "address not allowed", f"address {address} is not in the allow-list")
    return str(address)


async def _accept(request: Request, peer: str, remote: str, settings: WebhookSettings) -> str:
    if request.method != "POST":
        raise Refused(405, "method not allowed", f"method {request.method}", headers={"Allow": "POST"})
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in (FORM, JSON):
        raise Refused(415, f"content type must be {FORM} or {JSON}", f"content type {media_type or 'missing'!r}")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Refused(400, "bad Content-Length", "unparsable Content-Length")
        if int(declared) > settings.max_body_bytes:
            raise Refused(413, "body too large",
                          f"declared body of {int(declared)} bytes over the {settings.max_body_bytes}-byte limit")
    try:
        signature = parse_signature_header(request.headers.get(SIGNATURE_HEADER))
        check_timestamp(signature, settings.clock(), settings.tolerance_seconds)
    except SignatureError as exc:
        raise Refused(401, "signature refused", exc.reason) from None
    received_at = datetime.now(timezone.utc)
    body = await _read_body(request, settings.max_body_bytes)
    try:
        match_secret(signature, body, settings.secrets)
    except SignatureError as exc:
        raise Refused(401, "signature refused", exc.reason) from None
    encoding, payload = _parse_payload(media_type, body, settings.max_json_depth)
    try:
        path = await run_in_threadpool(
            land_call, settings.incoming, received_at=received_at, remote_addr=remote, peer_addr=peer,
            signature_timestamp=signature.timestamp, content_type=content_type,
            user_agent=request.headers.get("user-agent"), body_bytes=len(body),
            body_sha256=hashlib.sha256(body).hexdigest(), encoding=encoding, payload=payload)
    except OSError as exc:
        # Not landed means not acknowledged: a 5xx makes Centra retry (if retries are on).
        raise Refused(500, "could not store the call", f"landing failed: {type(exc).__name__}: {exc.strerror}") from None
    return path.name


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as more than `limit` bytes arrived (whatever the headers said)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, "body too large", f"body over the {limit}-byte limit (stopped reading)")
            chunks.append(chunk)
    except ClientDisconnect:  # gone, or closed by the protocol's body timeout (which answered 408)
        raise Refused(408, "request timeout", f"connection closed after {size} body bytes") from None
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json_object(text: str, max_depth: int) -> dict:
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than the {max_depth}-level limit") from None
    if not isinstance(value, dict):
        raise ValueError("payload is not a JSON object")
    if _depth_over(value, max_depth):
        raise ValueError(f"JSON nested deeper than the {max_depth}-level limit")
    return value


def _depth_over(value: Any, limit: int) -> bool:
    """Whether objects/arrays nest more than `limit` levels (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _parse_payload(media_type: str, body: bytes, max_depth: int) -> tuple[str, dict]:
    """Centra's `payload=<url-encoded JSON>` form, or the JSON object itself; both UTF-8."""
    try:
        if media_type == JSON:
            return "json", _parse_json_object(body.decode("utf-8"), max_depth)
        fields = parse_form(body.decode("ascii"))
        payloads = [value for key, value in fields if key == "payload"]
        if len(payloads) != 1:
            raise ValueError(f"{len(payloads)} payload fields, expected 1")
        return "form", _parse_json_object(payloads[0], max_depth)
    except (ValueError, UnicodeDecodeError) as exc:
        # The message may quote the body (authenticated, not secret); keep log lines short.
        raise Refused(400, "unparsable payload", f"unparsable {media_type} body: {str(exc)[:200]}") from None


def parse_form(text: str) -> list[tuple[str, str]]:
    """The fields of an ASCII `application/x-www-form-urlencoded` body, exactly as
    `parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")` gives them
    (ValueError on a field without `=` or on escapes that are not UTF-8), but ~10x faster on
    Centra's payloads: their JSON is mostly %-escapes, which the standard library decodes one at a
    time in Python (0.7 ms of a 13 KB call, a third of the receiver's CPU)."""
    fields = []
    for field in text.split("&") if text else ():
        name, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"bad form field: {field[:50]!r}")
        fields.append((_unquote_plus(name), _unquote_plus(value)))
    return fields


def _unquote_plus(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    # Each %XX becomes \xXX (backslashes doubled first, so no other escape exists) and the C
    # unicode_escape codec decodes them all at once, to the code points 0-255 of the raw bytes.
    try:
        raw = text.replace("\\", "\\\\").replace("%", "\\x").encode("ascii").decode("unicode_escape")
    except UnicodeDecodeError:  # a % not followed by two hex digits, which the standard library keeps
        return unquote(text, encoding="utf-8", errors="strict")
    return raw.encode("latin-1").decode("utf-8")
