"""The landing folder seen from the processing side: which files wait, what a file says, where it goes.

The receiver (centra_pipelines/webhooks) writes `<landing>/incoming/<receivedAt>-<uuid>.json`
atomically; once a run has committed what a file led to, the file is moved (one rename, atomic) to
`processed/` or, with a `<name>.reason` file next to it, to `rejected/`. Plain Python, no Dagster.
"""

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from centra_pipelines.defs.realtime.refetch import WEBHOOK_IGNORED, WEBHOOK_KINDS
from centra_pipelines.webhooks.landing import NAME_TIME_FORMAT, fsync_directory, write_atomically

LANDING_ENV = "CENTRA_WEBHOOK_LANDING"
DEFAULT_LANDING = "data/webhooks"
INCOMING, PROCESSED, REJECTED = "incoming", "processed", "rejected"


def landing_dir(configured: str | os.PathLike | None = None) -> Path:
    """The landing folder: as configured, else CENTRA_WEBHOOK_LANDING, else ./data/webhooks (absolute)."""
    return Path(configured or os.environ.get(LANDING_ENV) or DEFAULT_LANDING).absolute()


def waiting(landing: Path) -> list[str]:
    """Names of the landed files in `incoming/`, in receive order. Listing only (no stat, no read):
    temporary files start with '.' and do not end in '.json'."""
    try:
        with os.scandir(landing / INCOMING) as entries:
            names = [e.name for e in entries if e.name.endswith(".json") and not e.name.startswith(".")]
    except FileNotFoundError:
        return []
    names.sort()
    return names


def stamp(moment: datetime) -> str:
    """A moment as the receive-time prefix of landed names (compares as strings in time order)."""
    return moment.astimezone(timezone.utc).strftime(NAME_TIME_FORMAT)


def age_cutoff(now: datetime, seconds: float) -> datetime:
    return now - timedelta(seconds=seconds)


@dataclass
class Call:
    """One landed webhook call as the run sees it. `reason` set: the file is rejected."""

    name: str
    body_sha256: str | None = None
    received_at: str | None = None
    events: list[dict] = field(default_factory=list)
    refs: list[tuple[str, int]] = field(default_factory=list)  # (kind, reference) to re-fetch
    ignored: int = 0  # events of types left to the scheduled syncs
    reason: str | None = None


def read_call(path: Path) -> Call:
    """Parse a landed file. Anything that is not a receiver record with a list of well-formed events
    is rejected with the reason; an unknown event type rejects the call too (Centra's type vocabulary
    is not fully documented: a new type should be looked at, not dropped)."""
    call = Call(path.name)
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        call.reason = f"unreadable landing file: {type(error).__name__}"
        return call
    if not isinstance(record, dict) or record.get("format") != 1:
        call.reason = "not a landing record of format 1"
        return call
    call.body_sha256, call.received_at = record.get("body_sha256"), record.get("received_at")
    if not isinstance(call.body_sha256, str) or len(call.body_sha256) != 64:
        call.reason = "landing record without body_sha256"
        return call
    events = (record.get("payload") or {}).get("events") if isinstance(record.get("payload"), dict) else None
    if not isinstance(events, list) or not events:
        call.reason = "payload has no events list"
        return call
    for position, event in enumerate(events):
        kind_name = event.get("type") if isinstance(event, dict) else None
        reference = event.get("id") if isinstance(event, dict) else None
        if isinstance(reference, str) and reference.isdigit():
            reference = int(reference)
        if not isinstance(kind_name, str) or isinstance(reference, bool) or not isinstance(reference, int):
            call.reason = f"event {position}: needs a string type and an integer id"
            return call
        if kind_name in WEBHOOK_IGNORED:
            call.ignored += 1
        elif kind_name in WEBHOOK_KINDS:
            call.refs.append((WEBHOOK_KINDS[kind_name], reference))
        else:
            call.reason = f"event {position}: unknown event type {kind_name[:40]!r}"
            return call
    call.events = events
    return call


def settled_where(landing: Path, name: str) -> str | None:
    """Where a file of an earlier run went (processed/rejected), or None."""
    for outcome in (PROCESSED, REJECTED):
        if (landing / outcome / name).exists():
            return outcome
    return None


def move(landing: Path, name: str, outcome: str, reason: str | None = None, run_id: str | None = None) -> None:
    """Move a file out of incoming/ (one atomic rename); a rejected file gets `<name>.reason` first.
    A file already moved (a re-run after a crash between commit and move) is left where it is."""
    target = landing / outcome
    target.mkdir(parents=True, exist_ok=True)
    if reason is not None:
        note = {"file": name, "reason": reason, "run_id": run_id,
                "rejected_at": datetime.now(timezone.utc).isoformat()}
        write_atomically(target, f"{name}.reason", json.dumps(note).encode() + b"\n")
    try:
        os.replace(landing / INCOMING / name, target / name)
    except FileNotFoundError:
        if settled_where(landing, name) is None:
            raise
        return
    fsync_directory(target)
