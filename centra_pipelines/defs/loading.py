"""The one path from Centra pages to the warehouse: contract, upsert, quarantine, cursor — one transaction.

Every asset that writes synced rows goes through `StreamWriter.write`: each table's frame is
checked against its pandera contract, the good rows are upserted, the bad rows go to quarantine
with their reasons, and the stream's cursor is saved in the same transaction, so a killed run
resumes at the first page that did not commit, with nothing written twice and nothing skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from datetime import datetime, timezone

import pandas as pd

from centra_pipelines.centra.resume import SavedCursor
from centra_pipelines.warehouse import TableSpec, UpsertResult, Warehouse
from centra_pipelines.warehouse.contract import apply_contract
from centra_pipelines.warehouse.reads.quarantine import open_quarantine_query

FIRST_FAILURES = 10  # failure cases kept per table for check metadata
# Columns that name a row to a person in Centra's admin, shown beside the key in failure cases.
LABEL_COLUMNS = ("number", "order_number", "sku", "product_number")


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


class StreamWriter:
    """Writes the pages of one stream (and partition) to its tables, with the stream's cursor."""

    def __init__(self, warehouse: Warehouse, stream: str, partition: str | None, tables: list[TableSpec]):
        self.warehouse = warehouse
        self.stream = stream
        self.partition = partition
        self.tables = {t.name: t for t in tables}
        self.totals = {t.name: TableTotals(quarantine_query=open_quarantine_query(warehouse, t.name)) for t in tables}
        self.pages = 0
        warehouse.ensure_tables(tables)

    def cursor(self) -> SavedCursor | None:
        """What the stream's last committed page saved for this partition (None: nothing yet)."""
        saved = self.warehouse.load_cursor(self.stream, self.partition)
        return SavedCursor.decode(saved) if saved is not None else None

    def write(self, frames: dict[str, pd.DataFrame], cursors: dict[str, SavedCursor] | None = None,
              deleted: dict[str, list] | None = None) -> None:
        """One page: every table's rows, the keys Centra deleted (by table: `deleted_at` is set, nothing is
        hard-deleted) and the cursors (by stream name) commit together or not at all."""
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
            for name, keys in (deleted or {}).items():
                if keys:
                    tx.mark_deleted(self.tables[name], keys, datetime.now(timezone.utc))
            for stream, saved in (cursors or {}).items():
                tx.save_cursor(stream, self.partition, saved.encode())
        # Counted only once the transaction committed.
        self.pages += 1
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
