"""What a stream's completed pulls cover (defs/windows.py, Coverage): kept in the warehouse's sync_state."""

from datetime import datetime, timedelta, timezone

from centra_pipelines.defs.windows import Coverage
from centra_pipelines.warehouse import connect

DAY = datetime(2026, 3, 1, tzinfo=timezone.utc)


def at(days: float) -> datetime:
    return DAY + timedelta(days=days)


def test_pulls_that_touch_or_overlap_cover_their_union_and_of_two_apart_the_later_is_kept(warehouse_url):
    with connect(warehouse_url) as wh:
        assert Coverage.load(wh, "orders") is None
        # a pull of [day 0, day 10) whose first answer came on day 5: it covers up to day 5 only
        Coverage.record(wh, "orders", at(0), at(10), at(5).isoformat())
        assert Coverage.load(wh, "orders") == Coverage(at(0), at(5))
        Coverage.record(wh, "orders", at(5), at(10), at(6).isoformat())  # continues where it left off
        assert Coverage.load(wh, "orders") == Coverage(at(0), at(6))
        Coverage.record(wh, "orders", at(-3), at(1), at(8).isoformat())  # a backfill overlapping its start
        assert Coverage.load(wh, "orders") == Coverage(at(-3), at(6))
        Coverage.record(wh, "orders", at(-30), at(-20), at(8).isoformat())  # an older range, apart
        assert Coverage.load(wh, "orders") == Coverage(at(-3), at(6))
        Coverage.record(wh, "orders", at(7), at(10), at(9).isoformat())  # a later one, apart: kept instead
        assert Coverage.load(wh, "orders") == Coverage(at(7), at(9))
        Coverage.record(wh, "orders", at(9.5), at(10), "")  # Centra's clock unknown: nothing recorded
        Coverage.record(wh, "orders", at(9.5), at(10), at(9).isoformat())  # answered before its window
        assert Coverage.load(wh, "orders") == Coverage(at(7), at(9))
        assert Coverage.load(wh, "customers") is None  # per stream
