"""The quarantine's rows as the checks and reconciliations read them."""

from __future__ import annotations

import pandas as pd

from centra_pipelines.warehouse.engine import Warehouse
from centra_pipelines.warehouse.state import QUARANTINE
from centra_pipelines.warehouse.tables import check_identifier


def quarantined(wh: Warehouse, table: str, *, open_only: bool = False) -> pd.DataFrame:
    """(key, reason, payload) of the table's quarantine rows; with `open_only`, those not yet resolved."""
    still_open = ' AND "resolved_at" IS NULL' if open_only else ""
    return wh.read(f'SELECT "key", "reason", "payload" FROM {wh.table_ref(QUARANTINE)} '
                   f'WHERE "table_name" = {wh.param}{still_open}', (table,))


def open_quarantine_query(wh: Warehouse, table: str) -> str:
    """A query listing the table's open quarantine rows, newest first, written to be read and pasted by
    a person (shown in the Dagster UI): the table is named plainly, its name inline."""
    name = check_identifier(table, "table name")
    return (f"select key, reason, payload, seen_at from {wh.query_ref(QUARANTINE)} "
            f"where table_name = '{name}' and resolved_at is null order by seen_at desc")
