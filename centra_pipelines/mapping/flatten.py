"""Centra rows (nested GraphQL answers) into flat table frames, column names as in warehouse.model.

Pure functions: a page of rows in, one DataFrame per table out. Dates become UTC; a date that is
not a date becomes NaT so the table's contract rejects (and quarantines) that row rather than
failing the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from centra_pipelines.mapping.timestamps import to_utc_series
from centra_pipelines.warehouse import model

DEFAULT_TIMEZONE = "Europe/Stockholm"
# A market that looks like a test market (refused unless explicitly allowed).
TEST_MARKET = re.compile(r"\b(test|qa|staging|sandbox|demo|dummy)\b", re.IGNORECASE)


def _frame(rows: list[dict[str, Any]], columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def _utc(frame: pd.DataFrame, columns: Iterable[str], timezone: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = to_utc_series(frame[column], timezone, errors="coerce")
    return frame


def _id(obj: dict | None) -> int | None:
    return None if obj is None else obj.get("id")


def _codes(countries: list[dict] | None) -> list[str]:
    return sorted(c["code"] for c in countries or [])


# --- markets group ---------------------------------------------------------------------------

def stores(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "name": r["name"], "type": r["type"]} for r in rows], model.STORES.columns)


def market_is_active(market: dict, pricelists: list[dict]) -> bool:
    """Centra's Market has no status: a market is active when it has countries and an active pricelist
    serving one of them in its store."""
    countries = set(_codes(market.get("assignedToCountries")))
    if not countries:
        return False
    store_id = _id(market.get("store"))
    return any(p["status"] == "ACTIVE" and _id(p.get("store")) == store_id
               and countries & set(_codes(p.get("assignedToCountries"))) for p in pricelists)


def markets(rows: list[dict], pricelists: list[dict], selected: set[int]) -> pd.DataFrame:
    return _frame([{
        "id": r["id"], "name": r["name"], "comment": r.get("comment"), "store_id": _id(r.get("store")),
        "country_codes": _codes(r.get("assignedToCountries")), "allocation_rule_id": _id(r.get("allocationRule")),
        "is_active": market_is_active(r, pricelists), "looks_like_test": bool(TEST_MARKET.search(r["name"] or "")),
        "selected": r["id"] in selected,
    } for r in rows], model.MARKETS.columns)


def pricelists(rows: list[dict], timezone: str = DEFAULT_TIMEZONE) -> pd.DataFrame:
    frame = _frame([{
        "id": r["id"], "name": r["name"], "status": r["status"], "currency_code": (r.get("currency") or {}).get("code"),
        "store_id": _id(r.get("store")), "country_codes": _codes(r.get("assignedToCountries")),
        "updated_at": r.get("updatedAt"),
    } for r in rows], model.PRICELISTS.columns)
    return _utc(frame, ["updated_at"], timezone)


def warehouses(rows: list[dict], selected: set[int]) -> pd.DataFrame:
    return _frame([{
        "id": r["id"], "name": r["name"], "status": r.get("status"), "stock_master": r.get("stockMaster"),
        "allocation_policy": r.get("allocationPolicy"), "country_code": (r.get("country") or {}).get("code"),
        "selected": r["id"] in selected,
    } for r in rows], model.WAREHOUSES.columns)


def currencies(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "code": r["code"], "name": r.get("name"), "is_base": r.get("isBase")}
                   for r in rows], model.CURRENCIES.columns)


def languages(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "name": r["name"], "code": r["code"], "language_code": r.get("languageCode"),
                    "country_code": r.get("countryCode"), "is_active": r.get("isActive")} for r in rows],
                  model.LANGUAGES.columns)


def countries(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "code": r["code"], "name": r["name"], "is_eu": r.get("isEU")} for r in rows],
                  model.COUNTRIES.columns)


# --- catalog group ---------------------------------------------------------------------------

def size_charts(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "name": r["name"],
                    "sizes": [{"id": s["id"], "name": s.get("name")} for s in r.get("sizes") or []]}
                   for r in rows], model.SIZE_CHARTS.columns)


def catalog(products: list[dict], timezone: str = DEFAULT_TIMEZONE) -> dict[str, pd.DataFrame]:
    """One nested page of products → variants → sizes as three frames, with each product's images
    (position = Centra's order) and translations (one row per field and language)."""
    product_rows, variant_rows, size_rows, media_rows, translation_rows = [], [], [], [], []
    for p in products:
        for position, m in enumerate(p.get("media") or []):
            source = m.get("source") or {}
            size = source.get("mediaSize") or {}
            media_rows.append({"id": m["id"], "product_id": p["id"], "position": position, "url": source.get("url"),
                               "mime_type": source.get("mimeType"), "size_name": size.get("name"),
                               "max_width": size.get("maxWidth"), "max_height": size.get("maxHeight"),
                               "product_updated_at": p.get("updatedAt")})
        for t in p.get("translations") or []:
            for f in t.get("fields") or []:
                translation_rows.append({"object_type": "product", "object_id": p["id"], "field": f.get("field"),
                                         "language_code": (t.get("language") or {}).get("code"),
                                         "value": f.get("value"), "object_updated_at": p.get("updatedAt")})
        chart_id = None
        for v in p.get("variants") or []:
            variant_rows.append({"id": v["id"], "product_id": p["id"], "name": v.get("name"), "status": v.get("status"),
                                 "variant_number": v.get("variantNumber"), "updated_at": v.get("updatedAt")})
            for s in v.get("productSizes") or []:
                size = s.get("size") or {}
                chart_id = chart_id or _id(size.get("sizeChart"))
                size_rows.append({
                    "id": s["id"], "variant_id": v["id"], "product_id": p["id"], "size_id": size.get("id"),
                    "size_name": size.get("name"), "size_chart_id": _id(size.get("sizeChart")),
                    "size_number": s.get("sizeNumber"), "sku": s.get("SKU"), "ean": s.get("EAN"),
                    "updated_at": s.get("updatedAt"),
                })
        product_rows.append({"id": p["id"], "name": p.get("name"), "status": p.get("status"),
                             "product_number": p.get("productNumber"), "is_bundle": p.get("isBundle"),
                             "size_chart_id": chart_id, "brand_id": _id(p.get("brand")),
                             "collection_id": _id(p.get("collection")), "folder_id": _id(p.get("folder")),
                             "created_at": p.get("createdAt"), "updated_at": p.get("updatedAt")})
    return {
        "products": _utc(_frame(product_rows, model.PRODUCTS.columns), ["created_at", "updated_at"], timezone),
        "variants": _utc(_frame(variant_rows, model.VARIANTS.columns), ["updated_at"], timezone),
        "sizes": _utc(_frame(size_rows, model.SIZES.columns), ["updated_at"], timezone),
        "product_media": _utc(_frame(media_rows, model.PRODUCT_MEDIA.columns), ["product_updated_at"], timezone),
        "translations": _utc(_frame(translation_rows, model.TRANSLATIONS.columns), ["object_updated_at"], timezone),
    }


def displays_and_prices(rows: list[dict], markets: set[int], timezone: str = DEFAULT_TIMEZONE) -> dict[str, pd.DataFrame]:
    """One page of displays: a display row per selected market it is shown in, its categories, and its
    prices once per pricelist (a price belongs to the product and the pricelist, whichever markets show it)."""
    display_rows, price_rows, category_rows = [], [], []
    for d in rows:
        category = d.get("canonicalCategory") or {}
        category_rows += [{"display_id": d["id"], "category_id": c["id"], "product_id": _id(d.get("product")),
                           "is_canonical": c["id"] == category.get("id"), "display_updated_at": d.get("updatedAt")}
                          for c in d.get("categories") or []]
        for market in sorted({_id(m) for m in d.get("markets") or []} & markets):
            display_rows.append({"market_id": market, "id": d["id"], "product_id": _id(d.get("product")),
                                 "name": d.get("name"), "status": d.get("status"), "updated_at": d.get("updatedAt"),
                                 "category_id": category.get("id"), "category_name": category.get("name")})
        for price in d.get("prices") or []:
            money = price.get("price") or {}
            price_rows.append({"display_id": d["id"], "product_id": _id(d.get("product")),
                               "pricelist_id": _id(price.get("pricelist")), "price": money.get("value"),
                               "currency_code": (money.get("currency") or {}).get("code"),
                               "updated_at": d.get("updatedAt")})
    return {
        "displays": _utc(_frame(display_rows, model.DISPLAYS.columns), ["updated_at"], timezone),
        "prices": _utc(_frame(price_rows, model.PRICES.columns), ["updated_at"], timezone),
        "product_categories": _utc(_frame(category_rows, model.PRODUCT_CATEGORIES.columns), ["display_updated_at"],
                                   timezone),
    }


# --- catalog structure and wholesale accounts --------------------------------------------------

def brands(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "name": r.get("name")} for r in rows], model.BRANDS.columns)


def collections(rows: list[dict]) -> pd.DataFrame:
    return _frame([{"id": r["id"], "name": r.get("name"), "uri": r.get("uri"), "status": r.get("status")}
                   for r in rows], model.COLLECTIONS.columns)


def tree(rows: list[dict], children_key: str) -> list[dict]:
    """Nodes listed flat with their children (Centra's categories and folders) → each node with its
    parent, its path of names from the root (" > ") and depth (0 for a root). A node whose parents loop
    back to it (a cycle) gets no path and no depth; the category_tree check names it."""
    by_id = {r["id"]: r for r in rows}
    parent: dict[int, int] = {}
    for r in rows:
        for child in r.get(children_key) or []:
            parent.setdefault(child["id"], r["id"])
    out = []
    for r in rows:
        names, seen, node = [], set(), r["id"]
        while node is not None and node not in seen:
            seen.add(node)
            names.append((by_id.get(node) or {}).get("name") or "?")
            node = parent.get(node)
        cyclic = node is not None
        out.append({"id": r["id"], "name": r.get("name"), "parent_id": parent.get(r["id"]),
                    "path": None if cyclic else " > ".join(reversed(names)),
                    "depth": None if cyclic else len(names) - 1, "_row": r})
    return out


def categories(rows: list[dict]) -> pd.DataFrame:
    return _frame([{**{k: v for k, v in n.items() if k != "_row"}, "uri": n["_row"].get("uri"),
                    "meta_description": n["_row"].get("metaDescription")} for n in tree(rows, "childCategories")],
                  model.CATEGORIES.columns).astype({"parent_id": "Int64", "depth": "Int64"})


def folders(rows: list[dict]) -> pd.DataFrame:
    return _frame([{k: v for k, v in n.items() if k != "_row"} for n in tree(rows, "childFolders")],
                  model.FOLDERS.columns).astype({"parent_id": "Int64", "depth": "Int64"})


def accounts(rows: list[dict]) -> pd.DataFrame:
    return _frame([{
        "id": r["id"], "name": r.get("name"), "website_url": r.get("websiteUrl"),
        "sales_representative_id": _id(r.get("salesRepresentative")),
        "sales_representative_name": (r.get("salesRepresentative") or {}).get("name"),
        "payment_terms": (r.get("paymentTerms") or {}).get("description"),
        "shipping_terms": (r.get("shippingTerms") or {}).get("description"),
    } for r in rows], model.ACCOUNTS.columns)


# --- stock group -----------------------------------------------------------------------------

def stock_levels(rows: list[dict], warehouse_id: int, observed_at: pd.Timestamp) -> pd.DataFrame:
    return _frame([{
        "warehouse_id": warehouse_id, "size_id": _id(r.get("productSize")), "physical": r.get("physicalQuantity"),
        "allocated": r.get("allocatedQuantity"), "free_to_allocate": r.get("freeToAllocateQuantity"),
        "observed_at": observed_at,
    } for r in rows], model.STOCK_LEVELS.columns)
