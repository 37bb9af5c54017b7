"""Throttle arithmetic and Retry-After parsing, with an injected clock (no server, no waiting)."""

from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

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
