"""Rows for the tests of warehouse/reads: stored through the ordinary upsert and delete paths."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from centra_pipelines.warehouse import TableSpec, Warehouse

T0 = "2026-03-01T10:00:00Z"
DELETED = datetime(2026, 3, 2, tzinfo=timezone.utc)


def store(wh: Warehouse, spec: TableSpec, rows: list[dict], deleted: list = ()) -> None:
    """Upsert `rows` into the spec's table (created if missing), then mark the keys `deleted` as deleted."""
    wh.ensure_tables([spec])
    frame = pd.DataFrame(rows)
    if spec.updated_at and spec.updated_at not in frame.columns:
        frame[spec.updated_at] = T0
    with wh.transaction() as tx:
        tx.upsert(spec, frame)
        if deleted:
            tx.mark_deleted(spec, deleted, DELETED)
