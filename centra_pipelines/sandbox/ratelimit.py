"""Centra-like rate limits: token buckets for requests, query complexity and mutations, each per
10 seconds and per hour, shared by every token (Centra limits per environment).

Buckets refill continuously at capacity / window. `time_scale` F makes every window F times
shorter (capacities unchanged), so a test can exceed a tier in a fraction of a second.
`neighbour` (0..1) stands in for the brand's other integrations: they spend that share of every
bucket, so this client only ever sees the remainder. The neighbour's spending is applied when a
bucket is read (equivalent to a background consumer running at a steady rate, and deterministic).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Callable

REQUEST_COUNT = "REQUEST_COUNT"
QUERY_COMPLEXITY = "QUERY_COMPLEXITY"
MUTATION_COUNT = "MUTATION_COUNT"
TYPES = (REQUEST_COUNT, QUERY_COMPLEXITY, MUTATION_COUNT)
WINDOWS = {"TEN_SECONDS": 10.0, "ONE_HOUR": 3600.0}
RETRY_AFTER_FORMATS = ("seconds", "epoch", "http-date")
# GraphQL Int is 32-bit; what `rateLimits` reports when the tier is off.
UNLIMITED = 2**31 - 1


@dataclass(frozen=True)
class Tier:
    """Capacities per (type, window). `Tier.custom` builds small tiers for tests."""

    name: str
    limits: dict[tuple[str, str], int]

    @classmethod
    def custom(cls, name: str = "custom", *, requests=(60, 5000), complexity=(250_000, 30_000_000),
               mutations=(20, 1800)) -> "Tier":
        limits = {}
        for kind, (ten, hour) in ((REQUEST_COUNT, requests), (QUERY_COMPLEXITY, complexity),
                                  (MUTATION_COUNT, mutations)):
            limits[(kind, "TEN_SECONDS")] = ten
            limits[(kind, "ONE_HOUR")] = hour
        return cls(name, limits)


# Centra's published tiers (centra.dev "API rate limits"); growth is the default.
TIERS: dict[str, Tier | None] = {
    "growth": Tier.custom("growth", requests=(60, 5000), complexity=(250_000, 30_000_000), mutations=(20, 1800)),
    "enhanced": Tier.custom("enhanced", requests=(150, 20_000), complexity=(900_000, 90_000_000),
                            mutations=(50, 4500)),
    "off": None,
}


def resolve_tier(tier: str | Tier | None) -> Tier | None:
    if tier is None or isinstance(tier, Tier):
        return tier
    try:
        return TIERS[tier]
    except KeyError:
        raise ValueError(f"unknown tier {tier!r}; choose one of {sorted(TIERS)}") from None


class Bucket:
    """A token bucket. `tokens` may be fractional; reports are floored."""

    def __init__(self, capacity: int, window_seconds: float, share: float, now: float):
        self.capacity = capacity
        self.window_seconds = window_seconds
        # The neighbour keeps `share` of the capacity and of the refill for itself.
        self.ceiling = capacity * (1.0 - share)
        self.rate = self.ceiling / window_seconds
        self.tokens = self.ceiling
        self.updated = now

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.ceiling, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def seconds_until(self, amount: float) -> float:
        """Time until `amount` tokens are available (inf if never)."""
        missing = amount - self.tokens
        if missing <= 1e-9:  # float refill arithmetic must not refuse a client that waited as told
            return 0.0
        if amount > self.ceiling or self.rate <= 0:
            return math.inf
        return missing / self.rate

    def spend(self, amount: float) -> None:
        # Complexity is charged after the fact and may exceed what is left: the bucket empties and
        # the next request waits for the refill (Centra never reports a negative remaining quota).
        self.tokens = max(0.0, self.tokens - amount)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused with 429 and for how long (seconds, unscaled wall time)."""

    type: str
    interval: str
    wait_seconds: float


class RateLimiter:
    """The six buckets of one sandbox. Thread-safe: the HTTP loop and resolvers both read it."""

    def __init__(self, tier: str | Tier | None = "growth", *, time_scale: float = 1.0,
                 neighbour: float = 0.0, clock: Callable[[], float] = time.monotonic):
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        if not 0.0 <= neighbour < 1.0:
            raise ValueError("neighbour must be in [0, 1)")
        self.tier = resolve_tier(tier)
        self.time_scale = time_scale
        self.neighbour = neighbour
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        self._buckets: dict[tuple[str, str], Bucket] = {}
        if self.tier is not None:
            for (kind, interval), capacity in self.tier.limits.items():
                self._buckets[(kind, interval)] = Bucket(capacity, WINDOWS[interval] / time_scale, neighbour, now)

    def admit(self, is_mutation: bool) -> Refusal | None:
        """Charge a request (and a mutation) before it runs; refuse it when any bucket it needs is
        empty, including the complexity bucket that the previous request may have drained."""
        if not self._buckets:
            return None
        needs = [(REQUEST_COUNT, 1.0), (QUERY_COMPLEXITY, 1.0)]
        if is_mutation:
            needs.append((MUTATION_COUNT, 1.0))
        with self._lock:
            now = self._clock()
            worst: Refusal | None = None
            for kind, amount in needs:
                for interval in WINDOWS:
                    bucket = self._buckets[(kind, interval)]
                    bucket.refill(now)
                    wait = bucket.seconds_until(amount)
                    if wait > 0 and (worst is None or wait > worst.wait_seconds):
                        worst = Refusal(kind, interval, wait)
            if worst is not None:
                return worst
            for kind, amount in needs:
                if kind == QUERY_COMPLEXITY:
                    continue  # only checked here; charged after execution
                for interval in WINDOWS:
                    self._buckets[(kind, interval)].spend(amount)
            return None

    def charge_complexity(self, complexity: int) -> None:
        if not self._buckets or complexity <= 0:
            return
        with self._lock:
            now = self._clock()
            for interval in WINDOWS:
                bucket = self._buckets[(QUERY_COMPLEXITY, interval)]
                bucket.refill(now)
                bucket.spend(complexity)

    def snapshot(self) -> list[dict]:
        """The `rateLimits` entries: six, with quota = usedQuota + remainingQuota."""
        rows = []
        with self._lock:
            now = self._clock()
            for kind in TYPES:
                for interval in WINDOWS:
                    bucket = self._buckets.get((kind, interval))
                    if bucket is None:
                        quota, remaining = UNLIMITED, UNLIMITED
                    else:
                        bucket.refill(now)
                        quota, remaining = bucket.capacity, int(math.floor(bucket.tokens))
                    rows.append({"type": kind, "intervalSeconds": interval, "quota": quota,
                                 "usedQuota": quota - remaining, "remainingQuota": remaining})
        return rows


def retry_after_value(wait_seconds: float, fmt: str, *, now: float | None = None) -> str:
    """Render Retry-After. Centra says it "points at a timestamp" without saying which format, so
    the sandbox can serve each: delta seconds, a Unix epoch, or an HTTP-date. Always rounded up,
    so a client that waits exactly that long is admitted."""
    if fmt not in RETRY_AFTER_FORMATS:
        raise ValueError(f"retry_after_format must be one of {RETRY_AFTER_FORMATS}, got {fmt!r}")
    if not math.isfinite(wait_seconds):
        wait_seconds = 3600.0  # a bucket that can never refill enough: ask for an hour
    if fmt == "seconds":
        return str(max(1, math.ceil(wait_seconds)))
    now = time.time() if now is None else now
    at = math.ceil(now + wait_seconds)
    if at <= now:
        at += 1
    if fmt == "epoch":
        return str(at)
    return formatdate(at, usegmt=True)
