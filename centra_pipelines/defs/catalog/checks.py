"""Catalog checks beyond the per-table contracts: variant completeness."""

import json

import dagster as dg
import pandas as pd

from centra_pipelines.defs.resources import WarehouseResource
from centra_pipelines.mapping.completeness import Completeness, name_missing, short_variants
from centra_pipelines.warehouse.reads import catalog, quarantine

FIRST_CASES = 20


@dg.asset_check(asset="sizes", additional_deps=["variants", "products", "size_charts"], blocking=False,
                description="Every variant has every size of its size chart; every size has a SKU and a GTIN/EAN "
                            "with a valid check digit (quarantined sizes count as present but bad).")
def variant_completeness(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    # Counting is left to the warehouse so that memory stays flat however large the catalog is.
    with warehouse.connect() as wh:
        counts = catalog.variant_size_counts(wh)
        charts = catalog.size_charts(wh)
        held = quarantine.quarantined(wh, "sizes", open_only=True)
        unidentified = catalog.sizes_without_identifiers(wh)
        quarantined = pd.DataFrame([p if isinstance(p, dict) else json.loads(p) for p in held["payload"]],
                                   columns=["id", "variant_id", "size_id", "sku", "ean"])
        quarantined = quarantined[quarantined["variant_id"].isin(counts["variant_id"])]
        extra = quarantined.groupby("variant_id").size()
        counts["sizes"] = counts["sizes"] + counts["variant_id"].map(extra).fillna(0).astype(int)
        short = short_variants(counts, charts)
        present = pd.DataFrame(columns=["variant_id", "size_id"])
        if not short.empty:
            present = catalog.sizes_of_variants(wh, [int(i) for i in short["variant_id"]])
            present = pd.concat([present, quarantined[["variant_id", "size_id"]]], ignore_index=True)
    bad = pd.concat([
        unidentified.assign(problem="no SKU or no GTIN/EAN"),
        quarantined[["id", "variant_id", "sku", "ean"]].assign(problem=held.loc[quarantined.index, "reason"].values),
    ], ignore_index=True)
    result = Completeness(name_missing(short, present, charts), bad)
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "variants_checked": len(counts),
            "variants_missing_sizes": len(result.missing_sizes),
            "sizes_with_bad_identifiers": len(result.bad_sizes),
            "first_missing": dg.MetadataValue.md(result.missing_sizes.head(FIRST_CASES).to_markdown(index=False))
            if not result.missing_sizes.empty else "none",
            "first_bad_sizes": dg.MetadataValue.md(result.bad_sizes.head(FIRST_CASES).to_markdown(index=False))
            if not result.bad_sizes.empty else "none",
        },
    )


CHECKS = [variant_completeness]
