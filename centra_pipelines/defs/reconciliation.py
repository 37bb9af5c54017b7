"""The row-count reconciliation check builder: a windowed table against Centra's counts, per partition.

It covers the partitions of the run it runs in (a partition or a single-run range, from the run's
tags), else the mapping's lookback window ending yesterday. Centra's count for a window is asked with
the same filter the pull uses (`counters`, or a connection's `totalCount`); where the API cannot
filter the window (customers on a strict schema) every row is listed by id pages and counted per day
in memory. A partition with fewer rows than Centra counts (quarantined rows count as present: they
are known and have reasons) fails the check with severity ERROR, naming the partition.
"""

from collections.abc import Callable

import dagster as dg

from centra_pipelines.centra import CentraClient
from centra_pipelines.defs.pulls import pull_all
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import (ROW_COUNT, checked_days, date_range, mapping_or_fail, reconcile,
                                           reconciliation_result, warehouse_counts)
from centra_pipelines.mapping.orders_rows import utc_day
from centra_pipelines.mapping.timestamps import to_utc_series
from centra_pipelines.warehouse import TableSpec

import pandas as pd


def row_count_check(spec: TableSpec, window_field: str, count: Callable[[CentraClient, dict], int],
                    stream: str | None = None) -> dg.AssetChecksDefinition:
    stream = stream or spec.name

    @dg.asset_check(asset=spec.name, name=ROW_COUNT, blocking=True,
                    description=f"Rows of {spec.name} per daily partition equal Centra's count of {stream} whose "
                                f"{window_field} falls in that UTC day; fails naming the partitions short.")
    def _row_count(context: dg.AssetCheckExecutionContext, centra: CentraResource,
                   warehouse: WarehouseResource) -> dg.AssetCheckResult:
        mapping = mapping_or_fail()
        checked = checked_days(context.op_execution_context.run.tags, mapping.sync.lookback_days)
        with centra.get_client() as client, warehouse.connect() as wh:
            wh.ensure_tables([spec])
            have = warehouse_counts(wh, spec, checked[0], checked[-1])
            filterable = window_field != "updatedAt" or client.capabilities().plan(stream).updated_at_filter
            if filterable:
                mismatches = reconcile(lambda s, e: count(client, {window_field: date_range(s, e)}), have, checked)
                mode = f"Centra counts of {stream} by {window_field} window"
            else:
                rows = pull_all(client, stream, limit=mapping.sync.page_size)
                moments = to_utc_series(pd.Series([r.get(window_field) for r in rows], dtype=object),
                                        mapping.store_timezone, errors="coerce")
                per_day = utc_day(moments).value_counts().to_dict()
                mismatches = [{"partition": d, "centra": int(per_day.get(d, 0)), "warehouse": have.get(d, 0)}
                              for d in checked if int(per_day.get(d, 0)) != have.get(d, 0)]
                mode = f"every {stream} row listed (no {window_field} filter offered), counted per day"
            context.log.info(f"{spec.name}: {len(checked)} partitions reconciled, {len(mismatches)} off "
                             f"({client.stats.requests} requests)")
        return reconciliation_result(checked, mismatches, mode, client.stats.requests)

    return _row_count
