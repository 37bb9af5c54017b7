"""Reads of the webhook and event ledgers: what was already applied."""

from __future__ import annotations

from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.engine import Warehouse
from centra_pipelines.warehouse.reads import any_of


def processed_bodies(wh: Warehouse, body_hashes: list[str]) -> set[str]:
    """Those of these webhook body hashes (SHA-256) whose call was already processed."""
    if not body_hashes:
        return set()
    frame = wh.read(f"SELECT body_sha256 FROM {wh.table_ref(model.WEBHOOK_CALLS.name)} "
                    f"WHERE outcome = 'processed' AND body_sha256 = {any_of(wh, 'TEXT')}", (list(body_hashes),))
    return set(frame["body_sha256"])


def recorded_events(wh: Warehouse, event_ids: list[int]) -> set[int]:
    """Those of these Centra event ids already in the event ledger."""
    if not event_ids:
        return set()
    frame = wh.read(f"SELECT id FROM {wh.table_ref(model.CENTRA_EVENTS.name)} WHERE id = {any_of(wh, 'BIGINT')}",
                    ([int(i) for i in event_ids],))
    return {int(i) for i in frame["id"]}
