"""Serving an ASGI app with uvicorn, the one way the sandbox Centra and the webhook receiver share.

`ThreadedServer` runs an app in-process, in a background thread on a free 127.0.0.1 port (tests,
benchmarks, `sync` and `ui` starting a sandbox); `standalone` is the `python -m <package>.cli ...`
entry of a serve command. Neither knows either app: the receiver does not depend on the sandbox.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from typing import Callable

import uvicorn


class ThreadedServer:
    """Context manager: starts on enter (blocks until the port answers), stops on exit.

    A subclass says what it serves in `server_config()` (called in `start()`, so building the app
    counts towards `startup_seconds`) and may release what it holds in `closed()`."""

    thread_name = "server"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.startup_seconds: float | None = None

    def server_config(self) -> uvicorn.Config:
        raise NotImplementedError

    def closed(self) -> None:
        """Called after the server thread ended."""

    def start(self):
        started = time.perf_counter()
        config = self.server_config()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"{self.thread_name}-{self._port}", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"{self.thread_name} failed to start (see the log above)")
            time.sleep(0.01)
        self.startup_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.closed()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"


def standalone(add_commands: Callable[[argparse._SubParsersAction], None], argv: list[str] | None = None) -> int:
    """Run one package's commands without the rest of `centra-pipelines` (`python -m <package>.cli ...`)."""
    parser = argparse.ArgumentParser(prog="centra-pipelines")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)
