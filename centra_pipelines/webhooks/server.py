"""Run the receiver in-process: uvicorn in a background thread on a free 127.0.0.1 port, for tests
and benchmarks.

    with ReceiverServer(WebhookSettings(landing=tmp_path, secrets=("s3cret",))) as receiver:
        httpx.post(receiver.url, content=body, headers={...})
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

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


class ReceiverServer:
    """Context manager: starts on enter (blocks until the port answers), stops on exit."""

    def __init__(self, settings: WebhookSettings, *, host: str = "127.0.0.1", port: int = 0):
        self.settings = settings
        self.host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "ReceiverServer":
        app = build_app(self.settings)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(app, self.settings.limits))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"webhook-receiver-{self._port}", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("webhook receiver failed to start (see the log above)")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> "ReceiverServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def url(self) -> str:
        """The webhook URL to configure in Centra (or the sandbox's `webhook_url`)."""
        return f"{self.base_url}{self.settings.path}"
