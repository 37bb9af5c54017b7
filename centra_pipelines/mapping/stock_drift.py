"""Stock drift: how a fresh snapshot differs from the stock the warehouse holds (pure pandas)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

QUANTITIES = ["physical", "allocated", "free_to_allocate"]


@dataclass
class Drift:
    compared: int = 0  # sizes present both in the warehouse and in the snapshot
    sizes_differing: int = 0
    units_differing: int = 0  # sum over sizes of |physical difference|
    new_sizes: int = 0  # in the snapshot, not stored before
    worst: list[dict] = field(default_factory=list)  # largest physical differences, biggest first

    def add(self, other: "Drift", keep: int = 10) -> None:
        self.compared += other.compared
        self.sizes_differing += other.sizes_differing
        self.units_differing += other.units_differing
        self.new_sizes += other.new_sizes
        self.worst = sorted(self.worst + other.worst, key=lambda r: -abs(r["physical_difference"]))[:keep]

    @property
    def share(self) -> float:
        return self.sizes_differing / self.compared if self.compared else 0.0


def compare_stock(stored: pd.DataFrame, fresh: pd.DataFrame, skus: dict[int, str] | None = None,
                  keep: int = 10) -> Drift:
    """stored/fresh: size_id, physical, allocated, free_to_allocate (one warehouse).

    In numpy rather than a pandas merge: it runs on every stock page (~20 ms a page that way)."""
    position = pd.Index(stored["size_id"]).get_indexer(fresh["size_id"])
    known = position >= 0
    at = position[known]
    differs = np.zeros(int(known.sum()), dtype=bool)
    for q in QUANTITIES:
        differs |= _values(fresh[q])[known] != _values(stored[q])[at]
    sizes = fresh["size_id"].to_numpy()[known][differs]
    physical, stored_physical = _values(fresh["physical"])[known][differs], _values(stored["physical"])[at][differs]
    difference = physical - stored_physical
    order = np.argsort(-np.abs(difference), kind="stable")[:keep]
    return Drift(
        compared=int(known.sum()),
        sizes_differing=int(differs.sum()),
        units_differing=int(np.abs(difference).sum()),
        new_sizes=int((~known).sum()),
        worst=[{"size_id": int(sizes[i]), "sku": (skus or {}).get(int(sizes[i])),
                "stored_physical": int(stored_physical[i]), "physical": int(physical[i]),
                "physical_difference": int(difference[i])} for i in order],
    )


def _values(column: pd.Series) -> np.ndarray:
    """Quantities as floats (a missing one as NaN, which differs from every stored value)."""
    return column.to_numpy(dtype=float, na_value=np.nan)
