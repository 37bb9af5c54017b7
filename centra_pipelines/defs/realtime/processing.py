"""Applying webhook batches and event-queue batches: re-fetch, one warehouse commit, then acknowledge.

Both paths write the re-fetched rows and their ledger rows (`webhook_calls` / `centra_events`) with
ONE `StreamWriter.write`, i.e. one transaction; only after it committed are the files moved or the
events confirmed. A crash in between leaves the files in incoming/ or the events in Centra's queue;
the next run finds them in the ledger (same body hash / same event id), skips the re-fetch and just
finishes the acknowledgement: redelivery is harmless, and nothing is lost.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from centra_pipelines.centra import CentraClient
from centra_pipelines.centra.events import Event, EventQueue
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.realtime import landing as files
from centra_pipelines.defs.realtime.refetch import DATA_TABLES, EVENT_KINDS, Touched, refetch
from centra_pipelines.mapping import Mapping
from centra_pipelines.warehouse import TableSpec, Warehouse, model
from centra_pipelines.warehouse.model import CENTRA_EVENTS, WEBHOOK_CALLS
from centra_pipelines.warehouse.reads import ledgers

EVENT_BATCH = 200  # Centra: events(limit) in 1 - 200

AfterCommit = Callable[[], None]


def writer_for(wh: Warehouse, ledger: TableSpec) -> StreamWriter:
    """The writer of a real-time run: the data tables the scheduled syncs write, plus the ledger."""
    return StreamWriter(wh, ledger.name, None, [*DATA_TABLES, ledger])


def _now() -> pd.Timestamp:
    return pd.Timestamp(datetime.now(timezone.utc))


# --- webhook batches ----------------------------------------------------------------------------

@dataclass
class BatchOutcome:
    processed: int = 0  # applied in this run
    duplicates: int = 0  # same body as a call applied before (or earlier in the batch)
    rejected: int = 0
    already_settled: int = 0  # moved by an earlier run of the same batch
    missing: int = 0  # named by the run config, in no folder
    ignored_events: int = 0
    touched: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, int]:
        return {"calls_processed": self.processed, "calls_duplicate": self.duplicates,
                "calls_rejected": self.rejected, "calls_already_settled": self.already_settled,
                "calls_missing": self.missing, "events_ignored": self.ignored_events,
                **{f"refetched_{k}": v for k, v in self.touched.items()}}


def process_batch(client: CentraClient, writer: StreamWriter, landing: Path, names: list[str], mapping: Mapping,
                  run_id: str, log, after_commit: AfterCommit | None = None) -> BatchOutcome:
    """Apply the landed calls `names` (from `landing/incoming`), then move each file."""
    wh = writer.warehouse
    outcome = BatchOutcome()
    calls: list[files.Call] = []
    for name in dict.fromkeys(names):  # a name listed twice is one file
        if (landing / files.INCOMING / name).exists():
            calls.append(files.read_call(landing / files.INCOMING / name))
        elif files.settled_where(landing, name):
            outcome.already_settled += 1
        else:
            outcome.missing += 1
            log.warning(f"webhook file {name} is in no landing folder; skipped")
    hashes = sorted({c.body_sha256 for c in calls if c.reason is None})
    seen = ledgers.processed_bodies(wh, hashes)
    touched = Touched()
    verdicts: list[tuple[files.Call, str]] = []
    for call in calls:
        if call.reason is not None:
            verdicts.append((call, files.REJECTED))
            outcome.rejected += 1
            log.warning(f"webhook file {call.name} rejected: {call.reason}")
        elif call.body_sha256 in seen:
            verdicts.append((call, "duplicate"))
            outcome.duplicates += 1
        else:
            seen.add(call.body_sha256)
            verdicts.append((call, "processed"))
            outcome.processed += 1
            outcome.ignored_events += call.ignored
            for kind, reference in call.refs:
                touched.add(kind, reference)
    outcome.touched = touched.counts()
    if verdicts:
        frames = refetch(client, wh, touched, mapping) if touched else {}
        now = _now()
        frames[WEBHOOK_CALLS.name] = pd.DataFrame([{
            "file_name": call.name, "body_sha256": call.body_sha256,
            "received_at": pd.Timestamp(call.received_at) if call.received_at else None, "outcome": verdict,
            "reason": call.reason, "events": call.events, "run_id": run_id, "processed_at": now,
        } for call, verdict in verdicts], columns=list(model.WEBHOOK_CALLS.columns))
        writer.write(frames)
        if after_commit is not None:
            after_commit()
        for call, verdict in verdicts:
            files.move(landing, call.name, files.REJECTED if verdict == files.REJECTED else files.PROCESSED,
                       reason=call.reason, run_id=run_id)
    log.info(f"webhook batch of {len(names)} files: {outcome.as_metadata()}")
    return outcome


# --- the event queue ----------------------------------------------------------------------------

@dataclass
class EventsOutcome:
    batches: int = 0
    applied: int = 0  # events whose objects were re-fetched and written
    redelivered: int = 0  # already in the ledger (committed before a crash): confirmed only
    touched: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, int]:
        return {"event_batches": self.batches, "events_applied": self.applied,
                "events_redelivered": self.redelivered, **{f"refetched_{k}": v for k, v in self.touched.items()}}


def consume_events(client: CentraClient, writer: StreamWriter, queue: EventQueue, object_types: list[str],
                   mapping: Mapping, run_id: str, log, *, max_batches: int = 50,
                   after_commit: AfterCommit | None = None) -> EventsOutcome:
    """Pull batches of queued events, apply each batch in one commit, then confirm it."""
    wh = writer.warehouse
    outcome = EventsOutcome()
    totals: dict[str, int] = {}
    while outcome.batches < max_batches and (events := queue.pull(object_types, EVENT_BATCH)):
        outcome.batches += 1
        known = ledgers.recorded_events(wh, [e.id for e in events])
        fresh = [e for e in events if e.id not in known]
        if fresh:
            touched = Touched()
            for e in fresh:
                if e.change_type != "DELETED":  # a deleted object cannot be re-fetched
                    touched.add(EVENT_KINDS[e.object_type], e.reference)
            for kind, count in touched.counts().items():
                totals[kind] = totals.get(kind, 0) + count
            frames = refetch(client, wh, touched, mapping) if touched else {}
            frames[CENTRA_EVENTS.name] = _event_ledger(fresh, run_id)
            writer.write(frames)
        if after_commit is not None:
            after_commit()
        queue.confirm(events)  # only now: the warehouse holds what they led to
        outcome.applied += len(fresh)
        outcome.redelivered += len(events) - len(fresh)
        log.info(f"event queue: {len(fresh)} events applied, {len(events) - len(fresh)} redelivered, confirmed")
    outcome.touched = totals
    return outcome


def _event_ledger(events: list[Event], run_id: str) -> pd.DataFrame:
    now = _now()
    return pd.DataFrame([{"id": e.id, "object_type": e.object_type, "change_type": e.change_type,
                          "reference": e.reference, "created_at": e.created_at, "run_id": run_id,
                          "applied_at": now} for e in events], columns=list(model.CENTRA_EVENTS.columns))
