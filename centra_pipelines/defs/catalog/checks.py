"""Catalog checks beyond the per-table contracts: variant completeness."""

import json

import dagster as dg
import pandas as pd

from centra_pipelines.defs.resources import WarehouseResource
from centra_pipelines.mapping.completeness import Completeness, name_missing, short_variants

FIRST_CASES = 20


@dg.asset_check(asset="sizes", additional_deps=["variants", "products", "size_charts"], blocking=False,
                description="Every variant has every size of its size chart; every size has a SKU and a GTIN/EAN "
                            "with a valid check digit (quarantined sizes count as present but bad).")
def variant_completeness(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    # Counting is left to the warehouse so that memory stays flat however large the catalog is.
    with warehouse.connect() as wh:
        t = wh.table_ref
        counts = wh.read(
            f"SELECT v.id AS variant_id, v.product_id, p.size_chart_id, count(s.id) AS sizes "
            f"FROM {t('variants')} v JOIN {t('products')} p ON p.id = v.product_id AND p.deleted_at IS NULL "
            f"LEFT JOIN {t('sizes')} s ON s.variant_id = v.id AND s.deleted_at IS NULL "
            f"WHERE v.deleted_at IS NULL GROUP BY v.id, v.product_id, p.size_chart_id")
        charts = wh.read(f"SELECT id, sizes FROM {t('size_charts')}")
        held = wh.read(f"SELECT key, reason, payload FROM {t('quarantine')} "
                       "WHERE table_name = 'sizes' AND resolved_at IS NULL")
        unidentified = wh.read(f"SELECT id, variant_id, sku, ean FROM {t('sizes')} WHERE deleted_at IS NULL "
                               f"AND (sku IS NULL OR sku = '' OR ean IS NULL OR ean = '')")
        quarantined = pd.DataFrame([p if isinstance(p, dict) else json.loads(p) for p in held["payload"]],
                                   columns=["id", "variant_id", "size_id", "sku", "ean"])
        quarantined = quarantined[quarantined["variant_id"].isin(counts["variant_id"])]
        extra = quarantined.groupby("variant_id").size()
        counts["sizes"] = counts["sizes"] + counts["variant_id"].map(extra).fillna(0).astype(int)
        short = short_variants(counts, charts)
        present = pd.DataFrame(columns=["variant_id", "size_id"])
        if not short.empty:
            ids = ", ".join(str(int(i)) for i in short["variant_id"])
            present = wh.read(f"SELECT variant_id, size_id FROM {t('sizes')} WHERE deleted_at IS NULL "
                              f"AND variant_id IN ({ids})")
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
