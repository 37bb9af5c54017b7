"""Seeded fault injection for the sandbox Centra.

A plan is written as `5xx=0.2,429=0.1,reset=0.05,slow=0.01,truncate=0.02,nonjson=0.02,fail_at=40,
expire_at=100` plus optional settings `seed=N`, `storm=N` (length of a 429 burst), `slow_seconds=S`.
Each /graphql request draws once from a seeded generator, so the same plan and the same request
order give the same faults. Request numbers count from 1 since the plan was (re)set, so a test can
say "fail at the 40th request from now".

Kinds:
  5xx       answer 500, 502 or 503 (a proxy's plain-text error page)
  429       a 429 storm: this and the next `storm - 1` requests get 429 with Retry-After
  reset     drop the connection after the status line: the client sees a protocol error
  slow      answer after `slow_seconds` (longer than a client's timeout)
  truncate  a normal answer whose body is cut short (valid HTTP, invalid JSON)
  nonjson   200 with an HTML error page instead of JSON
  fail_at   request N and every later one answer 503 until the plan changes (resume tests)
  expire_at from request N on, the first configured token is expired (401)
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

KINDS = ("5xx", "429", "reset", "slow", "truncate", "nonjson")
SETTINGS = ("fail_at", "expire_at", "seed", "storm", "slow_seconds")


@dataclass(frozen=True)
class FaultPlan:
    probabilities: dict[str, float] = field(default_factory=dict)
    fail_at: int | None = None
    expire_at: int | None = None
    seed: int = 0
    storm: int = 3
    slow_seconds: float = 35.0

    def __post_init__(self):
        for kind, p in self.probabilities.items():
            if kind not in KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"fault probability for {kind} must be in [0, 1], got {p}")
        if sum(self.probabilities.values()) > 1.0 + 1e-9:
            raise ValueError("fault probabilities add up to more than 1")
        for name in ("fail_at", "expire_at"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} counts requests from 1, got {value}")
        if self.storm < 1 or self.slow_seconds < 0:
            raise ValueError("storm must be >= 1 and slow_seconds >= 0")

    @classmethod
    def parse(cls, spec: str | None, *, seed: int = 0) -> "FaultPlan":
        """Parse the CLI/endpoint form. An empty spec is the plan with no faults."""
        probabilities: dict[str, float] = {}
        settings: dict[str, float | int] = {"seed": seed}
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep:
                raise ValueError(f"fault spec item {part!r} must be KEY=VALUE")
            if key not in KINDS and key not in SETTINGS:
                raise ValueError(f"unknown fault spec key {key!r}; known: {', '.join(KINDS + SETTINGS)}")
            try:
                if key in KINDS:
                    probabilities[key] = float(value)
                elif key == "slow_seconds":
                    settings[key] = float(value)
                else:
                    settings[key] = int(value)
            except ValueError:
                raise ValueError(f"fault spec item {part!r}: {value.strip()!r} is not a number") from None
        return cls(probabilities=probabilities, **settings)

    def spec(self) -> str:
        parts = [f"{k}={v:g}" for k, v in self.probabilities.items()]
        parts += [f"{k}={getattr(self, k)}" for k in ("fail_at", "expire_at") if getattr(self, k) is not None]
        parts += [f"seed={self.seed}", f"storm={self.storm}", f"slow_seconds={self.slow_seconds:g}"]
        return ",".join(parts)


@dataclass(frozen=True)
class Fault:
    """What to do to one request. `status` for 5xx/fail_at; `expired` for expire_at."""

    kind: str | None
    status: int | None = None
    expired: bool = False


class FaultInjector:
    """Draws the fault of each request in arrival order. Thread-safe."""

    def __init__(self, plan: FaultPlan | None = None):
        self._lock = threading.Lock()
        self.set_plan(plan or FaultPlan())

    def set_plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._rng = random.Random(plan.seed)
            self._count = 0
            self._storm_left = 0

    def next(self) -> Fault:
        with self._lock:
            plan = self.plan
            self._count += 1
            n = self._count
            expired = plan.expire_at is not None and n >= plan.expire_at
            if plan.fail_at is not None and n >= plan.fail_at:
                return Fault("fail_at", status=503, expired=expired)
            if self._storm_left > 0:
                self._storm_left -= 1
                return Fault("429", status=429, expired=expired)
            if not plan.probabilities:
                return Fault(None, expired=expired)
            # One draw per request keeps the sequence a function of (seed, request number).
            u = self._rng.random()
            status = self._rng.choice((500, 502, 503))
            edge = 0.0
            for kind in KINDS:
                edge += plan.probabilities.get(kind, 0.0)
                if u < edge:
                    if kind == "429":
                        self._storm_left = plan.storm - 1
                        return Fault(kind, status=429, expired=expired)
                    return Fault(kind, status=status if kind == "5xx" else None, expired=expired)
            return Fault(None, expired=expired)
