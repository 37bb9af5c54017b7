"""The sandbox Centra over HTTP: a Starlette app serving POST /graphql like Centra, plus control
endpoints under /_sandbox/ that are not part of Centra's API (advance time, ground truth, request
log, live fault plan, health).

Order of work for one /graphql request: draw the fault (a proxy or network fault happens before
Centra sees the request), authenticate (401), charge the request and mutation buckets (429),
execute, charge the complexity, answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, OperationType, parse
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .auth import AuthError, TokenRegistry
from .faults import Fault, FaultInjector, FaultPlan
from .ratelimit import RateLimiter, retry_after_value
from .state import Sandbox
from .webhooks import WebhookSender

if TYPE_CHECKING:
    from .server import SandboxConfig

APP_VERSION = "v1.60.0"
REQUEST_LOG_SIZE = 100_000  # bounded so long benchmarks keep flat memory


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class ConnectionDropped(Exception):
    """Raised after the status line is sent: uvicorn then closes the socket mid-response."""


class _HideDroppedConnections(logging.Filter):
    # A `reset` fault is deliberate; uvicorn would log it as an application crash.
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


_filter_installed = False


def _install_log_filter() -> None:
    global _filter_installed
    if not _filter_installed:
        logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())
        _filter_installed = True


@lru_cache(maxsize=512)
def _operation(query: str, operation_name: str | None) -> tuple[bool, str | None]:
    """(is_mutation, operation name) without executing: the mutation bucket is charged first."""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return False, operation_name
    operations = [d for d in document.definitions if hasattr(d, "operation")]
    chosen = None
    for op in operations:
        name = op.name.value if op.name else None
        if operation_name is None or name == operation_name:
            chosen = op
            break
    if chosen is None:
        return False, operation_name
    return chosen.operation is OperationType.MUTATION, (chosen.name.value if chosen.name else operation_name)


def _error_body(message: str, category: str) -> dict:
    return {"errors": [{"message": message, "extensions": {"category": category}}]}


class SandboxService:
    """Everything one running sandbox holds: the Sandbox state and its HTTP-side machinery."""

    def __init__(self, config: "SandboxConfig"):
        self.config = config
        self.sandbox = Sandbox(seed=config.seed, scale=config.scale, strict=config.strict, now=config.now,
                               drop_fields=config.drop_fields, bad_rows=config.bad_rows)
        self.tokens = TokenRegistry(config.tokens)
        self.limiter = RateLimiter(config.tier, time_scale=config.time_scale, neighbour=config.neighbour)
        plan = config.faults if isinstance(config.faults, FaultPlan) else FaultPlan.parse(config.faults, seed=config.seed)
        self.faults = FaultInjector(plan)
        self.retry_after_format = config.retry_after_format
        retry_after_value(1, config.retry_after_format)  # validate early
        self.webhooks: WebhookSender | None = None
        if config.webhook_url and config.webhook_secret:
            self.webhooks = WebhookSender(config.webhook_url, config.webhook_secret, retries=config.webhook_retries,
                                          timeout=config.webhook_timeout, retry_delay=config.webhook_retry_delay)
        self._lock = threading.Lock()  # Sandbox state is not thread-safe; one operation at a time
        self._log: deque[dict] = deque(maxlen=REQUEST_LOG_SIZE)
        self._seq = 0
        self._log_lock = threading.Lock()

    # --- request log -------------------------------------------------------------------------
    def record(self, *, token: str | None, operation: str | None, variables: Any, status: int,
               complexity: int | None = None, fault: str | None = None) -> None:
        with self._log_lock:
            self._seq += 1
            self._log.append({"seq": self._seq, "time": datetime.now(timezone.utc).isoformat(),
                              "token": token, "operation": operation, "variables": variables,
                              "status": status, "complexity": complexity, "fault": fault})

    def requests(self) -> list[dict]:
        with self._log_lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # --- state operations (also used by SandboxServer directly) -------------------------------
    def execute(self, query: str, variables: dict | None, token, operation_name: str | None):
        with self._lock:
            return self.sandbox.execute(query, variables, permissions=token.permissions,
                                        integration=token.integration, operation_name=operation_name,
                                        rate_limits=self.limiter.snapshot)

    def advance(self, minutes: int) -> list[dict]:
        with self._lock:
            events = self.sandbox.advance(minutes)
        if self.webhooks is not None and events:
            self.webhooks.send(events)
        return events

    def truth(self) -> dict:
        with self._lock:
            return self.sandbox.truth()

    def set_faults(self, spec: str | FaultPlan | None) -> FaultPlan:
        plan = spec if isinstance(spec, FaultPlan) else FaultPlan.parse(spec, seed=self.config.seed)
        self.faults.set_plan(plan)
        return plan

    def close(self) -> None:
        if self.webhooks is not None:
            self.webhooks.close()

    # --- fault responses ----------------------------------------------------------------------
    def _retry_after(self, wait: float) -> dict[str, str]:
        return {"Retry-After": retry_after_value(wait, self.retry_after_format)}

    async def _fault_response(self, fault: Fault) -> Response | None:
        kind = fault.kind
        if kind == "reset":
            self.record(token=None, operation=None, variables=None, status=0, fault=kind)
            return _DropConnectionResponse()
        if kind in ("5xx", "fail_at"):
            self.record(token=None, operation=None, variables=None, status=fault.status, fault=kind)
            return PlainTextResponse(f"{fault.status} upstream error (sandbox fault)", status_code=fault.status)
        if kind == "429":
            self.record(token=None, operation=None, variables=None, status=429, fault=kind)
            # A storm answers before the buckets are consulted: ask for one (scaled) second.
            wait = 1.0 / self.limiter.time_scale
            return JSONResponse(_error_body("Too many requests.", "rate-limit"), status_code=429,
                                headers=self._retry_after(wait))
        if kind == "nonjson":
            self.record(token=None, operation=None, variables=None, status=200, fault=kind)
            return HTMLResponse("<html><head><title>Service Unavailable</title></head>"
                                "<body><h1>Service temporarily unavailable</h1></body></html>")
        if kind == "slow":
            await asyncio.sleep(self.faults.plan.slow_seconds)
        return None

    # --- POST /graphql ------------------------------------------------------------------------
    async def graphql(self, request: Request) -> Response:
        fault = self.faults.next()
        response = await self._fault_response(fault)
        if response is not None:
            return response
        try:
            body = json.loads(await request.body())
            query = body["query"]
            if not isinstance(query, str):
                raise TypeError
            variables = body.get("variables") or None
            operation_name = body.get("operationName") or None
            if variables is not None and not isinstance(variables, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            self.record(token=None, operation=None, variables=None, status=400, fault=fault.kind)
            return JSONResponse(_error_body("Request body must be JSON {query, variables?, operationName?}.",
                                            "graphql"), status_code=400)
        is_mutation, operation = _operation(query, operation_name)
        try:
            token = self.tokens.authenticate(TokenRegistry.credential(request.headers, request.cookies),
                                             self.sandbox.now, first_expired=fault.expired)
        except AuthError as exc:
            self.record(token=None, operation=operation, variables=variables, status=401, fault=fault.kind)
            return JSONResponse(_error_body(exc.reason, "authentication"), status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        refusal = self.limiter.admit(is_mutation)
        if refusal is not None:
            self.record(token=token.name, operation=operation, variables=variables, status=429, fault=fault.kind)
            message = f"Rate limit exceeded: {refusal.type} per {refusal.interval}."
            return JSONResponse(_error_body(message, "rate-limit"), status_code=429,
                                headers=self._retry_after(refusal.wait_seconds))
        outcome = await run_in_threadpool(self.execute, query, variables, token, operation_name)
        self.limiter.charge_complexity(outcome.complexity)
        payload: dict[str, Any] = {"data": outcome.data}
        if outcome.errors:
            payload["errors"] = outcome.errors
        payload["extensions"] = {"complexity": outcome.complexity, "permissionsUsed": outcome.permissions_used,
                                 "appVersion": APP_VERSION}
        content = _dumps(payload)
        if fault.kind == "truncate":
            content = content[: max(1, len(content) // 2)]
        self.record(token=token.name, operation=operation, variables=variables, status=200,
                    complexity=outcome.complexity, fault=fault.kind)
        return Response(content, media_type="application/json")


class _DropConnectionResponse(Response):
    def __init__(self):
        super().__init__()

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"data":{', "more_body": True})
        raise ConnectionDropped("sandbox fault: connection reset")


def build_app(config: "SandboxConfig") -> Starlette:
    """A Starlette app for one sandbox; `app.state.service` is its SandboxService."""
    _install_log_filter()
    service = SandboxService(config)
    app = Starlette(routes=[Route("/graphql", service.graphql, methods=["POST"]), *_control_routes(service, config)])
    app.state.service = service
    return app


def _json(value: Any) -> Response:
    return Response(_dumps(value), media_type="application/json")


def _control_routes(service: SandboxService, config: "SandboxConfig") -> list[Route]:
    """The /_sandbox/ endpoints: not part of Centra's API."""

    async def advance(request: Request) -> Response:
        try:
            minutes = int((await request.json())["minutes"])
            if minutes < 0:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'body must be {"minutes": N} with N >= 0'}, status_code=400)
        events = await run_in_threadpool(service.advance, minutes)
        return _json({"now": service.sandbox.now.isoformat(), "events": events})

    async def truth(request: Request) -> Response:
        return _json(await run_in_threadpool(service.truth))

    async def requests_log(request: Request) -> Response:
        return _json({"requests": service.requests()})

    async def reset_log(request: Request) -> Response:
        service.reset_log()
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                plan = service.set_faults((await request.json()).get("spec") or None)
            except (ValueError, AttributeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        else:
            plan = service.faults.plan
        return JSONResponse({"spec": plan.spec()})

    async def webhooks(request: Request) -> Response:
        if service.webhooks is None:
            return JSONResponse({"configured": False})
        return JSONResponse({"configured": True, **vars(service.webhooks.stats)})

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "seed": config.seed, "scale": config.scale,
                             "strict": config.strict, "drop_fields": list(config.drop_fields),
                             "now": service.sandbox.now.isoformat(),
                             "appVersion": APP_VERSION})

    return [
        Route("/_sandbox/advance", advance, methods=["POST"]),
        Route("/_sandbox/truth", truth, methods=["GET"]),
        Route("/_sandbox/requests", requests_log, methods=["GET"]),
        Route("/_sandbox/reset-log", reset_log, methods=["POST"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
        Route("/_sandbox/webhooks", webhooks, methods=["GET"]),
        Route("/_sandbox/health", health, methods=["GET"]),
    ]
