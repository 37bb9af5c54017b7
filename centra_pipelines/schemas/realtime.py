"""Contracts of the real-time ledgers: landed webhook calls and applied event-queue events."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from centra_pipelines.schemas.catalog import UTC, _Contract

OUTCOMES = ["processed", "duplicate", "rejected"]


class WebhookCalls(_Contract):
    file_name: Series[str] = pa.Field(unique=True, str_matches=r"^\d{8}T\d{6}\.\d{6}Z-.+\.json$")
    outcome: Series[str] = pa.Field(isin=OUTCOMES)
    run_id: Series[str]
    processed_at: Series[UTC]


class CentraEvents(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    object_type: Series[str]
    change_type: Series[str]
    reference: Series[int]
    run_id: Series[str]
    applied_at: Series[UTC]
