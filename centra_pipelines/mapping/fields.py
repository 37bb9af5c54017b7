"""Centra records into our columns, as the mapping's `fields` section says.

A field is a dotted path into one GraphQL result object ("grandTotal.currency.code"); a missing
or null step gives None. Nested lists (order lines, shipments) are flattened by the caller, one
record per row, and mapped with their own table's section.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from centra_pipelines.mapping.config import Mapping


def map_fields(records: Iterable[dict], table: str, mapping: Mapping) -> pd.DataFrame:
    """One row per record, one column per mapped field (in the mapping's order)."""
    specs = _table(table, mapping)
    paths = [(path.split("."), spec.column) for path, spec in specs.items()]
    rows = [{column: _get(record, steps) for steps, column in paths} for record in records]
    return pd.DataFrame(rows, columns=[column for _, column in paths])


def missing_required_fields(frame: pd.DataFrame, table: str, mapping: Mapping) -> dict[str, int]:
    """Required Centra fields that are absent or null, with how many rows lack them.

    Keyed by Centra field path; a column absent from `frame` counts every row. Empty when complete.
    """
    missing: dict[str, int] = {}
    for path, column in mapping.required_fields(table).items():
        count = len(frame) if column not in frame.columns else int(frame[column].isna().sum())
        if count:
            missing[path] = count
    return missing


def _table(table: str, mapping: Mapping) -> dict:
    try:
        return mapping.fields[table]
    except KeyError:
        raise KeyError(f"the mapping has no fields.{table} section (tables: {', '.join(mapping.fields)})") from None


def _get(record: Any, steps: list[str]) -> Any:
    for step in steps:
        if not isinstance(record, dict):
            return None
        record = record.get(step)
    return record


__all__ = ["map_fields", "missing_required_fields"]
