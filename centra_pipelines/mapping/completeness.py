"""Variant completeness: the place where Centra integrations most often lose data (pure pandas).

Every variant should have every size of its product's size chart, and every size a SKU and a
GTIN/EAN with a valid check digit. Sizes the size contract rejected (they sit in quarantine) still
count as present here — they are reported as bad sizes, not as missing ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from centra_pipelines.schemas.gtin import is_valid_gtin


@dataclass
class Completeness:
    missing_sizes: pd.DataFrame  # variant_id, product_id, size_chart_id, missing (size names)
    bad_sizes: pd.DataFrame  # size id, variant_id, sku, ean, problem

    @property
    def passed(self) -> bool:
        return self.missing_sizes.empty and self.bad_sizes.empty


def check_variants(products: pd.DataFrame, variants: pd.DataFrame, sizes: pd.DataFrame,
                   size_charts: pd.DataFrame) -> Completeness:
    """products(id, size_chart_id), variants(id, product_id), sizes(id, variant_id, size_id, sku, ean),
    size_charts(id, sizes=[{id, name}])."""
    chart_sizes = {int(r.id): {int(s["id"]): s.get("name") for s in (r.sizes or [])} for r in size_charts.itertuples()}
    chart_of = dict(zip(products["id"].astype(int), products["size_chart_id"]))
    have: dict[int, set[int]] = {}
    for r in sizes[["variant_id", "size_id"]].dropna().itertuples(index=False):
        have.setdefault(int(r.variant_id), set()).add(int(r.size_id))
    missing = []
    for v in variants[["id", "product_id"]].itertuples(index=False):
        chart = chart_of.get(int(v.product_id))
        if chart is None or pd.isna(chart) or int(chart) not in chart_sizes:
            continue
        expected = chart_sizes[int(chart)]
        gone = [name for size_id, name in expected.items() if size_id not in have.get(int(v.id), set())]
        if gone:
            missing.append({"variant_id": int(v.id), "product_id": int(v.product_id), "size_chart_id": int(chart),
                            "missing": ", ".join(str(n) for n in gone)})
    bad = []
    for s in sizes[["id", "variant_id", "sku", "ean"]].itertuples(index=False):
        problems = []
        if not isinstance(s.sku, str) or not s.sku:
            problems.append("no SKU")
        if not isinstance(s.ean, str) or not s.ean:
            problems.append("no GTIN/EAN")
        elif not is_valid_gtin(s.ean):
            problems.append("GTIN/EAN check digit invalid")
        if problems:
            bad.append({"id": int(s.id), "variant_id": int(s.variant_id), "sku": s.sku, "ean": s.ean,
                        "problem": "; ".join(problems)})
    return Completeness(pd.DataFrame(missing, columns=["variant_id", "product_id", "size_chart_id", "missing"]),
                        pd.DataFrame(bad, columns=["id", "variant_id", "sku", "ean", "problem"]))
