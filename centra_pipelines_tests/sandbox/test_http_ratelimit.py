"""Rate limits: bucket arithmetic on a fake clock, Retry-After formats, and 429s over real HTTP."""

import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from centra_pipelines.sandbox.ratelimit import (QUERY_COMPLEXITY, REQUEST_COUNT, RateLimiter, Tier,
                                                retry_after_value)

RATE_LIMITS = "query Limits { rateLimits { type intervalSeconds quota usedQuota remainingQuota } }"
AUTH = {"Authorization": "Bearer sandbox"}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _remaining(limiter, kind, interval="TEN_SECONDS"):
    return next(r["remainingQuota"] for r in limiter.snapshot()
                if r["type"] == kind and r["intervalSeconds"] == interval)


def test_request_bucket_refuses_when_empty_and_refills_continuously():
    clock = FakeClock()
    limiter = RateLimiter(Tier.custom(requests=(3, 100)), clock=clock)
    assert [limiter.admit(False) for _ in range(3)] == [None, None, None]
    refusal = limiter.admit(False)
    assert refusal.type == REQUEST_COUNT and refusal.interval == "TEN_SECONDS"
    assert refusal.wait_seconds == pytest.approx(10 / 3)  # one token at 3 per 10 s
    clock.now += 10 / 3
    assert limiter.admit(False) is None


def test_time_scale_shortens_windows_but_keeps_capacity():
    clock = FakeClock()
    limiter = RateLimiter(Tier.custom(requests=(3, 100)), time_scale=10, clock=clock)
    for _ in range(3):
        assert limiter.admit(False) is None
    assert limiter.admit(False).wait_seconds == pytest.approx(1 / 3)
    assert next(r for r in limiter.snapshot() if r["type"] == REQUEST_COUNT)["quota"] == 3


def test_complexity_is_charged_after_and_blocks_the_next_request():
    clock = FakeClock()
    limiter = RateLimiter(Tier.custom(complexity=(1000, 100_000)), clock=clock)
    assert limiter.admit(False) is None
    limiter.charge_complexity(5000)  # more than is left: the bucket empties, never negative
    assert _remaining(limiter, QUERY_COMPLEXITY) == 0
    refusal = limiter.admit(False)
    assert refusal.type == QUERY_COMPLEXITY
    clock.now += refusal.wait_seconds
    assert limiter.admit(False) is None


def test_mutations_spend_their_own_bucket():
    clock = FakeClock()
    limiter = RateLimiter(Tier.custom(mutations=(2, 10)), clock=clock)
    assert limiter.admit(True) is None and limiter.admit(True) is None
    assert limiter.admit(True).type == "MUTATION_COUNT"
    assert limiter.admit(False) is None  # queries still pass


def test_neighbour_share_leaves_only_the_remainder():
    clock = FakeClock()
    limiter = RateLimiter("growth", neighbour=0.25, clock=clock)
    clock.now += 7200  # long idle: the client still never sees the neighbour's share
    row = next(r for r in limiter.snapshot() if r["type"] == REQUEST_COUNT and r["intervalSeconds"] == "TEN_SECONDS")
    assert row == {"type": REQUEST_COUNT, "intervalSeconds": "TEN_SECONDS", "quota": 60, "usedQuota": 15,
                   "remainingQuota": 45}


def test_snapshot_has_six_consistent_entries():
    limiter = RateLimiter("enhanced", clock=FakeClock())
    limiter.admit(False)
    limiter.charge_complexity(123)
    rows = limiter.snapshot()
    assert {(r["type"], r["intervalSeconds"]) for r in rows} == {
        (t, i) for t in ("REQUEST_COUNT", "QUERY_COMPLEXITY", "MUTATION_COUNT") for i in ("TEN_SECONDS", "ONE_HOUR")}
    assert all(r["quota"] == r["usedQuota"] + r["remainingQuota"] for r in rows)
    assert _remaining(RateLimiter("enhanced", clock=FakeClock()), REQUEST_COUNT, "ONE_HOUR") == 20_000
    assert _remaining(limiter, QUERY_COMPLEXITY) == 900_000 - 123


def test_retry_after_formats():
    now = 1_700_000_000.2
    assert retry_after_value(0.2, "seconds", now=now) == "1"
    assert retry_after_value(12.5, "seconds", now=now) == "13"
    assert retry_after_value(12.5, "epoch", now=now) == str(1_700_000_013)
    date = parsedate_to_datetime(retry_after_value(12.5, "http-date", now=now))
    assert date.timestamp() == 1_700_000_013
    with pytest.raises(ValueError):
        retry_after_value(1, "minutes")


def _exhaust(server, headers=AUTH):
    """Send requests until a 429 comes back; return it and how many were admitted."""
    with httpx.Client(headers=headers) as client:
        for admitted in range(100):
            response = client.post(server.url, json={"query": RATE_LIMITS})
            if response.status_code == 429:
                return response, admitted
            assert response.status_code == 200
    raise AssertionError("never rate limited")


def test_scaled_tier_answers_429_with_retry_after_over_http(make_sandbox):
    server = make_sandbox(tier=Tier.custom("tiny", requests=(5, 1000)), time_scale=20)
    response, admitted = _exhaust(server)
    assert admitted >= 5
    assert "REQUEST_COUNT" in response.json()["errors"][0]["message"]
    wait = int(response.headers["Retry-After"])
    assert wait >= 1
    time.sleep(wait)  # waiting as told is enough: the client is admitted again
    again = httpx.post(server.url, json={"query": RATE_LIMITS}, headers=AUTH)
    assert again.status_code == 200
    rows = again.json()["data"]["rateLimits"]
    assert len(rows) == 6
    assert all(r["quota"] == r["usedQuota"] + r["remainingQuota"] for r in rows)
    requests_10s = next(r for r in rows if r["type"] == "REQUEST_COUNT" and r["intervalSeconds"] == "TEN_SECONDS")
    assert requests_10s["quota"] == 5
    hourly = next(r for r in rows if r["type"] == "REQUEST_COUNT" and r["intervalSeconds"] == "ONE_HOUR")
    assert hourly["quota"] == 1000 and hourly["usedQuota"] >= 1  # this very request is charged


@pytest.mark.parametrize("fmt", ["epoch", "http-date"])
def test_retry_after_format_is_configurable_over_http(make_sandbox, fmt):
    server = make_sandbox(tier=Tier.custom("tiny", requests=(2, 1000)), retry_after_format=fmt)
    response, _ = _exhaust(server)
    value = response.headers["Retry-After"]
    at = int(value) if fmt == "epoch" else parsedate_to_datetime(value).timestamp()
    assert time.time() - 5 < at < time.time() + 60


def test_rate_limit_refusal_is_logged_with_token_name(make_sandbox):
    server = make_sandbox(tier=Tier.custom("tiny", requests=(2, 1000)))
    _exhaust(server)
    statuses = [(r["token"], r["status"]) for r in server.requests()]
    assert statuses[-1] == ("default", 429)
    assert statuses.count(("default", 200)) == 2
