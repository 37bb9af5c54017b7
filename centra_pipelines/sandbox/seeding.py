"""The generator's seeded draws: what every part of the brand (reference data, products, customers,
orders) picks its values with, and how often it spoils one on purpose."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

QUIRK_RATE = 0.015  # share of rows deliberately spoiled, as real catalogs are


def seeded(seed: int, kind: str, ident: int) -> random.Random:
    """A generator of its own for one object, so it is the same whatever was generated before it."""
    digest = hashlib.blake2b(f"{seed}:{kind}:{ident}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def moment(base: datetime, rng: random.Random, span: timedelta) -> datetime:
    return base + timedelta(seconds=rng.randrange(max(1, int(span.total_seconds()))))
