"""Reads of the catalog tables: markets and their content, deleted products' rows, variant sizes, SKUs."""

from __future__ import annotations

import json

import pandas as pd

from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.engine import Warehouse
from centra_pipelines.warehouse.reads import any_of


def selected_market_ids(wh: Warehouse) -> list[int]:
    """The markets this project syncs, in id order."""
    frame = wh.read(f"SELECT id FROM {wh.table_ref(model.MARKETS.name)} WHERE selected")
    return sorted(int(i) for i in frame["id"])


def market_country_codes(wh: Warehouse, market_id: int) -> list[str]:
    """The countries of a market ([] for an unknown market or one without countries)."""
    frame = wh.read(f"SELECT country_codes FROM {wh.table_ref(model.MARKETS.name)} WHERE id = {wh.param}",
                    (int(market_id),))
    codes = frame["country_codes"].iloc[0] if len(frame) else []
    return json.loads(codes) if isinstance(codes, str) else list(codes if codes is not None else [])


def live_languages(wh: Warehouse) -> pd.DataFrame:
    """(code, country_code, is_active) of every language Centra still has."""
    return wh.read(f"SELECT code, country_code, is_active FROM {wh.table_ref(model.LANGUAGES.name)} "
                   "WHERE deleted_at IS NULL")


def displayed_products(wh: Warehouse, market_id: int) -> pd.DataFrame:
    """(product_id) of the active products an active display shows in the market."""
    return wh.read(_displayed(wh), (int(market_id),))


def displayed_image_counts(wh: Warehouse, market_id: int) -> pd.DataFrame:
    """(product_id, images) of the market's displayed products that have images."""
    return wh.read(f"SELECT product_id, count(*) AS images FROM {wh.table_ref(model.PRODUCT_MEDIA.name)} "
                   f"WHERE deleted_at IS NULL AND product_id IN ({_displayed(wh)}) GROUP BY product_id",
                   (int(market_id),))


def displayed_name_languages(wh: Warehouse, market_id: int) -> pd.DataFrame:
    """(product_id, language_code) of the non-empty product names of the market's displayed products."""
    return wh.read(f"SELECT object_id AS product_id, language_code FROM {wh.table_ref(model.TRANSLATIONS.name)} "
                   "WHERE object_type = 'product' AND field = 'name' AND deleted_at IS NULL AND value <> '' "
                   f"AND object_id IN ({_displayed(wh)})", (int(market_id),))


def _displayed(wh: Warehouse) -> str:
    # One bound parameter: the market id.
    return (f"SELECT DISTINCT d.product_id FROM {wh.table_ref(model.DISPLAYS.name)} d "
            f"JOIN {wh.table_ref(model.PRODUCTS.name)} p ON p.id = d.product_id "
            f"AND p.status = 'ACTIVE' AND p.deleted_at IS NULL WHERE d.market_id = {wh.param} "
            "AND d.status = 'ACTIVE' AND d.deleted_at IS NULL")


def orphan_category_links(wh: Warehouse) -> pd.DataFrame:
    """(display_id, product_id, category_id) of live links to a category the tree lacks, by category."""
    return wh.read(f"SELECT l.display_id, l.product_id, l.category_id FROM {wh.table_ref(model.PRODUCT_CATEGORIES.name)} l "
                   f"WHERE l.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM {wh.table_ref(model.CATEGORIES.name)} c "
                   "WHERE c.id = l.category_id AND c.deleted_at IS NULL) ORDER BY 3, 1")


def product_rows(wh: Warehouse, product_ids: list[int]) -> dict[str, list]:
    """The keys of everything stored of these products, by table: the products, their images,
    name and text translations, variants and sizes (what is marked deleted with them)."""
    if not product_ids:
        return {}
    ids = ([int(i) for i in product_ids],)
    of_products = f"product_id = {any_of(wh, 'BIGINT')}"
    return {
        model.PRODUCTS.name: list(product_ids),
        model.PRODUCT_MEDIA.name: wh.read(
            f"SELECT id FROM {wh.table_ref(model.PRODUCT_MEDIA.name)} WHERE {of_products}", ids)["id"].tolist(),
        model.TRANSLATIONS.name: list(wh.read(
            f"SELECT object_type, object_id, field, language_code FROM {wh.table_ref(model.TRANSLATIONS.name)} "
            f"WHERE object_type = 'product' AND object_id = {any_of(wh, 'BIGINT')}", ids,
        ).itertuples(index=False, name=None)),
        model.VARIANTS.name: wh.read(
            f"SELECT id FROM {wh.table_ref(model.VARIANTS.name)} WHERE {of_products}", ids)["id"].tolist(),
        model.SIZES.name: wh.read(
            f"SELECT id FROM {wh.table_ref(model.SIZES.name)} WHERE {of_products}", ids)["id"].tolist(),
    }


def variant_size_counts(wh: Warehouse) -> pd.DataFrame:
    """(variant_id, product_id, size_chart_id, sizes) of every live variant of a live product: its live sizes."""
    return wh.read(
        "SELECT v.id AS variant_id, v.product_id, p.size_chart_id, count(s.id) AS sizes "
        f"FROM {wh.table_ref(model.VARIANTS.name)} v "
        f"JOIN {wh.table_ref(model.PRODUCTS.name)} p ON p.id = v.product_id AND p.deleted_at IS NULL "
        f"LEFT JOIN {wh.table_ref(model.SIZES.name)} s ON s.variant_id = v.id AND s.deleted_at IS NULL "
        "WHERE v.deleted_at IS NULL GROUP BY v.id, v.product_id, p.size_chart_id")


def size_charts(wh: Warehouse) -> pd.DataFrame:
    """(id, sizes) of every size chart."""
    return wh.read(f"SELECT id, sizes FROM {wh.table_ref(model.SIZE_CHARTS.name)}")


def sizes_without_identifiers(wh: Warehouse) -> pd.DataFrame:
    """(id, variant_id, sku, ean) of the live sizes lacking a SKU or a GTIN/EAN."""
    return wh.read(f"SELECT id, variant_id, sku, ean FROM {wh.table_ref(model.SIZES.name)} WHERE deleted_at IS NULL "
                   "AND (sku IS NULL OR sku = '' OR ean IS NULL OR ean = '')")


def sizes_of_variants(wh: Warehouse, variant_ids: list[int]) -> pd.DataFrame:
    """(variant_id, size_id) of the live sizes of these variants."""
    return wh.read(f"SELECT variant_id, size_id FROM {wh.table_ref(model.SIZES.name)} WHERE deleted_at IS NULL "
                   f"AND variant_id = {any_of(wh, 'BIGINT')}", ([int(i) for i in variant_ids],))


def skus(wh: Warehouse, size_ids: list[int]) -> dict[int, str]:
    """The SKU of each of these sizes (ids the warehouse lacks are absent)."""
    if not size_ids:
        return {}
    frame = wh.read(f"SELECT id, sku FROM {wh.table_ref(model.SIZES.name)} WHERE id = {any_of(wh, 'BIGINT')}",
                    ([int(i) for i in size_ids],))
    return dict(zip(frame["id"].astype(int), frame["sku"]))
