"""Variant completeness: the place where Centra integrations most often lose data (pure pandas).

Every variant should have every size of its product's size chart, and every size a SKU and a
GTIN/EAN with a valid check digit. The heavy part (counting sizes per variant) is done by the
warehouse; this module compares those counts with the charts and names what is missing. Sizes the
size contract rejected (they sit in quarantine) count as present: they are reported as bad sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class Completeness:
    missing_sizes: pd.DataFrame  # variant_id, product_id, size_chart_id, missing (size names)
    bad_sizes: pd.DataFrame  # id, variant_id, sku, ean, problem

    @property
    def passed(self) -> bool:
        return self.missing_sizes.empty and self.bad_sizes.empty


def short_variants(counts: pd.DataFrame, size_charts: pd.DataFrame) -> pd.DataFrame:
    """counts: variant_id, product_id, size_chart_id, sizes (how many it has). The variants with fewer
    sizes than their chart, with the chart's size count."""
    chart_size = {int(r.id): len(r.sizes or []) for r in size_charts.itertuples()}
    counts = counts.dropna(subset=["size_chart_id"]).copy()
    counts["expected"] = counts["size_chart_id"].astype(int).map(chart_size)
    return counts[counts["expected"].notna() & (counts["sizes"] < counts["expected"])]


def name_missing(short: pd.DataFrame, present: pd.DataFrame, size_charts: pd.DataFrame) -> pd.DataFrame:
    """short: from short_variants; present: variant_id, size_id of those variants' sizes."""
    charts = {int(r.id): {int(s["id"]): s.get("name") for s in (r.sizes or [])} for r in size_charts.itertuples()}
    have: dict[int, set[int]] = {}
    for r in present.dropna().itertuples(index=False):
        have.setdefault(int(r.variant_id), set()).add(int(r.size_id))
    rows = []
    for v in short.itertuples(index=False):
        expected = charts[int(v.size_chart_id)]
        gone = [str(name) for size_id, name in expected.items() if size_id not in have.get(int(v.variant_id), set())]
        rows.append({"variant_id": int(v.variant_id), "product_id": int(v.product_id),
                     "size_chart_id": int(v.size_chart_id), "missing": ", ".join(gone)})
    return pd.DataFrame(rows, columns=["variant_id", "product_id", "size_chart_id", "missing"])
