"""Daily change windows: the partitions of customers, orders and returns, and the one windowed pull.

Partition `2026-03-01` holds what Centra changed that UTC day. A run covers one partition or a range
of them (single-run backfills), pulled as ONE window [first day 00:00Z, last day + 1 00:00Z), minus
`lookback_days` at the start so late updates of recent windows are re-read; each row lands in the
partition of its own change day. Every page commits with its cursor (keyed by the run's window), so
a failed run re-executed resumes at its next page; a finished window re-run pulls it afresh. An
incremental run (tagged WINDOW_TAG=SINCE_LAST_PULL) starts instead where the stream's completed
pulls left off (`Coverage`), when they cover its window's start.

Where the API filters the window (orders: `updatedAt`, confirmed; customers: `updatedAt`, only where
introspection finds the unconfirmed filter; returns: `createdAt`) the filter is sent; where it does
not (customers on a strict schema), every customer is pulled by id pages and the window is applied
in memory.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import dagster as dg
import pandas as pd
from pydantic import Field

from centra_pipelines.centra import CentraClient
from centra_pipelines.centra.resume import SavedCursor, resume
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.mapping import Mapping, load_mapping
from centra_pipelines.mapping.timestamps import to_utc_series
from centra_pipelines.warehouse import TableSpec
from centra_pipelines.warehouse.reads import keys, quarantine

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=load_mapping().sync.initial_import_start.isoformat(), timezone="UTC",
    end_offset=1)  # today's window is a partition too: the incremental schedules sync it while it fills
BACKFILL = dg.BackfillPolicy.single_run()


class WindowConfig(dg.Config):
    """Lookback for late changes: days before the run's first partition that are re-read (None: the mapping's
    sync.lookback_days)."""

    lookback_days: int | None = Field(default=None, ge=0, le=90, description="Days re-read before the window")


#: A run tagged WINDOW_TAG=SINCE_LAST_PULL (`sync`'s re-runs, the incremental schedules) starts each stream
#: windowed by updatedAt where its earlier pulls left off when they cover the window's start; any other
#: run (a backfill, the lookback schedule), and returns (by createdAt), re-read the whole window and lookback.
WINDOW_TAG, SINCE_LAST_PULL = "centra/window", "since_last_pull"


def mapping_or_fail() -> Mapping:
    """The mapping (CENTRA_MAPPING_FILE over the defaults), validated before any request."""
    from centra_pipelines.mapping import MappingError

    try:
        return load_mapping()
    except MappingError as error:
        raise dg.Failure(description=str(error)) from None


def run_window(context: dg.AssetExecutionContext, lookback_days: int) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the partition or partition range this run materializes, its start moved
    back `lookback_days` so that late updates of recent windows are re-read."""
    window = context.partition_time_window
    start = window.start.astimezone(timezone.utc) - timedelta(days=lookback_days)
    return start, window.end.astimezone(timezone.utc)


@contextmanager
def window_run(context: dg.AssetExecutionContext, config: WindowConfig, centra, warehouse, stream: str,
               tables: list[TableSpec], window_field: str = "updatedAt") -> Iterator[
                   tuple[Mapping, datetime, datetime, CentraClient, object, StreamWriter]]:
    """What every daily stream's run starts with: the mapping, its window [start, end) (the config's
    lookback, else the mapping's), a Centra client, a warehouse connection and the stream's writer
    (its cursors keyed by the window). A run tagged to continue from the last pull does so for a window
    by `updatedAt` only: a row's `createdAt` never moves, so its later changes are only seen by re-reads."""
    mapping = mapping_or_fail()
    start, end = run_window(context, mapping.sync.lookback_days if config.lookback_days is None
                            else config.lookback_days)
    with centra.get_client() as client, warehouse.connect() as wh:
        if window_field == "updatedAt" and context.run.tags.get(WINDOW_TAG) == SINCE_LAST_PULL:
            covered = Coverage.load(wh, stream)
            # a window wholly inside the coverage (a past range tagged by hand) is re-read whole
            if covered is not None and covered.start <= start < covered.end < end:
                context.log.info(f"{stream}: earlier pulls cover {covered.start.isoformat()} .. "
                                 f"{covered.end.isoformat()}: this one starts at its end")
                start = covered.end
        yield mapping, start, end, client, wh, StreamWriter(wh, stream, f"{start.date()}..{end.date()}", tables)


def date_range(start: datetime, end: datetime) -> dict[str, str]:
    """A DateRange for [start, end): Centra's bounds are inclusive and its times whole seconds."""
    return {"from": start.isoformat(), "to": (end - timedelta(seconds=1)).isoformat()}


def days(start: datetime, end: datetime) -> list[str]:
    out, day = [], start
    while day < end:
        out.append(day.strftime("%Y-%m-%d"))
        day += timedelta(days=1)
    return out


# How far before Centra's `Date` of its first answer a pull's "as of" is put: clock skew between
# Centra's web and database servers, and a change committed while that answer was in flight.
AS_OF_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class Coverage:
    """[start, end) of `updatedAt` that a stream's completed pulls cover: every row whose value lies
    there is in the warehouse as Centra has it now. A pull covers its window up to its `as_of` (a row
    changed after that moved past it), so pulls that overlap or touch cover their union; of two apart
    the later is kept, the one an incremental run continues from. Kept in sync_state as the pseudo
    stream "<stream>/covered"."""

    start: datetime
    end: datetime

    @staticmethod
    def load(wh, stream: str) -> "Coverage | None":
        text = wh.load_cursor(f"{stream}/covered")
        if text is None:
            return None
        data = json.loads(text)
        return Coverage(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]))

    def joined(self, other: "Coverage | None") -> "Coverage":
        if other is None or other.end < self.start or self.end < other.start:
            return self if other is None or self.end >= other.end else other
        return Coverage(min(self.start, other.start), max(self.end, other.end))

    @staticmethod
    def record(wh, stream: str, start: datetime, end: datetime, as_of: str) -> None:
        """Add a completed pull of [start, end) whose first answer came at `as_of` (nothing if unknown)."""
        if not as_of or datetime.fromisoformat(as_of) <= start:
            return
        pulled = Coverage(start, min(end, datetime.fromisoformat(as_of))).joined(Coverage.load(wh, stream))
        with wh.transaction() as tx:
            tx.save_cursor(f"{stream}/covered", None,
                           json.dumps({"start": pulled.start.isoformat(), "end": pulled.end.isoformat()}))


@dataclass
class WindowPull:
    rows: int = 0
    pages: int = 0
    filtered_in_memory: bool = False
    gaps: dict[str, set[str]] = field(default_factory=dict)
    # Centra's clock (ISO) at the pull's first answer less AS_OF_MARGIN: every row Centra last changed
    # before it was pulled as it is now (defs/reconciliation.py checks exactly that). "" if unknown.
    as_of: str = ""


def pull_window(context, client: CentraClient, writer: StreamWriter, stream: str, window_field: str,
                start: datetime, end: datetime, flatten: Callable[[list[dict]], dict[str, pd.DataFrame]],
                *, page_size: int, timezone_name: str,
                on_page: Callable[[list[dict], dict[str, pd.DataFrame]], None] | None = None) -> WindowPull:
    """Pull [start, end) of `stream` by `window_field` into the writer's tables, page by page."""
    plan = client.capabilities().plan(stream)
    server_filter = window_field != "updatedAt" or plan.updated_at_filter
    where = {window_field: date_range(start, end)} if server_filter else None
    # A finished window re-run pulls it afresh: its rows may have changed within the window.
    at = resume(writer.cursor(), plan.mode, context.log, incremental=False)
    context.log.info(f"{stream}: window {start.isoformat()} .. {end.isoformat()} by {window_field}, {plan.mode} "
                     f"mode, {'filtered by Centra' if server_filter else 'every row pulled, filtered in memory'}; "
                     f"{at.describe()}")
    result = WindowPull(filtered_in_memory=not server_filter)
    with writer.paging():
        for page in client.pages(stream, cursor=at.cursor, where=where, limit=page_size):
            rows = page.rows if server_filter else in_window(page.rows, window_field, start, end, timezone_name)
            frames = flatten(rows)
            result.rows += len(rows)
            result.pages += 1
            if result.pages == 1 and page.server_time is not None:
                result.as_of = (page.server_time - AS_OF_MARGIN).isoformat()
            if writer.write(frames, {stream: SavedCursor(page.cursor)}, more=not page.done):
                context.log.info(f"{stream}: page {page.number} committed, {result.rows} rows in the window so far")
            if on_page is not None:
                on_page(rows, frames)
    if window_field == "updatedAt":
        Coverage.record(writer.warehouse, stream, start, end, result.as_of)
    return result


def in_window(rows: list[dict], window_field: str, start: datetime, end: datetime, timezone_name: str) -> list[dict]:
    moments = to_utc_series(pd.Series([r.get(window_field) for r in rows], dtype=object), timezone_name,
                            errors="coerce")
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    return [r for r, m in zip(rows, moments) if not pd.isna(m) and lo <= m < hi]


# --- row-count reconciliation ----------------------------------------------------------------

ROW_COUNT = "row_count_reconciliation"
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def checked_days(tags: dict[str, str], lookback_days: int, today: datetime | None = None) -> list[str]:
    """The partitions a reconciliation covers: the run's partition or range, else the lookback window."""
    if tags.get(RANGE_START):
        first, last = tags[RANGE_START], tags[RANGE_END]
    elif tags.get("dagster/partition"):
        first = last = tags["dagster/partition"]
    else:
        today = (today or datetime.now(timezone.utc)).replace(hour=0, minute=0, second=0, microsecond=0)
        first = (today - timedelta(days=lookback_days + 1)).strftime("%Y-%m-%d")
        last = (today - timedelta(days=1)).strftime("%Y-%m-%d")
    start = datetime.fromisoformat(first).replace(tzinfo=timezone.utc)
    end = datetime.fromisoformat(last).replace(tzinfo=timezone.utc) + timedelta(days=1)
    return days(start, end)


def day_start(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)


class WarehouseCounts:
    """Rows per partition in [first, last] as of `as_of`: live rows whose window column (updated_at,
    created_at) is before it, plus quarantined rows (known, with reasons) that have no live row;
    `stored(days, changed)` leaves out the rows whose key is in `changed` as well."""

    def __init__(self, wh, spec: TableSpec, window_column: str, first: str, last: str, as_of: datetime):
        key = spec.key
        live = keys.live_keys_in_partitions(wh, spec, first, last, also=(window_column,))
        if len(live):
            live = live[~(pd.to_datetime(live[window_column], utc=True) >= pd.Timestamp(as_of))]
        rows = list(zip(live["partition"].astype(str), live[list(key)].astype(str).agg("|".join, axis=1))) \
            if len(live) else []
        held = quarantine.quarantined(wh, spec.name)
        if len(held):
            present = set(keys.all_keys(wh, spec).astype(str).agg("|".join, axis=1))
            for row in held.itertuples():
                payload = row.payload if isinstance(row.payload, dict) else {}
                day = payload.get("partition")
                if row.key not in present and isinstance(day, str) and first <= day <= last:
                    rows.append((day, row.key))
        self.by_day: dict[str, int] = {}
        self.day_of: dict[str, str] = {}
        for day, row_key in rows:
            self.by_day[day] = self.by_day.get(day, 0) + 1
            self.day_of[row_key] = day

    def stored(self, days: list[str], changed: set[str] | frozenset[str] = frozenset()) -> int:
        span = set(days)
        return sum(self.by_day.get(d, 0) for d in days) - sum(1 for k in changed if self.day_of.get(k) in span)


def reconcile(compare: Callable[[list[str]], tuple[int, int]], checked: list[str]) -> list[dict]:
    """Days whose warehouse count differs from Centra's count for the same window; `compare(days)` gives
    (Centra's count, the warehouse's) for a run of consecutive days.

    Bisection: a range whose totals agree is not split further (one request covers it); a range
    that disagrees is halved down to single days, so k bad days cost about 2·k·log2(n) counts.
    (Errors that cancel out within one range — a row missing on one day and a stale copy counted
    on another — pass unnoticed; a missing row alone never does.)
    """
    mismatches: list[dict] = []

    def visit(lo: int, hi: int) -> None:
        centra, stored = compare(checked[lo:hi])
        if centra == stored:
            return
        if hi - lo == 1:
            mismatches.append({"partition": checked[lo], "centra": centra, "warehouse": stored})
            return
        mid = (lo + hi) // 2
        visit(lo, mid)
        visit(mid, hi)

    if checked:
        visit(0, len(checked))
    return mismatches


def reconciliation_result(checked: list[str], mismatches: list[dict], mode: str, requests: int,
                          as_of: datetime, changed_since: int) -> dg.AssetCheckResult:
    missing = sum(max(0, m["centra"] - m["warehouse"]) for m in mismatches)
    return dg.AssetCheckResult(
        passed=not mismatches,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "partitions_checked": len(checked),
            "first_partition": checked[0] if checked else "",
            "last_partition": checked[-1] if checked else "",
            "as_of": as_of.isoformat(),  # Centra's time the counts were taken as of (see defs/reconciliation.py)
            "rows_changed_since": changed_since,  # left out on both sides: the pulls after this one verify them
            "partitions_off": len(mismatches),
            "rows_missing": missing,
            "counted_by": mode,
            "requests": requests,  # Centra requests of this check (counts or listings), reported once here
            "first_mismatches": dg.MetadataValue.json(mismatches[:20]),
        },
    )
