"""The one path from Centra pages to the warehouse: contract, upsert, quarantine, cursor — one transaction.

Every asset that writes synced rows goes through `StreamWriter.write`: each table's frame is
checked against its pandera contract, the good rows are upserted, the bad rows go to quarantine
with their reasons, and the stream's cursor is saved in the same transaction, so a killed run
resumes at the first page that did not commit, with nothing written twice and nothing skipped.

A paged stream's pages are held and committed several at a time (`more=True`): each commit has a
fixed cost (a contract run per table, a staging table, an upsert, the cursor) that a page of 21
orders or 200 stock rows paid alone. Held pages commit together once they hold HOLD_ROWS rows or
the first of them has waited HOLD_SECONDS, with the last page, and before a page that repeats a key
they hold (a row changed during the pull) or deletes rows, so that every page is checked and written
exactly as on its own. A pull stopped by an error commits its held pages first (`paging`); only a killed process
loses them, at most HOLD_SECONDS of pages, which it fetches again: the saved cursor is the last
committed page's.
"""

from __future__ import annotations

import json
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from centra_pipelines.centra.resume import SavedCursor
from centra_pipelines.warehouse import TableSpec, UpsertResult, Warehouse
from centra_pipelines.warehouse.contract import apply_contract
from centra_pipelines.warehouse.reads.quarantine import open_quarantine_query

FIRST_FAILURES = 10  # failure cases kept per table for check metadata
# Columns that name a row to a person in Centra's admin, shown beside the key in failure cases.
LABEL_COLUMNS = ("number", "order_number", "sku", "product_number")
# Held pages commit once they hold this many rows (all tables), or their first has waited this long:
# the seconds bound what a killed run fetches again, the rows bound memory.
HOLD_ROWS = 5000
HOLD_SECONDS = 3.0


@dataclass
class TableTotals:
    received: int = 0
    upserted: UpsertResult = field(default_factory=lambda: UpsertResult(0, 0, 0))
    quarantined: int = 0
    resolved: int = 0  # quarantine rows a valid version of the row resolved
    first_failures: list[dict] = field(default_factory=list)
    rule_counts: Counter[str] = field(default_factory=Counter)
    quarantine_query: str = ""  # a query that lists this table's open quarantine rows
    # by daily partition (tables with a `partition` column): rows received and quarantined per day
    received_by_partition: Counter = field(default_factory=Counter)
    quarantined_by_partition: Counter = field(default_factory=Counter)

    def as_metadata(self) -> dict[str, int]:
        return {"received": self.received, "inserted": self.upserted.inserted, "updated": self.upserted.updated,
                "skipped_stale": self.upserted.skipped_stale, "quarantined": self.quarantined,
                "quarantine_resolved": self.resolved}


def _payload(row: pd.Series) -> dict[str, Any]:
    return json.loads(row.drop(labels=["_reason"]).to_json(date_format="iso"))


def _keys(frame: pd.DataFrame, spec: TableSpec) -> list[tuple]:
    return list(frame[list(spec.key)].itertuples(index=False, name=None))


def _key_set(frame: pd.DataFrame, spec: TableSpec) -> set[tuple]:
    """The page's keys, a missing value as None (so that two rows without a key count as repeated, as the
    contract's uniqueness rule counts them)."""
    if not set(spec.key) <= set(frame.columns):
        return set()
    columns = [[None if missing else value for value, missing in zip(frame[k].tolist(), frame[k].isna().tolist())]
               for k in spec.key]
    return set(zip(*columns))


@dataclass
class _Held:
    """Pages written with `more=True` and not committed yet."""
    frames: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    keys: dict[str, set[tuple]] = field(default_factory=dict)
    cursors: dict[str, SavedCursor] = field(default_factory=dict)
    deleted: dict[str, list] = field(default_factory=dict)
    pages: int = 0
    rows: int = 0
    since: float = 0.0

    def add(self, frames: dict[str, pd.DataFrame], keys: dict[str, set[tuple]],
            cursors: dict[str, SavedCursor] | None, deleted: dict[str, list] | None) -> None:
        if not self.pages:
            self.since = time.monotonic()
        for name, frame in frames.items():
            self.frames.setdefault(name, []).append(frame)
            self.keys.setdefault(name, set()).update(keys[name])
            self.rows += len(frame)
        self.cursors.update(cursors or {})  # a later page's cursor supersedes an earlier one's
        for name, gone in (deleted or {}).items():
            self.deleted.setdefault(name, []).extend(gone)
        self.pages += 1

    def frame(self, name: str) -> pd.DataFrame:
        parts = self.frames[name]
        rows = [f for f in parts if not f.empty]
        if len(rows) <= 1:
            return rows[0] if rows else parts[0]
        with warnings.catch_warnings():
            # pandas warns that an all-missing column of one page will some day set the joined
            # column's dtype; the contract coerces every column to its declared type after this anyway
            warnings.filterwarnings("ignore", category=FutureWarning, message=".*empty or all-NA entries.*")
            return pd.concat(rows, ignore_index=True)


class StreamWriter:
    """Writes the pages of one stream (and partition) to its tables, with the stream's cursor."""

    def __init__(self, warehouse: Warehouse, stream: str, partition: str | None, tables: list[TableSpec]):
        self.warehouse = warehouse
        self.stream = stream
        self.partition = partition
        self.tables = {t.name: t for t in tables}
        self.totals = {t.name: TableTotals(quarantine_query=open_quarantine_query(warehouse, t.name)) for t in tables}
        self.pages = 0  # pages committed
        self._held = _Held()
        warehouse.ensure_tables(tables)

    def cursor(self) -> SavedCursor | None:
        """What the stream's last committed page saved for this partition (None: nothing yet)."""
        saved = self.warehouse.load_cursor(self.stream, self.partition)
        return SavedCursor.decode(saved) if saved is not None else None

    def write(self, frames: dict[str, pd.DataFrame], cursors: dict[str, SavedCursor] | None = None,
              deleted: dict[str, list] | None = None, *, more: bool = False) -> bool:
        """One page: every table's rows, the keys Centra deleted (by table: `deleted_at` is set, nothing is
        hard-deleted) and the cursors (by stream name) commit together or not at all. `more`: pages of
        this stream follow, so the page may be held and committed with them (see the module's doc).
        True when this call committed (the page and any held before it)."""
        keys = {name: _key_set(frame, self.tables[name]) for name, frame in frames.items()}
        deletes = any(deleted.values()) if deleted else False
        if deletes or any(keys[name] & self._held.keys.get(name, set()) for name in frames):
            # a key seen again, or deletions (applied after a commit's upserts): what is held commits
            # first, and a page with deletions commits at once, each as it would alone
            self.flush()
        self._held.add(frames, keys, cursors, deleted)
        if more and not deletes and self._held.rows < HOLD_ROWS and time.monotonic() - self._held.since < HOLD_SECONDS:
            return False
        self.flush()
        return True

    @contextmanager
    def paging(self) -> Iterator[None]:
        """Around a paged stream's loop: when the pull stops on an error (Centra away, a bad answer, the
        run terminated), the pages held so far commit before the error goes on, so that only a killed
        process fetches pages again."""
        try:
            yield
        except BaseException as error:
            try:
                self.flush()
            except Exception as failed:  # the pull's own error is the one to raise
                error.add_note(f"The {self.stream} pages held before it were not committed either: {failed}")
            raise
        self.flush()

    def flush(self) -> None:
        """Commit the held pages (nothing if none): before reading back what they hold."""
        held, self._held = self._held, _Held()
        if held.pages:
            self._commit({name: held.frame(name) for name in held.frames}, held.cursors, held.deleted, held.pages)

    def _commit(self, frames: dict[str, pd.DataFrame], cursors: dict[str, SavedCursor],
                deleted: dict[str, list], pages: int) -> None:
        outcomes = {name: apply_contract(self.tables[name], frame) for name, frame in frames.items()}
        results: dict[str, UpsertResult] = {}
        resolved: dict[str, int] = {}
        with self.warehouse.transaction() as tx:
            for name, outcome in outcomes.items():
                spec = self.tables[name]
                valid = outcome.valid[[c for c in spec.columns if c in outcome.valid.columns]]
                results[name] = tx.upsert(spec, valid) if not valid.empty else UpsertResult(0, 0, 0)
                # A valid version of a quarantined row loaded: its quarantine rows are resolved.
                resolved[name] = tx.resolve_quarantine(name, _keys(valid, spec)) if not valid.empty else 0
                if outcome.rejected_count:
                    tx.quarantine(name, [
                        (key, row["_reason"], _payload(row))
                        for key, (_, row) in zip(_keys(outcome.rejected, spec), outcome.rejected.iterrows())
                    ])
            for name, keys in deleted.items():
                if keys:
                    tx.mark_deleted(self.tables[name], keys, datetime.now(timezone.utc))
            for stream, saved in cursors.items():
                tx.save_cursor(stream, self.partition, saved.encode())
        # Counted only once the transaction committed.
        self.pages += pages
        for name, outcome in outcomes.items():
            totals = self.totals[name]
            totals.received += len(frames[name])
            totals.upserted = totals.upserted + results[name]
            totals.quarantined += outcome.rejected_count
            totals.resolved += resolved[name]
            totals.rule_counts.update(outcome.rule_counts())
            if "partition" in frames[name].columns:
                totals.received_by_partition.update(frames[name]["partition"].dropna())
                if outcome.rejected_count and "partition" in outcome.rejected.columns:
                    totals.quarantined_by_partition.update(outcome.rejected["partition"].dropna())
            room = FIRST_FAILURES - len(totals.first_failures)
            if room > 0 and outcome.rejected_count:
                spec = self.tables[name]
                ids = list(dict.fromkeys([*spec.key, *(c for c in LABEL_COLUMNS if c in spec.columns)]))
                totals.first_failures.extend(outcome.first_failures(room, ids))
