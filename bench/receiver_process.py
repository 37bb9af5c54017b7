"""One way for the benchmarks to start a webhook receiver as its own process and wait until it
answers /healthz (used by webhook_flood.py, receiver_abuse.py and realtime_during_backfill.py)."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path


def start_receiver(landing: Path, port: int, secret: str, workers: int = 1,
                   fd_limit: int | None = None) -> subprocess.Popen:
    def limit_fds():
        resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "centra_pipelines.cli", "webhooks", "serve", "--port", str(port),
         "--landing", str(landing), "--workers", str(workers)],
        env={**os.environ, "CENTRA_WEBHOOK_SECRET": secret}, preexec_fn=limit_fds if fd_limit else None,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"receiver exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    time.sleep(1.0 if workers > 1 else 0)  # let every worker finish importing
                    return process
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("receiver did not start")
