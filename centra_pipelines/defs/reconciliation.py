"""The row-count reconciliation check builder: a windowed table against Centra's counts, per partition.

It covers the partitions of the run it runs in (a partition or a single-run range, from the run's
tags), else the mapping's lookback window ending yesterday. Centra's count for a window is asked with
the same filter the pull uses (`counters`, or a connection's `totalCount`); where the API cannot
filter the window (customers on a strict schema) every row is listed by id pages and counted per day
in memory. A partition whose row count differs from Centra's (quarantined rows count as present:
they are known and have reasons) fails the check with severity ERROR, naming the partition.

Centra keeps changing while a run pulls: an order pulled on page 3 and changed a minute later counts
on today in Centra, while the warehouse keeps it on its old day until the change lands (a webhook
batch, the next incremental run); a new order counts on today before any pull saw it. So both sides
are counted "as of" the pull: Centra's clock at the run's first page (the materialization's
`centra_as_of`; in a run without a pull, Centra's clock as the check starts). Centra counts only the
rows it last changed before then; the warehouse leaves out its rows stamped since, and the rows
Centra changed since (`updatedAt >= as of`: the changes of the run's minutes, listed in the same
request as each count, so at the same moment; a createdAt window needs no list: it never moves a
row). A row last changed before the pull began must be in its day exactly as pulled: a lost page
still fails the check.
"""

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import dagster as dg

from centra_pipelines.centra import CentraClient
from centra_pipelines.centra.pagination import instant
from centra_pipelines.defs.pulls import pull_all
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import (AS_OF_MARGIN, ROW_COUNT, WarehouseCounts, checked_days, date_range,
                                           day_start, mapping_or_fail, reconcile, reconciliation_result)
from centra_pipelines.mapping.orders_rows import utc_day
from centra_pipelines.mapping.timestamps import to_utc_series
from centra_pipelines.warehouse import TableSpec

import pandas as pd


CHANGES_PAGE = 100  # rows changed since "as of" listed with each count (orders allow 1 - 100 a page)
Count = Callable[[CentraClient, dict, dict | None], tuple[int, list[dict]]]


def row_count_check(spec: TableSpec, window_field: str, count: Count,
                    stream: str | None = None) -> dg.AssetChecksDefinition:
    """`count(client, where, changed)`: Centra's count of the rows in `where` and, from the same request,
    the rows in `changed` (`window_field` from a moment; None for createdAt, which never moves a row)."""
    stream = stream or spec.name
    moves = window_field == "updatedAt"  # a change moves the row to a later day; createdAt never changes
    window_column = {"updatedAt": "updated_at", "createdAt": "created_at"}[window_field]

    @dg.asset_check(asset=spec.name, name=ROW_COUNT, blocking=True,
                    description=f"Rows of {spec.name} per daily partition equal Centra's count of {stream} whose "
                                f"{window_field} falls in that UTC day, as of the pull; fails naming the partitions off.")
    def _row_count(context: dg.AssetCheckExecutionContext, centra: CentraResource,
                   warehouse: WarehouseResource) -> dg.AssetCheckResult:
        mapping = mapping_or_fail()
        run = context.op_execution_context.run
        checked = checked_days(run.tags, mapping.sync.lookback_days)
        with centra.get_client() as client, warehouse.connect() as wh:
            wh.ensure_tables([spec])
            as_of = pulled_as_of(context.instance, run.run_id, spec.name) or centra_now(client) - AS_OF_MARGIN
            have = WarehouseCounts(wh, spec, window_column, checked[0], checked[-1], as_of)
            filterable = window_field != "updatedAt" or client.capabilities().plan(stream).updated_at_filter
            changed: set[str] = set()
            if filterable:
                newest = [as_of.isoformat()]  # the latest change seen: the next listing starts there

                def absorb(rows: list[dict]) -> None:
                    for row in rows:
                        changed.add(str(row[spec.key[0]]))
                        if row.get(window_field) and instant(row[window_field]) > instant(newest[0]):
                            newest[0] = row[window_field]

                def compare(days: list[str]) -> tuple[int, int]:
                    start, end = day_start(days[0]), min(day_start(days[-1]) + timedelta(days=1), as_of)
                    if start >= end:  # days after "as of": nothing there is counted on either side
                        return 0, have.stored(days, changed)
                    while True:
                        since = {window_field: {"from": newest[0]}} if moves else None
                        centra_rows, rows = count(client, {window_field: date_range(start, end)}, since)
                        if len(rows) < CHANGES_PAGE:  # every change up to this count is known
                            absorb(rows)
                            return centra_rows, have.stored(days, changed)
                        # More changed than one page: list them all, then count again from the newest.
                        absorb([r for page in client.pages(stream, where=since, limit=CHANGES_PAGE) for r in page.rows])

                mismatches = reconcile(compare, checked)
                mode = f"Centra counts of {stream} by {window_field} window"
            else:
                rows = pull_all(client, stream, limit=mapping.sync.page_size)
                moments = to_utc_series(pd.Series([r.get(window_field) for r in rows], dtype=object),
                                        mapping.store_timezone, errors="coerce")
                later = (moments >= pd.Timestamp(as_of)).tolist()
                changed = {str(r[spec.key[0]]) for r, after in zip(rows, later) if after}
                per_day = utc_day(moments[[not after for after in later]]).value_counts().to_dict()
                mismatches = [{"partition": d, "centra": int(per_day.get(d, 0)), "warehouse": have.stored([d], changed)}
                              for d in checked if int(per_day.get(d, 0)) != have.stored([d], changed)]
                mode = f"every {stream} row listed (no {window_field} filter offered), counted per day"
            context.log.info(f"{spec.name}: {len(checked)} partitions reconciled as of {as_of.isoformat()} "
                             f"({len(changed)} rows changed since), {len(mismatches)} off "
                             f"({client.stats.requests} requests)")
        return reconciliation_result(checked, mismatches, mode, client.stats.requests, as_of, len(changed))

    return _row_count


def pulled_as_of(instance: dg.DagsterInstance, run_id: str, asset: str) -> datetime | None:
    """The `centra_as_of` of this run's pull of `asset` (run_ prefixed on daily assets), if it pulled.

    A range run's figures are on its last partition's materialization, which is stored last: read
    newest first (a range run writes thousands of events; reading them all cost seconds), skipping a
    concurrent run's and this run's without the figure, and stop at events older than this run."""
    run = instance.get_run_record_by_id(run_id)
    started = run.create_timestamp.timestamp() if run else 0.0
    cursor = None
    while True:
        page = instance.fetch_materializations(dg.AssetKey(asset), limit=20, cursor=cursor, ascending=False)
        for record in page.records:
            if record.timestamp < started:
                return None
            if record.run_id != run_id:
                continue
            metadata = record.asset_materialization.metadata
            entry = metadata.get("run_centra_as_of") or metadata.get("centra_as_of")
            if entry is not None:
                return datetime.fromisoformat(entry.value) if entry.value else None
        if not page.has_more:
            return None
        cursor = page.cursor


def centra_now(client: CentraClient) -> datetime:
    """Centra's clock (the `Date` of an answer; a rateLimits reading if the client has none yet), else ours."""
    if client.server_time is None:
        client.read_rate_limits()
    return client.server_time or datetime.now(timezone.utc)
