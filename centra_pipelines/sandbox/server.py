"""Run the sandbox Centra in-process: uvicorn in a background thread on a free 127.0.0.1 port.

    with SandboxServer(SandboxConfig(scale="tiny")) as server:
        httpx.post(server.url, json={"query": "{ stores { id } }"},
                   headers={"Authorization": "Bearer sandbox"})
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import uvicorn

from .app import SandboxService, build_app
from .auth import Token
from .faults import FaultPlan
from .ratelimit import Tier


@dataclass
class SandboxConfig:
    """Everything a sandbox is started with. `tokens=None` means the default token `sandbox` with
    every permission; `tier` is a name (growth, enhanced, off) or a `Tier`."""

    seed: int = 7
    scale: str = "small"
    strict: bool = False
    drop_fields: tuple[str, ...] = ()  # members left out of the served schema, e.g. ("Order.isOnHold",)
    tokens: tuple[Token, ...] | None = None
    tier: str | Tier | None = "growth"
    time_scale: float = 1.0
    faults: str | FaultPlan | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_retries: int = 3
    webhook_timeout: float = 5.0
    webhook_retry_delay: float = 1.0
    retry_after_format: str = "seconds"
    neighbour: float = 0.0
    now: datetime | None = None
    bad_rows: float = 0.0  # share (0..1) of the rows of each kind served spoiled (sandbox/spoil.py)


class SandboxServer:
    """Context manager: starts on enter (blocks until the port answers), stops on exit."""

    def __init__(self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.config = config or SandboxConfig()
        self.host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.service: SandboxService | None = None
        self.startup_seconds: float | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "SandboxServer":
        started = time.perf_counter()
        app = build_app(self.config)
        self.service = app.state.service
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        # Short graceful shutdown: a `slow` fault may hold a request open far longer than a test.
        config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1,
                                lifespan="off", date_header=False)  # Date: the sandbox clock (app.py)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"sandbox-{self._port}", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("sandbox server failed to start (see the log above)")
            time.sleep(0.01)
        self.startup_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.service is not None:
            self.service.close()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- addresses ------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/graphql"

    # --- state and control (in-process, same effect as the /_sandbox/ endpoints) ----------------
    @property
    def sandbox(self):
        return self.service.sandbox

    @property
    def limiter(self):
        return self.service.limiter

    def set_faults(self, spec: str | FaultPlan | None) -> FaultPlan:
        return self.service.set_faults(spec)

    def requests(self) -> list[dict]:
        return self.service.requests()

    def reset_log(self) -> None:
        self.service.reset_log()

    def truth(self) -> dict:
        return self.service.truth()

    def advance(self, minutes: int) -> list[dict]:
        return self.service.advance(minutes)

    def flush_webhooks(self, timeout: float | None = 30.0) -> bool:
        """Wait until every queued webhook call was delivered or dropped (True if nothing pending)."""
        if self.service.webhooks is None:
            return True
        return self.service.webhooks.flush(timeout)

    @property
    def webhook_stats(self):
        return None if self.service.webhooks is None else self.service.webhooks.stats
