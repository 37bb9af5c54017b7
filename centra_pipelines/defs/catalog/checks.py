"""Catalog checks beyond the per-table contracts: variant completeness."""


import json

import dagster as dg
import pandas as pd

from centra_pipelines.defs.resources import WarehouseResource
from centra_pipelines.mapping.completeness import check_variants

FIRST_CASES = 20


@dg.asset_check(asset="sizes", additional_deps=["variants", "products", "size_charts"], blocking=False,
                description="Every variant has every size of its size chart; every size has a SKU and a GTIN/EAN "
                            "with a valid check digit (quarantined sizes count as present but bad).")
def variant_completeness(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as wh:
        live = "WHERE deleted_at IS NULL"
        products = wh.read(f"SELECT id, size_chart_id FROM {wh.table_ref('products')} {live}")
        variants = wh.read(f"SELECT id, product_id FROM {wh.table_ref('variants')} {live}")
        sizes = wh.read(f"SELECT id, variant_id, size_id, sku, ean FROM {wh.table_ref('sizes')} {live}")
        charts = wh.read(f"SELECT id, sizes FROM {wh.table_ref('size_charts')}")
        held = wh.read(f"SELECT payload FROM {wh.table_ref('quarantine')} WHERE table_name = 'sizes'")
    if not held.empty:
        payloads = [p if isinstance(p, dict) else json.loads(p) for p in held["payload"]]
        quarantined = pd.DataFrame(payloads)[["id", "variant_id", "size_id", "sku", "ean"]]
        sizes = pd.concat([sizes, quarantined[~quarantined["id"].isin(sizes["id"])]], ignore_index=True)
    result = check_variants(products, variants, sizes, charts)
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "variants_checked": len(variants),
            "variants_missing_sizes": len(result.missing_sizes),
            "sizes_with_bad_identifiers": len(result.bad_sizes),
            "first_missing": dg.MetadataValue.md(result.missing_sizes.head(FIRST_CASES).to_markdown(index=False))
            if not result.missing_sizes.empty else "none",
            "first_bad_sizes": dg.MetadataValue.md(result.bad_sizes.head(FIRST_CASES).to_markdown(index=False))
            if not result.bad_sizes.empty else "none",
        },
    )


CHECKS = [variant_completeness]
