"""Throttle arithmetic and Retry-After parsing, with an injected clock (no server, no waiting)."""

import bisect
import random
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from centra_pipelines.centra import throttle as throttle_module
from centra_pipelines.centra.budget_store import MemoryStore
from centra_pipelines.centra.throttle import IN_FLIGHT_SLOTS, SLOTS, Throttle, Window, parse_retry_after

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


def test_window_frees_what_was_spent_when_its_slot_expires_and_waits_exactly_that_long():
    window = Window(30, 10.0, {})  # slots of 0.2 s
    window.take(20, now=1.0)  # slot 5: counted until slot 56 begins at 11.2 s
    window.take(10, now=4.1)  # slot 20: until 14.2 s
    assert window.wait_time(1, now=4.1) == pytest.approx(11.2 - 4.1)
    assert window.wait_time(21, now=4.1) == pytest.approx(14.2 - 4.1)  # both must go
    assert window.wait_time(1, now=11.3) == 0.0 and window.spent(11.3) == 10
    assert window.wait_time(100, now=11.3) == pytest.approx(14.2 - 11.3)  # above capacity: waits for an empty window
    refunded = Window(30, 10.0, {5: 20.0, 20: 10.0})
    refunded.take(-25, now=4.2)  # a refund comes off the oldest slots first, none below zero
    assert refunded.slots == {20: 5.0}


def test_greedy_spender_never_has_more_than_the_share_in_any_window_and_keeps_its_rate():
    # From an idle budget, as fast as the throttle lets it, for 30 windows. A token bucket of the
    # same capacity and refill let 2C through in the first window; a sliding window never more than C.
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)  # C = 30 requests per W = 10 s
    times = []
    while clock.now < 300.0:
        throttle.acquire()
        times.append(clock.now)
    # The fullest window of 10 s starts at one of the requests (any alignment is no fuller).
    fullest = max(bisect.bisect_left(times, start + 10.0) - i for i, start in enumerate(times))
    assert fullest == 30
    # C per W and 1 + IN_FLIGHT_SLOTS slots: 94 % of the share
    assert len(times) / clock.now >= 0.93 * 30 / 10.0


def test_requests_reaching_centra_late_still_never_exceed_the_share_as_centra_counts_them(monkeypatch):
    # Centra counts a request when it arrives: up to two slots (0.4 s) after we took it, here at random.
    # Without the in-flight slots, two requests a window apart as taken fall into one window as counted.
    def fullest_as_counted(in_flight: int) -> int:
        monkeypatch.setattr(throttle_module, "IN_FLIGHT_SLOTS", in_flight)
        clock, delays = FakeClock(), random.Random(7)
        throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
        arrivals = []
        while clock.now < 300.0:
            throttle.acquire()
            arrivals.append(clock.now + delays.uniform(0.0, 0.39))
            clock.now += delays.uniform(0.0, 0.6)  # work between requests: the takes spread out
        arrivals.sort()
        return max(bisect.bisect_left(arrivals, start + 10.0) - i for i, start in enumerate(arrivals))

    assert fullest_as_counted(IN_FLIGHT_SLOTS) <= 30
    assert fullest_as_counted(0) > 30


def test_throttle_spends_share_of_growth_tier_per_window():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
    for _ in range(30):  # the full 10 s share is there at start: no waiting
        throttle.acquire()
    assert clock.now == 0.0
    for _ in range(30):  # then 30 more when the first slot leaves the window: 10 s, a slot and the
        throttle.acquire()  # slots a request may be in flight later
    assert clock.now == pytest.approx(10.0 + (1 + IN_FLIGHT_SLOTS) * 10.0 / SLOTS)


def test_time_scale_makes_windows_shorter():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, time_scale=10, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        throttle.acquire()
    assert clock.now == pytest.approx(1.0 + (1 + IN_FLIGHT_SLOTS) * 1.0 / SLOTS)  # 10 s window / 10


def test_complexity_window_limits_and_is_settled_by_actual_cost():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)  # 125k complexity per 10 s
    throttle.acquire(100_000)
    throttle.settle(100_000, 125_000)  # the query cost more than guessed: the window is full now
    throttle.acquire(12_500)
    assert clock.now == pytest.approx(10.0 + (1 + IN_FLIGHT_SLOTS) * 10.0 / SLOTS)
    throttle.settle(12_500, 0)  # the refund frees what the estimate took, and never more
    level = throttle.levels()[("complexity", 10.0)]
    assert level.spent == 0 and level.available == 125_000


def test_pause_after_429_delays_every_request_and_drains_the_burst():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
    throttle.pause(4.0)
    waited = throttle.acquire()
    assert waited == pytest.approx(4.0)
    # after the pause, the 10 s window offers what the share gives over 4 s: 12 requests
    assert throttle.levels()[("requests", 10.0)].available == pytest.approx(11.0)


def test_low_shared_quota_reading_slows_us_down_and_quota_resizes_share():
    clock = FakeClock()
    throttle = Throttle("growth", 0.5, clock=clock, sleep=clock.sleep)
    throttle.observe([
        {"type": "REQUEST_COUNT", "intervalSeconds": "TEN_SECONDS", "quota": 60, "usedQuota": 54, "remainingQuota": 8},
        {"type": "REQUEST_COUNT", "intervalSeconds": "ONE_HOUR", "quota": 4000, "usedQuota": 0, "remainingQuota": 4000},
    ])
    assert throttle.levels()[("requests", 10.0)].available == pytest.approx(2.0)  # 8 left - 10% margin of 60
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
        time.sleep(0.2)  # the backfill has spent what it may and takes all that frees up
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


def _backfill_and_real_time() -> tuple[FakeClock, Throttle, Throttle]:
    """A fake clock, and a backfill and a real-time throttle on one budget (Growth, share 0.5)."""
    clock, store = FakeClock(), MemoryStore()
    return clock, *(Throttle("growth", 0.5, lane=lane, store=store, clock=clock, sleep=clock.sleep)
                    for lane in ("backfill", "realtime"))


def test_backfill_leaves_two_requests_of_every_ten_seconds_so_real_time_goes_at_once():
    clock, backfill, realtime = _backfill_and_real_time()
    taken = []
    while clock.now < 100.0:
        backfill.acquire()
        taken.append(clock.now)
    assert max(bisect.bisect_left(taken, start + 10.0) - i for i, start in enumerate(taken)) == 28
    # bursts of 28 every 10 s, the window's current slot and its two in-flight ones: 0.88 of the share
    assert len(taken) / clock.now >= 0.875 * 30 / 10.0
    while backfill.levels()[("requests", 10.0)].spent < 28:  # the backfill holds all it may
        backfill.acquire()
    before = clock.now
    for _ in range(2):
        assert realtime.acquire() == 0.0
    assert clock.now == before and realtime.levels()[("requests", 10.0)].available == 0


def test_backfill_leaves_a_tenth_of_the_hour_and_its_next_hour_starts_one_in_flight_slot_late():
    # The hourly share (2,500) binds a long backfill: it fills the hour to 90 %, then takes what
    # leaves it. The hour's windows count one 72 s slot for requests in flight, not two (144 s).
    clock, backfill, realtime = _backfill_and_real_time()
    taken = []
    while len(taken) < 2250:
        backfill.acquire()
        taken.append(clock.now)
    assert taken[-1] < 3600.0
    clock.now += 20.0  # the 10 s windows are empty, the hour is at the backfill's 90 %
    before = clock.now
    for _ in range(30):
        assert realtime.acquire() == 0.0
    assert clock.now == before
    backfill.acquire()
    # the hour's first slot leaves after its own 72 s, the hour, and one slot in flight
    assert clock.now == pytest.approx(3600.0 + 2 * 3600.0 / SLOTS)


def test_state_saved_by_the_token_bucket_version_is_read():
    clock = FakeClock()
    store = MemoryStore()
    store.update("centra", lambda state: ({"levels": {"requests/10": [3.0, 0.0]}, "paused_until": 0.0,
                                           "waiting": {}, "quotas": {}}, None))
    throttle = Throttle("growth", 0.5, store=store, clock=clock, sleep=clock.sleep)
    assert throttle.acquire() == 0.0
    assert "levels" not in store._states["centra"]
    assert throttle.levels()[("requests", 10.0)].spent == 1
