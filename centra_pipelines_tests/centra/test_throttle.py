"""Throttle arithmetic and Retry-After parsing, with an injected clock (no server, no waiting)."""

import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from centra_pipelines.centra.budget_store import MemoryStore
from centra_pipelines.centra.throttle import Throttle, TokenBucket, parse_retry_after

NOW = 1_780_000_000.0  # a Unix time in 2026


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        ("0.5", 0.5),
        (str(int(NOW) + 12), 12.0),  # Unix epoch
        (format_datetime(datetime.fromtimestamp(NOW + 30, timezone.utc), usegmt=True), 30.0),  # HTTP-date
        (str(int(NOW) - 5), 0.0),  # an epoch in the past means: now
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_epoch_and_http_date(header, expected):
    assert parse_retry_after(header, now=NOW) == expected


def test_bucket_refills_at_capacity_per_window_and_never_above_capacity():
    bucket = TokenBucket(30, 10.0, now=0.0)
    bucket.take(30)
    assert bucket.wait_time(1, now=0.0) == pytest.approx(1 / 3)
    assert bucket.wait_time(1, now=5.0) == 0.0
    assert bucket.tokens == pytest.approx(15)
    bucket.refill(100.0)
    assert bucket.tokens == 30


def test_throttle_spends_share_of_growth_tier_per_window():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
    for _ in range(30):  # the full 10 s share is there at start: no waiting
        throttle.acquire()
    assert clock.now == 0.0
    for _ in range(30):  # then 30 more take one window at 3 requests a second
        throttle.acquire()
    assert clock.now == pytest.approx(10.0)


def test_time_scale_makes_windows_shorter():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, time_scale=10, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        throttle.acquire()
    assert clock.now == pytest.approx(1.0)  # 10 s window / 10


def test_complexity_bucket_limits_and_is_settled_by_actual_cost():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)  # 125k complexity per 10 s
    throttle.acquire(100_000)
    throttle.settle(100_000, 125_000)  # the query cost more than guessed: bucket is empty now
    throttle.acquire(12_500)
    assert clock.now == pytest.approx(1.0)
    throttle.settle(12_500, 0)  # refunds never lift the bucket above capacity
    assert throttle.levels()[("complexity", 10.0)].tokens <= 125_000


def test_pause_after_429_delays_every_request_and_drains_the_burst():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
    throttle.pause(4.0)
    waited = throttle.acquire()
    assert waited == pytest.approx(4.0)
    # the 10 s bucket was emptied at the 429 and refilled 4 s * 3/s = 12 tokens meanwhile
    assert throttle.levels()[("requests", 10.0)].tokens == pytest.approx(11.0)


def test_low_shared_quota_reading_slows_us_down_and_quota_resizes_share():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
    throttle.observe([
        {"type": "REQUEST_COUNT", "intervalSeconds": "TEN_SECONDS", "quota": 60, "usedQuota": 54, "remainingQuota": 8},
        {"type": "REQUEST_COUNT", "intervalSeconds": "ONE_HOUR", "quota": 4000, "usedQuota": 0, "remainingQuota": 4000},
    ])
    assert throttle.levels()[("requests", 10.0)].tokens == pytest.approx(2.0)  # 8 left - 10% margin of 60
    assert throttle.levels()[("requests", 3600.0)].capacity == pytest.approx(2000.0)  # Centra lowered the tier
    throttle.acquire()
    throttle.acquire()
    throttle.acquire()
    assert clock.now > 0.0


def test_lower_lane_gives_way_while_a_higher_one_waits_then_takes_the_rest():
    # Real time and threads: windows 100 times shorter (300 requests a second for the share).
    store = MemoryStore()
    backfill = Throttle("growth", 0.5, lane="backfill", store=store, time_scale=100)
    realtime = Throttle("growth", 0.5, lane="realtime", store=store, time_scale=100)
    taken: list[str] = []
    stop = threading.Event()

    def flood() -> None:
        while not stop.is_set():
            backfill.acquire()
            taken.append("backfill")

    worker = threading.Thread(target=flood)
    worker.start()
    try:
        time.sleep(0.2)  # the backfill has spent the burst and takes every token as it refills
        assert taken.count("backfill") >= 30
        start = len(taken)
        for _ in range(30):
            realtime.acquire()
            taken.append("realtime")
        during = taken[start:]
        time.sleep(Throttle.LINGER + 0.1)
        after = len(taken)
        time.sleep(0.1)
    finally:
        stop.set()
        worker.join()
    assert during.count("realtime") == 30 and during.count("backfill") <= 2  # it gave way
    assert len(taken) - after >= 0.8 * 300 * 0.1  # and took the whole share again once real time was done


def test_waiter_of_a_killed_process_expires():
    clock = FakeClock()
    store = MemoryStore()
    # A real-time waiter that never comes back (its process was SIGKILLed while it slept).
    store.update("centra", lambda state: ({"waiting": {"gone": [0, clock.now + 0.5]}}, None))
    backfill = Throttle("growth", 0.5, lane="backfill", store=store, clock=clock, sleep=clock.sleep)
    waited = backfill.acquire()
    assert waited == pytest.approx(0.5, abs=Throttle.YIELD_SECONDS)  # it gave way only until the entry expired
    assert "gone" not in store._states["centra"]["waiting"]


def test_unknown_lane_is_refused_with_the_lanes_named():
    with pytest.raises(ValueError, match="realtime, incremental, reconciliation, backfill"):
        Throttle(lane="urgent")
