"""Keys and row counts of any synced table: the live ids, and the rows of daily partitions."""

from __future__ import annotations

import pandas as pd

from centra_pipelines.warehouse.engine import Warehouse
from centra_pipelines.warehouse.tables import DELETED_AT, TableSpec, check_identifier


def live_ids(wh: Warehouse, spec: TableSpec) -> set[int]:
    """The ids of the table's rows that are not marked deleted (tables keyed by a Centra id)."""
    frame = wh.read(f'SELECT "id" FROM {wh.table_ref(spec.name)} WHERE "{DELETED_AT}" IS NULL')
    return {int(i) for i in frame["id"]}


def all_keys(wh: Warehouse, spec: TableSpec) -> pd.DataFrame:
    """The key columns of every row, deleted ones included."""
    return wh.read(f"SELECT {_columns(spec.key)} FROM {wh.table_ref(spec.name)}")


def live_keys_in_partitions(wh: Warehouse, spec: TableSpec, first: str, last: str,
                            also: tuple[str, ...] = ()) -> pd.DataFrame:
    """(partition, the columns `also`, key columns…) of the live rows whose partition lies in [first, last]."""
    part, p = _partition(spec), wh.param
    return wh.read(f'SELECT {_columns([part, *also, *spec.key])} FROM {wh.table_ref(spec.name)} '
                   f'WHERE "{DELETED_AT}" IS NULL AND "{part}" >= {p} AND "{part}" <= {p}', (first, last))


def live_rows_per_partition(wh: Warehouse, spec: TableSpec, first: str, last: str) -> dict[str, int]:
    """Live rows per partition in [first, last], counted in the warehouse (partitions without rows absent)."""
    part, p = _partition(spec), wh.param
    frame = wh.read(f'SELECT "{part}" AS partition, count(*) AS n FROM {wh.table_ref(spec.name)} '
                    f'WHERE "{DELETED_AT}" IS NULL AND "{part}" >= {p} AND "{part}" <= {p} GROUP BY "{part}"',
                    (first, last))
    return {str(k): int(n) for k, n in zip(frame["partition"], frame["n"])}


def _partition(spec: TableSpec) -> str:
    if spec.partition is None:
        raise ValueError(f"table {spec.name} has no partition column")
    return spec.partition


def _columns(names) -> str:
    return ", ".join(f'"{check_identifier(c, "column name")}"' for c in names)
