"""Rate budget: sliding windows sized as a share of the Centra tier, shared by a whole deployment.

Centra's limits are token buckets per environment, shared by every integration of the brand
(requests and query complexity, each per 10 s and per hour). We spend ``share`` of each quota, so
the deployment leaves the rest to the neighbours; 429s and ``rateLimits`` readings correct us when
the shared quota runs low anyway.

Why sliding windows, not token buckets like Centra's: a bucket of capacity C refilled at C per
window W that starts full lets 2C through in one window (the full bucket, then a window's refill):
measured, 34 and 36 requests in a 10 s window against a share of 30. A sliding window guarantees the
share itself: no interval of length W, wherever it starts, holds more than C. Each window keeps its
spending in ``SLOTS`` sub-buckets of width W/SLOTS keyed by slot index (0.2 s for 10 s, 72 s for the
hour), so the state stays small; a request goes when the current slot, the SLOTS before it (and
IN_FLIGHT_SLOTS more: Centra counts a request when it arrives, not when we took it) and the request
together hold at most C, and otherwise waits, exactly, for enough old slots to expire. A steady
spender gets C per W + 3 W/SLOTS (94 % of the share; 98 % of the hour's, whose one slot covers it).

The windows live in a ``budget_store`` that every process and machine of the deployment reaches,
so two runs spend one share between them, not one each. Requests queue in lanes: a lane gives way
while a higher one waits (real time first, backfills last), and takes the budget otherwise.
A sliding window gives whoever waits only what expires, so a backfill that filled a window would
keep every other lane waiting for its spending to expire: up to a window (10 s) at the 10 s scale,
and up to most of an hour once it reached the hourly share (a long backfill spends the hour's share
in its first quarter). The backfill lane therefore fills a window only to ``BACKFILL_SHARE`` of it:
the rest is there at once for real time and the scheduled syncs, whatever the backfill did.
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


#: sub-buckets of a sliding window: 0.2 s wide for the 10 s windows, 72 s for the hour (time-scaled)
SLOTS = 50
#: slots a window counts beyond its length: the time a request may take from its take here to
#: Centra's count of it (the budget's commit, a busy interpreter, the network; 0.4 s at the 10 s
#: scale), so that two requests one window apart as we took them are not inside one window as
#: Centra counts them. Without it a loaded machine showed 31 requests in a 10 s interval against a
#: share of 30. In slots, not seconds, so a time-scaled budget keeps its proportions. The hour's
#: windows count the same 0.4 s, which one of their 72 s slots covers (two would waste 2 % of the hour).
IN_FLIGHT_SLOTS = 2


def in_flight_slots(window_seconds: float) -> int:
    """Slots a window of ``window_seconds`` (unscaled) counts beyond its length: those covering the
    10 s windows' IN_FLIGHT_SLOTS."""
    return math.ceil(IN_FLIGHT_SLOTS * 10.0 / window_seconds)


class Window:
    """What was spent over the last ``length`` seconds, in ``SLOTS`` slots keyed by slot index.

    A slot's spending counts while the slot is the current one or one of the ``reach`` before it
    (``SLOTS`` and ``in_flight`` more), so any interval of ``length`` seconds lies within the slots
    counted when its last request went, even as Centra counts the requests, up to ``in_flight``
    slots later: it holds at most ``capacity``. Slots are never negative (refunds come off the
    oldest first).
    """

    def __init__(self, capacity: float, length: float, slots: dict[int, float], in_flight: int = 0) -> None:
        self.capacity = float(capacity)
        self.length = float(length)
        self.width = self.length / SLOTS
        self.reach = SLOTS + in_flight
        self.slots = slots

    def _current(self, now: float) -> int:
        return math.floor(now / self.width)

    def prune(self, now: float) -> None:
        first = self._current(now) - self.reach
        self.slots = {i: amount for i, amount in self.slots.items() if i >= first and amount > 0}

    def spent(self, now: float) -> float:
        self.prune(now)
        return sum(self.slots.values())

    def wait_time(self, amount: float, now: float, fraction: float = 1.0) -> float:
        """Seconds until ``amount`` fits within ``fraction`` of the capacity: until enough old slots
        expired (amounts above it wait for an empty window)."""
        limit = fraction * self.capacity
        excess = self.spent(now) + min(amount, limit) - limit
        if excess <= 1e-9:  # tolerance: sums of float amounts
            return 0.0
        expires = now
        for i in sorted(self.slots):  # the oldest expire first
            if excess <= 1e-9:
                break
            excess -= self.slots[i]
            expires = (i + self.reach + 1) * self.width
        # at least a microsecond: at the expiry instant, now / width may still round down a slot
        return max(expires - now, 1e-6)

    def take(self, amount: float, now: float) -> None:
        """Spend ``amount`` now; a negative amount is a refund, taken off the oldest slots first, so
        the window never counts less than was really spent in any of its slots' lifetimes."""
        self.prune(now)
        if amount >= 0:
            current = self._current(now)
            self.slots[current] = self.slots.get(current, 0.0) + amount
            return
        refund = -amount
        for i in sorted(self.slots):
            part = min(refund, self.slots[i])
            self.slots[i] -= part
            refund -= part
        self.prune(now)

    def hold(self, at_most: float, now: float) -> None:
        """Leave at most ``at_most`` to spend for the next window: the rest counts as spent now."""
        self.take(max(0.0, self.capacity - self.spent(now) - max(0.0, at_most)), now)


@dataclass(frozen=True)
class Level:
    """A window's capacity and what was spent in it, as of one moment (for reports and tests)."""

    capacity: float
    spent: float

    @property
    def available(self) -> float:
        return max(0.0, self.capacity - self.spent)


def _name(key: tuple[str, float]) -> str:
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
    #: the backfill lane fills a window only to this fraction of it, by window length (seconds): the
    #: rest is there at once for the other lanes even when a backfill has spent all it could (see the
    #: module docstring). Two requests of a 10 s share of 30: a webhook batch's re-fetch goes at once,
    #: and a larger burst waits at most for the window's oldest slots (freshness p95 ~7 s against its
    #: 21 s target, docs/deploy.md); a tenth of the hour, which takes most of an hour to come back.
    BACKFILL_SHARE = {10.0: 0.95, 3600.0: 0.9}
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
        self._backfill = lane == "backfill"
        self._id = uuid.uuid4().hex  # this throttle's place in the queue (one per client)
        self._clock = clock
        self._sleep = sleep

    # --- the shared state ---------------------------------------------------------------------

    def _open(self, state: dict[str, Any] | None) -> tuple[dict[str, Any], dict[tuple, Window]]:
        """The state with defaults filled in, and its windows."""
        state = dict(state or {})
        # "levels": the token buckets of the previous version; the windows start empty instead
        state.pop("levels", None)
        quotas, spent = state.setdefault("quotas", {}), state.setdefault("windows", {})
        state.setdefault("paused_until", 0.0)
        state.setdefault("waiting", {})
        windows = {}
        for key, tier_quota in self.tier.quotas.items():
            slots = {int(i): amount for i, amount in spent.get(_name(key), {}).items()}  # JSON keys are text
            windows[key] = Window(self.share * quotas.get(_name(key), tier_quota), key[1] / self.time_scale, slots,
                                  in_flight_slots(key[1]))
        return state, windows

    @staticmethod
    def _close(state: dict[str, Any], windows: dict[tuple, Window], now: float) -> dict[str, Any]:
        for window in windows.values():
            window.prune(now)
        state["windows"] = {_name(key): {str(i): a for i, a in w.slots.items()} for key, w in windows.items()}
        return state

    def _change(self, alter: Callable[[dict[tuple, Window], dict[str, Any], float], Any]) -> Any:
        """Open the shared state, let ``alter(windows, state, now)`` change it, save it."""

        def change(stored):
            now = self._clock()
            state, windows = self._open(stored)
            result = alter(windows, state, now)
            return self._close(state, windows, now), result

        return self.store.update(self.key, change)

    def levels(self) -> dict[tuple[str, float], Level]:
        """Capacity and spending of every window as they are now (for reports and tests)."""
        return self._change(lambda windows, _state, now: {key: Level(w.capacity, w.spent(now))
                                                           for key, w in windows.items()})

    # --- spending -------------------------------------------------------------------------------

    def acquire(self, complexity: float = 0.0) -> float:
        """Block until one request and ``complexity`` points fit every window and no higher lane is
        waiting; take them; return seconds waited."""
        waited = 0.0
        while True:
            pause = self._change(lambda windows, state, now: self._try_take(windows, state, now, complexity))
            if pause <= 0:
                return waited
            self._sleep(pause)
            waited += pause

    def _try_take(self, windows: dict[tuple, Window], state: dict[str, Any], now: float, complexity: float) -> float:
        """Take one request and ``complexity`` if they fit and no higher lane waits (0.0), else how
        long to sleep before looking again; either way this throttle's place in the queue is kept."""
        amounts = {key: 1.0 if key[0] == REQUESTS else complexity for key in windows}
        waiting = {w: entry for w, entry in state["waiting"].items() if entry[1] > now and w != self._id}
        wait = state["paused_until"] - now
        for key, window in windows.items():
            fraction = self.BACKFILL_SHARE[key[1]] if self._backfill else 1.0
            wait = max(wait, window.wait_time(amounts[key], now, fraction))
        ahead = any(rank < self._rank for rank, _ in waiting.values())
        if wait <= 0 and not ahead:
            for key, window in windows.items():
                window.take(amounts[key], now)
            if self._rank < len(LANES) - 1:  # nobody gives way to the last lane
                waiting[self._id] = [self._rank, now + self.LINGER]
            state["waiting"] = waiting
            return 0.0
        pause = min(max(wait, self.YIELD_SECONDS if ahead else 0.0), self.LONGEST_SLEEP)
        waiting[self._id] = [self._rank, now + pause + self.WAITER_GRACE]
        state["waiting"] = waiting
        return pause

    def settle(self, estimated: float, actual: float) -> None:
        """Correct the complexity taken up front by what the response reported."""
        if actual == estimated:  # the usual case once a query's cost is known: no trip to the store
            return

        def change(windows, _state, now):
            for (kind, _), window in windows.items():
                if kind == COMPLEXITY:
                    window.take(actual - estimated, now)

        self._change(change)

    def pause(self, seconds: float) -> None:
        """After a 429: every request of the deployment waits ``seconds``, and the 10 s request
        window then offers only what a window's share would give over the pause (the rest counts as
        spent now), so nobody bursts straight back into the limit."""

        def change(windows, state, now):
            state["paused_until"] = max(state["paused_until"], now + seconds)
            window = windows[(REQUESTS, 10.0)]
            window.hold(window.capacity * min(1.0, seconds / window.length), now)

        self._change(change)

    def observe(self, readings: list[dict]) -> None:
        """Learn from a ``rateLimits`` answer (quota shared with other integrations).

        The tier's quota as Centra reports it resizes our share (Centra may lower limits for a
        while). When the shared remaining quota is low, we hold the deployment's spending to what
        is left above a margin, so it slows down instead of running into 429s.
        """

        def change(windows, state, now):
            for reading in readings:
                key = (_KINDS.get(reading.get("type")), WINDOWS.get(reading.get("intervalSeconds")))
                window = windows.get(key)
                quota, remaining = reading.get("quota"), reading.get("remainingQuota")
                if window is None or not quota or remaining is None:
                    continue
                target = self.share * quota
                if abs(target - window.capacity) > 1e-9:
                    log.info("Centra %s quota per %ss is %s; our share is now %.0f", key[0], int(key[1]), quota, target)
                    window.capacity = target
                state["quotas"][_name(key)] = quota
                if remaining < self.LOW_WATER * quota:
                    window.hold(remaining - 0.1 * quota, now)

        self._change(change)

    def close(self) -> None:
        self.store.close()
