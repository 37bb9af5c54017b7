"""An inter-process lock on a file, with a timeout.

DuckDB lets one process at a time open a database file for writing; a second process that tries
fails at once with "Could not set lock on file". We serialise our own processes instead: each
one takes an exclusive ``flock`` on ``<database>.lock`` before opening the database and releases
it after closing it, so concurrent Dagster steps queue for the file rather than crash.
``flock`` locks belong to the open file description, so two Warehouse objects in one process
also exclude each other, and the kernel drops the lock when a process dies.

A program that is not ours (a DuckDB shell, a notebook) holds DuckDB's own lock instead;
`duckdb_lock_holder` reads who from DuckDB's error, so the message can name it.
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from centra_pipelines.warehouse.errors import WarehouseLockTimeout

_POLL_SECONDS = 0.05
DUCKDB_ADVICE = ("DuckDB allows one writer process at a time; run DuckDB steps one at a time (Dagster pool "
                 "with limit 1), raise lock_timeout, or use PostgreSQL for concurrent writers.")
# DuckDB: 'Could not set lock on file "…": Conflicting lock is held in /usr/bin/duckdb (PID 4242) by user ann.'
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+?))?\.?(?:\s|$)")


def duckdb_lock_holder(message: str) -> str | None:
    """`program (pid N, user U)` from DuckDB's lock-conflict error text, None if it names none."""
    match = _DUCKDB_HOLDER.search(message)
    if match is None:
        return None
    user = f", user {match['user']}" if match["user"] else ""
    return f"{match['program']} (pid {match['pid']}{user})"


class FileLock:
    """An exclusive lock on `path`, waited for up to `timeout` seconds (0: not at all); the
    WarehouseLockTimeout names `what` it protects, the process holding it and `advice`."""

    def __init__(self, path: Path, timeout: float, *, what: str, advice: str = DUCKDB_ADVICE) -> None:
        self.path = path
        self.timeout = timeout
        self.what = what
        self.advice = advice
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    waited = f"Timed out after {self.timeout:g} s waiting for" if self.timeout > 0 else "Cannot take"
                    raise WarehouseLockTimeout(
                        f"{waited} the lock {self.path} on {self.what}: another process ({holder}) is using it. "
                        f"{self.advice}"
                    ) from None
                time.sleep(_POLL_SECONDS)
        # Record who holds the lock so that a waiter's timeout message can name it.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {_now()}".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        text = ""
    return text or "holder unknown"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
