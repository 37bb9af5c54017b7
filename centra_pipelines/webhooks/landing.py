"""Landing files: one accepted webhook call per file in `<landing>/incoming/`.

Name `<receivedAt>-<uuid>.json`, receivedAt as `YYYYMMDDTHHMMSS.ffffffZ` (UTC, fixed width, so name
order is receive order). Written atomically: a hidden temporary name in the same directory, write,
fsync, rename, fsync the directory — a reader sees a whole file or none, and an answered call
survives a power cut. Temporary names start with `.` and do not end in `.json`, so a reader
listing `*.json` never picks one up.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

LANDING_FORMAT = 1
NAME_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def landing_name(received_at: datetime) -> str:
    stamp = received_at.astimezone(timezone.utc).strftime(NAME_TIME_FORMAT)
    return f"{stamp}-{uuid.uuid4().hex}.json"


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` to `directory/name` so it appears whole or not at all, and durably."""
    final = directory / name
    temporary = directory / f".{name}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(directory)
    return final


def fsync_directory(directory: Path) -> None:
    """Makes a rename into `directory` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def probe_writable(directory: Path) -> None:
    """Raises OSError unless a file can be created (and removed) in `directory` now."""
    probe = directory / f".healthz-{uuid.uuid4().hex}.tmp"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        os.write(fd, b"ok")
    finally:
        os.close(fd)
        probe.unlink(missing_ok=True)


def land_call(incoming: Path, *, received_at: datetime, remote_addr: str, peer_addr: str,
              signature_timestamp: int, content_type: str, user_agent: str | None, body_bytes: int,
              body_sha256: str, encoding: str, payload: Any) -> Path:
    """Write one accepted call; returns its path. The record holds what the processing run and an
    operator need, and nothing secret (no signature, no secret, no other headers)."""
    record = {
        "format": LANDING_FORMAT,
        "received_at": received_at.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "remote_addr": remote_addr,
        "peer_addr": peer_addr,
        "signature_timestamp": signature_timestamp,
        "content_type": content_type,
        "user_agent": user_agent,
        "body_bytes": body_bytes,
        "body_sha256": body_sha256,  # same delivery retried = same hash (the timestamp differs)
        "encoding": encoding,
        "payload": payload,
    }
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    return write_atomically(incoming, landing_name(received_at), data)
