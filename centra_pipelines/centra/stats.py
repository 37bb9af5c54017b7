"""Request statistics, per request, per iteration and per client (for asset metadata)."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field


@dataclass
class Stats:
    requests: int = 0  # HTTP requests sent, retries and 429s included
    complexity: int = 0  # sum of extensions.complexity
    throttled: int = 0  # HTTP 429 answers
    retries: int = 0  # attempts repeated after 5xx, timeouts, resets, malformed bodies
    wait_seconds: float = 0.0  # time spent waiting on the throttle and on Retry-After
    bytes: int = 0  # response body bytes
    rows: int = 0  # rows yielded by an iteration
    pages: int = 0  # pages yielded by an iteration
    lane: str | None = field(default=None, compare=False)  # the budget lane the client spends in (not summed)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, other: Stats) -> None:
        with self._lock:
            for name in _FIELDS:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def copy(self) -> Stats:
        with self._lock:
            return Stats(lane=self.lane, **{name: getattr(self, name) for name in _FIELDS})

    def as_dict(self) -> dict[str, float | int]:
        with self._lock:
            return {name: round(getattr(self, name), 3) if name == "wait_seconds" else getattr(self, name)
                    for name in _FIELDS}


_FIELDS = [f.name for f in dataclasses.fields(Stats) if not f.name.startswith("_") and f.name != "lane"]
