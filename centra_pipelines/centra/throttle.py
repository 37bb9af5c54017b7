"""Client-side rate budget: token buckets sized as a share of the Centra tier.

Centra's limits are token buckets per environment, shared by every integration of the brand
(requests and query complexity, each per 10 s and per hour). We keep our own buckets holding
``share`` of each quota so that this process spends its part evenly and leaves the rest to the
neighbours; 429s and ``rateLimits`` readings correct us when the shared quota runs low anyway.
"""

from __future__ import annotations

import email.utils
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

REQUESTS = "requests"
COMPLEXITY = "complexity"
WINDOWS = {"TEN_SECONDS": 10.0, "ONE_HOUR": 3600.0}
_KINDS = {"REQUEST_COUNT": REQUESTS, "QUERY_COMPLEXITY": COMPLEXITY}


@dataclass(frozen=True)
class Tier:
    """Quotas of one Centra tier: {(kind, window seconds): quota}."""

    name: str
    quotas: dict[tuple[str, float], int]


TIERS = {
    "growth": Tier("growth", {(REQUESTS, 10.0): 60, (REQUESTS, 3600.0): 5_000,
                              (COMPLEXITY, 10.0): 250_000, (COMPLEXITY, 3600.0): 30_000_000}),
    "enhanced": Tier("enhanced", {(REQUESTS, 10.0): 150, (REQUESTS, 3600.0): 20_000,
                                  (COMPLEXITY, 10.0): 900_000, (COMPLEXITY, 3600.0): 90_000_000}),
}


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta seconds, Unix epoch or HTTP-date.

    Centra documents only that it "points at a timestamp", so accept all three. An integer
    above 10^9 cannot be a sensible delay and is read as a Unix epoch. ``None`` if unparseable.
    """
    if value is None or not value.strip():
        return None
    now = time.time() if now is None else now
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None:
            return None
        return max(0.0, moment.timestamp() - now)
    if not math.isfinite(number):
        return None
    if number > 1e9:
        return max(0.0, number - now)
    return max(0.0, number)


class TokenBucket:
    """Refills ``capacity`` tokens per ``window`` seconds at a constant rate; may go into debt."""

    def __init__(self, capacity: float, window: float, now: float) -> None:
        self.capacity = float(capacity)
        self.window = float(window)
        self.tokens = float(capacity)
        self.updated = now

    @property
    def rate(self) -> float:
        return self.capacity / self.window

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait_time(self, amount: float, now: float) -> float:
        """Seconds until ``amount`` tokens are there (amounts above capacity wait for a full bucket)."""
        self.refill(now)
        need = min(amount, self.capacity) - self.tokens
        return 0.0 if need <= 1e-9 else need / self.rate  # tolerance: float refill can fall short by an ulp

    def take(self, amount: float) -> None:
        self.tokens -= amount

    def clamp(self, at_most: float) -> None:
        self.tokens = min(self.tokens, at_most)


class Throttle:
    """Thread-safe budget for requests and complexity over the 10 s and 1 h windows.

    ``time_scale`` F makes every window F times shorter (capacities unchanged), to match a
    time-scaled sandbox. ``clock`` and ``sleep`` are injectable so the arithmetic can be tested
    without waiting.
    """

    #: below this fraction of a shared quota left, we hold our spending to what is left minus a margin
    LOW_WATER = 0.25

    def __init__(
        self,
        tier: str | Tier = "growth",
        share: float = 0.5,
        *,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        if time_scale <= 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        self.tier = TIERS[tier] if isinstance(tier, str) else tier
        self.share = share
        self.time_scale = time_scale
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        now = clock()
        self.buckets = {
            key: TokenBucket(share * quota, key[1] / time_scale, now) for key, quota in self.tier.quotas.items()
        }
        self.paused_until = now

    def acquire(self, complexity: float = 0.0) -> float:
        """Block until one request and ``complexity`` points fit every bucket; take them; return seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                wait = self.paused_until - now
                for (kind, _), bucket in self.buckets.items():
                    wait = max(wait, bucket.wait_time(1.0 if kind == REQUESTS else complexity, now))
                if wait <= 0:
                    for (kind, _), bucket in self.buckets.items():
                        bucket.take(1.0 if kind == REQUESTS else complexity)
                    return waited
            self._sleep(wait)
            waited += wait

    def settle(self, estimated: float, actual: float) -> None:
        """Correct the complexity taken up front by what the response reported."""
        with self._lock:
            for (kind, _), bucket in self.buckets.items():
                if kind == COMPLEXITY:
                    bucket.take(actual - estimated)
                    bucket.clamp(bucket.capacity)

    def pause(self, seconds: float) -> None:
        """After a 429: every request of this client waits ``seconds``; our 10 s request buckets empty
        so we do not burst straight back into the limit."""
        with self._lock:
            now = self._clock()
            self.paused_until = max(self.paused_until, now + seconds)
            for (kind, window), bucket in self.buckets.items():
                if kind == REQUESTS and window == 10.0:
                    bucket.refill(now)
                    bucket.clamp(0.0)

    def observe(self, readings: list[dict]) -> None:
        """Learn from a ``rateLimits`` answer (quota shared with other integrations).

        The tier's quota as Centra reports it resizes our share (Centra may lower limits for a
        while). When the shared remaining quota is low, we hold our own tokens to what is left
        above a margin, so we slow down instead of running into 429s.
        """
        with self._lock:
            now = self._clock()
            for reading in readings:
                key = (_KINDS.get(reading.get("type")), WINDOWS.get(reading.get("intervalSeconds")))
                bucket = self.buckets.get(key)
                quota, remaining = reading.get("quota"), reading.get("remainingQuota")
                if bucket is None or not quota or remaining is None:
                    continue
                bucket.refill(now)
                target = self.share * quota
                if abs(target - bucket.capacity) > 1e-9:
                    log.info("Centra %s quota per %ss is %s; our share is now %.0f", key[0], int(key[1]), quota, target)
                    bucket.capacity = target
                    bucket.clamp(target)
                if remaining < self.LOW_WATER * quota:
                    bucket.clamp(max(0.0, remaining - 0.1 * quota))
