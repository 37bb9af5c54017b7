"""Stock drift: how a fresh snapshot differs from the stock the warehouse holds (pure pandas)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """stored/fresh: size_id, physical, allocated, free_to_allocate (one warehouse)."""
    merged = fresh[["size_id", *QUANTITIES]].merge(stored[["size_id", *QUANTITIES]], on="size_id", how="left",
                                                  suffixes=("", "_stored"), indicator=True)
    known = merged[merged["_merge"] == "both"]
    differs = pd.Series(False, index=known.index)
    for q in QUANTITIES:
        differs |= known[q].astype("Int64") != known[f"{q}_stored"].astype("Int64")
    drifted = known[differs]
    physical_diff = drifted["physical"].astype("Int64") - drifted["physical_stored"].astype("Int64")
    worst = (drifted.assign(physical_difference=physical_diff)
             .sort_values("physical_difference", key=lambda s: -s.abs()).head(keep))
    return Drift(
        compared=len(known),
        sizes_differing=len(drifted),
        units_differing=int(physical_diff.abs().sum()) if len(drifted) else 0,
        new_sizes=int((merged["_merge"] == "left_only").sum()),
        worst=[{"size_id": int(r.size_id), "sku": (skus or {}).get(int(r.size_id)),
                "stored_physical": int(r.physical_stored), "physical": int(r.physical),
                "physical_difference": int(r.physical_difference)} for r in worst.itertuples()],
    )
