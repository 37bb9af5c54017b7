"""Rate budget: token buckets sized as a share of the Centra tier, shared by a whole deployment.

Centra's limits are token buckets per environment, shared by every integration of the brand
(requests and query complexity, each per 10 s and per hour). Our buckets hold ``share`` of each
quota, so the deployment spends its part evenly and leaves the rest to the neighbours; 429s and
``rateLimits`` readings correct us when the shared quota runs low anyway.

The buckets live in a ``budget_store`` that every process and machine of the deployment reaches,
so two runs spend one share between them, not one each. Requests queue in lanes: a lane gives way
while a higher one waits (real time first, backfills last), and takes the whole budget otherwise.
"""
from __future__ import annotations

import email.utils
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from centra_pipelines.centra.budget_store import BudgetStore, MemoryStore

log = logging.getLogger(__name__)

REQUESTS = "requests"
COMPLEXITY = "complexity"
WINDOWS = {"TEN_SECONDS": 10.0, "ONE_HOUR": 3600.0}
_KINDS = {"REQUEST_COUNT": REQUESTS, "QUERY_COMPLEXITY": COMPLEXITY}

#: lanes, first to last: webhook batches, event queue and re-fetches; scheduled incremental syncs;
#: reconciliation; backfills
LANES = ("realtime", "incremental", "reconciliation", "backfill")


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


def _slot(key: tuple[str, float]) -> str:
    return f"{key[0]}/{int(key[1])}"


class Throttle:
    """Budget for requests and complexity over the 10 s and 1 h windows, held in ``store``.

    Every Throttle on the same ``store`` and ``key`` (one per Centra endpoint) spends one budget,
    whatever process or machine it is in. ``lane`` orders them when they queue. ``time_scale`` F
    makes every window F times shorter (capacities unchanged), to match a time-scaled sandbox.
    ``clock`` (Unix seconds, the same on every machine of the deployment) and ``sleep`` are
    injectable so the arithmetic can be tested without waiting.
    """

    #: below this fraction of a shared quota left, we hold our spending to what is left minus a margin
    LOW_WATER = 0.25
    #: how often a lane that gives way to a higher one looks again (seconds)
    YIELD_SECONDS = 0.05
    #: a waiter looks again (and renews its place in the queue) at least this often (seconds)
    LONGEST_SLEEP = 1.0
    #: a waiter not renewed this long after its sleep ended is gone (its process was killed): no lane
    #: gives way to it any more
    WAITER_GRACE = 1.0
    #: after taking, a lane stays present this long, so the gaps between its requests (the request
    #: itself, the processing of its answer) do not let a lower lane slip in ahead of its next one
    LINGER = 0.2

    def __init__(
        self,
        tier: str | Tier = "growth",
        share: float = 0.5,
        *,
        lane: str = "incremental",
        store: BudgetStore | None = None,
        key: str = "centra",
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        if time_scale <= 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        if lane not in LANES:
            raise ValueError(f"unknown Centra lane {lane!r}; choose one of {', '.join(LANES)}")
        self.tier = TIERS[tier] if isinstance(tier, str) else tier
        self.share = share
        self.lane = lane
        self.store = store or MemoryStore()
        self.key = key
        self.time_scale = time_scale
        self._rank = LANES.index(lane)
        self._id = uuid.uuid4().hex  # this throttle's place in the queue (one per client)
        self._clock = clock
        self._sleep = sleep

    # --- the shared state ---------------------------------------------------------------------

    def _open(self, state: dict[str, Any] | None, now: float) -> tuple[dict[str, Any], dict[tuple, TokenBucket]]:
        """The state with defaults filled in, and its buckets refilled to ``now``."""
        state = dict(state or {})
        quotas, levels = state.setdefault("quotas", {}), state.setdefault("levels", {})
        state.setdefault("paused_until", 0.0)
        state.setdefault("waiting", {})
        buckets = {}
        for key, tier_quota in self.tier.quotas.items():
            bucket = TokenBucket(self.share * quotas.get(_slot(key), tier_quota), key[1] / self.time_scale, now)
            if _slot(key) in levels:
                bucket.tokens, bucket.updated = levels[_slot(key)]
                bucket.clamp(bucket.capacity)
            bucket.refill(now)
            buckets[key] = bucket
        return state, buckets

    @staticmethod
    def _close(state: dict[str, Any], buckets: dict[tuple, TokenBucket]) -> dict[str, Any]:
        state["levels"] = {_slot(key): [b.tokens, b.updated] for key, b in buckets.items()}
        return state

    def levels(self) -> dict[tuple[str, float], TokenBucket]:
        """The shared buckets as they are now (for reports and tests)."""

        def read(stored):
            state, buckets = self._open(stored, self._clock())
            return self._close(state, buckets), buckets

        return self.store.update(self.key, read)

    # --- spending -------------------------------------------------------------------------------

    def acquire(self, complexity: float = 0.0) -> float:
        """Block until one request and ``complexity`` points fit every bucket and no higher lane is
        waiting; take them; return seconds waited."""
        waited = 0.0
        while True:
            pause = self.store.update(self.key, lambda stored: self._try_take(stored, complexity))
            if pause <= 0:
                return waited
            self._sleep(pause)
            waited += pause

    def _try_take(self, stored: dict[str, Any] | None, complexity: float) -> tuple[dict, float]:
        now = self._clock()
        state, buckets = self._open(stored, now)
        waiting = {w: entry for w, entry in state["waiting"].items() if entry[1] > now and w != self._id}
        wait = state["paused_until"] - now
        for (kind, _), bucket in buckets.items():
            wait = max(wait, bucket.wait_time(1.0 if kind == REQUESTS else complexity, now))
        ahead = any(rank < self._rank for rank, _ in waiting.values())
        if wait <= 0 and not ahead:
            for (kind, _), bucket in buckets.items():
                bucket.take(1.0 if kind == REQUESTS else complexity)
            if self._rank < len(LANES) - 1:  # nobody gives way to the last lane
                waiting[self._id] = [self._rank, now + self.LINGER]
            state["waiting"] = waiting
            return self._close(state, buckets), 0.0
        pause = min(max(wait, self.YIELD_SECONDS if ahead else 0.0), self.LONGEST_SLEEP)
        waiting[self._id] = [self._rank, now + pause + self.WAITER_GRACE]
        state["waiting"] = waiting
        return self._close(state, buckets), pause

    def settle(self, estimated: float, actual: float) -> None:
        """Correct the complexity taken up front by what the response reported."""
        if actual == estimated:  # the usual case once a query's cost is known: no trip to the store
            return

        def change(stored):
            state, buckets = self._open(stored, self._clock())
            for (kind, _), bucket in buckets.items():
                if kind == COMPLEXITY:
                    bucket.take(actual - estimated)
                    bucket.clamp(bucket.capacity)
            return self._close(state, buckets), None

        self.store.update(self.key, change)

    def pause(self, seconds: float) -> None:
        """After a 429: every request of the deployment waits ``seconds``; the 10 s request buckets
        empty so nobody bursts straight back into the limit."""

        def change(stored):
            now = self._clock()
            state, buckets = self._open(stored, now)
            state["paused_until"] = max(state["paused_until"], now + seconds)
            for (kind, window), bucket in buckets.items():
                if kind == REQUESTS and window == 10.0:
                    bucket.clamp(0.0)
            return self._close(state, buckets), None

        self.store.update(self.key, change)

    def observe(self, readings: list[dict]) -> None:
        """Learn from a ``rateLimits`` answer (quota shared with other integrations).

        The tier's quota as Centra reports it resizes our share (Centra may lower limits for a
        while). When the shared remaining quota is low, we hold the deployment's tokens to what is
        left above a margin, so it slows down instead of running into 429s.
        """

        def change(stored):
            state, buckets = self._open(stored, self._clock())
            for reading in readings:
                key = (_KINDS.get(reading.get("type")), WINDOWS.get(reading.get("intervalSeconds")))
                bucket = buckets.get(key)
                quota, remaining = reading.get("quota"), reading.get("remainingQuota")
                if bucket is None or not quota or remaining is None:
                    continue
                target = self.share * quota
                if abs(target - bucket.capacity) > 1e-9:
                    log.info("Centra %s quota per %ss is %s; our share is now %.0f", key[0], int(key[1]), quota, target)
                    bucket.capacity = target
                    bucket.clamp(target)
                state["quotas"][_slot(key)] = quota
                if remaining < self.LOW_WATER * quota:
                    bucket.clamp(max(0.0, remaining - 0.1 * quota))
            return self._close(state, buckets), None

        self.store.update(self.key, change)

    def close(self) -> None:
        self.store.close()
