"""Ledgers of what the webhook and event-queue runs applied (defs/realtime).

Written in the transaction of the rows a call or event led to, so "in the ledger" means "applied":
a redelivered call (same body) or event (same id) is recognised and not applied twice.
"""

from centra_pipelines.warehouse.tables import Column, TableSpec

OUTCOMES = ["processed", "duplicate", "rejected"]

WEBHOOK_CALLS = TableSpec("webhook_calls", key="file_name", columns={
    "file_name": Column("text", "Landing file of the call (<receivedAt>-<uuid>.json).",
                                unique=True, str_matches=r"^\d{8}T\d{6}\.\d{6}Z-.+\.json$"),
    "body_sha256": Column("text", "SHA-256 of the raw body: a redelivered call is recognised by it."),
    "received_at": Column("timestamptz", "When the receiver accepted the call (UTC)."),
    "outcome": Column("text", "What processing did: processed, duplicate or rejected.", isin=OUTCOMES),
    "reason": Column("text", "Why a call was rejected."),
    "events": Column("json", "The Centra events the call carried."),
    "run_id": Column("text", "Dagster run that processed the call.", nullable=False),
    "processed_at": Column("timestamptz", "When it was processed (UTC).", nullable=False),
})

CENTRA_EVENTS = TableSpec("centra_events", key="id", columns={
    "id": Column("bigint", "Centra event id (the event queue's).", gt=0, unique=True),
    "object_type": Column("text", "Type of the changed object (Order, Customer, Product…).", nullable=False),
    "change_type": Column("text", "CREATED, UPDATED or DELETED.", nullable=False),
    "reference": Column("bigint", "Id of the changed object.", nullable=False),
    "created_at": Column("timestamptz", "When Centra recorded the event (UTC)."),
    "run_id": Column("text", "Dagster run that applied the event.", nullable=False),
    "applied_at": Column("timestamptz", "When it was applied (UTC).", nullable=False),
})
