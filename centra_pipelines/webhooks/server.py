"""Run the receiver in-process: uvicorn in a background thread on a free 127.0.0.1 port, for tests
and benchmarks.

    with ReceiverServer(WebhookSettings(landing=tmp_path, secrets=("s3cret",))) as receiver:
        httpx.post(receiver.url, content=body, headers={...})
"""

from __future__ import annotations

import uvicorn

from ..serving import ThreadedServer
from .app import build_app
from .protocol import GuardedHttpToolsProtocol
from .settings import ConnectionLimits, WebhookSettings


class ReceiverConfig(uvicorn.Config):
    """uvicorn's Config carrying the receiver's connection limits to its protocol (it is pickled to
    `--workers` processes with them)."""

    def __init__(self, app, *, limits: ConnectionLimits, **options):
        super().__init__(app, **options)
        self.limits = limits


def uvicorn_config(app, limits: ConnectionLimits, **options) -> ReceiverConfig:
    """The one uvicorn configuration for the receiver. proxy_headers=False: uvicorn would otherwise
    rewrite the client address from X-Forwarded-For for 127.0.0.1 peers, behind the allow-list's back.
    The httptools protocol with the receiver's limits (protocol.py); no WebSocket upgrades."""
    options.setdefault("log_level", "warning")
    return ReceiverConfig(app, limits=limits, http=GuardedHttpToolsProtocol, ws="none", proxy_headers=False,
                          server_header=False, access_log=False, lifespan="off", timeout_graceful_shutdown=1,
                          **options)


class ReceiverServer(ThreadedServer):
    """Context manager: starts on enter (blocks until the port answers), stops on exit."""

    thread_name = "webhook-receiver"

    def __init__(self, settings: WebhookSettings, *, host: str = "127.0.0.1", port: int = 0):
        super().__init__(host=host, port=port)
        self.settings = settings

    def server_config(self) -> ReceiverConfig:
        return uvicorn_config(build_app(self.settings), self.settings.limits)

    @property
    def url(self) -> str:
        """The webhook URL to configure in Centra (or the sandbox's `webhook_url`)."""
        return f"{self.base_url}{self.settings.path}"
