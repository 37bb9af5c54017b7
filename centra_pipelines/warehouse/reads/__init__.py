"""Named reads the pipelines make of the warehouse, one module per subject (plain Python, no Dagster).

Every query here runs unchanged on DuckDB and PostgreSQL. Table and column names come from the table
specs (`warehouse/model`, `warehouse/state.py`); every value is a bound parameter, a list of values
one array parameter (`any_of`).
"""

from __future__ import annotations

from centra_pipelines.warehouse.engine import Warehouse


def any_of(wh: Warehouse, sql_type: str) -> str:
    """The right side of `column = …` matching any value of one bound list parameter."""
    return f"ANY(CAST({wh.param} AS {sql_type}[]))"
