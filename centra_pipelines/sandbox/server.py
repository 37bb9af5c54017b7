"""Run the sandbox Centra in-process: uvicorn in a background thread on a free 127.0.0.1 port.

    with SandboxServer(SandboxConfig(scale="tiny")) as server:
        httpx.post(server.url, json={"query": "{ stores { id } }"},
                   headers={"Authorization": "Bearer sandbox"})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import uvicorn

from ..serving import ThreadedServer
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


class SandboxServer(ThreadedServer):
    """Context manager: starts on enter (blocks until the port answers), stops on exit."""

    thread_name = "sandbox"

    def __init__(self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0):
        super().__init__(host=host, port=port)
        self.config = config or SandboxConfig()
        self.service: SandboxService | None = None

    def server_config(self) -> uvicorn.Config:
        app = build_app(self.config)
        self.service = app.state.service
        # Short graceful shutdown: a `slow` fault may hold a request open far longer than a test.
        return uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1,
                              lifespan="off")

    def closed(self) -> None:
        if self.service is not None:
            self.service.close()

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
