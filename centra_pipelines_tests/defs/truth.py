"""Comparing the warehouse with the sandbox's ground truth, table by table (ids and key fields)."""

import json

import pandas as pd

from centra_pipelines.warehouse.gtin import valid_gtins
from centra_pipelines.warehouse import Warehouse


def live(wh: Warehouse, table: str) -> pd.DataFrame:
    return wh.read(f"SELECT * FROM {wh.table_ref(table)} WHERE deleted_at IS NULL")


def quarantined_keys(wh: Warehouse, table: str) -> set[str]:
    frame = wh.read(f"SELECT key FROM {wh.table_ref('quarantine')} WHERE table_name = '{table}'")
    return set(frame["key"])


def spoiled(truth: dict) -> dict[str, set[int]]:
    """Rows the sandbox spoiled on purpose that a contract must reject."""
    products = {q["id"] for q in truth["quirks"] if q["entity"] == "products"}
    with_ean = [s for s in truth["sizes"] if s["ean"] is not None]
    # One vectorised check of every EAN (a check per size costs a pandas Series each: ~4 s at scale small).
    valid = valid_gtins(pd.Series([s["ean"] for s in with_ean], dtype=object))
    sizes = {s["id"] for s, ok in zip(with_ean, valid) if not ok}
    return {"products": products, "sizes": sizes}


def assert_catalog_matches(wh: Warehouse, truth: dict, deleted_products: frozenset[int] = frozenset()) -> None:
    """`deleted_products`: products Centra deleted since the last full pull; the warehouse still holds
    them until reconciliation marks them deleted, so they are left out of the comparison."""
    bad = spoiled(truth)
    assert bad["products"] and bad["sizes"], "the sandbox should spoil some rows at this scale"

    products = live(wh, "products")
    products = products[~products["id"].isin(deleted_products)].set_index("id")
    expected = {p["id"]: p for p in truth["products"] if p["id"] not in bad["products"]}
    assert set(products.index) == set(expected)
    for pid, p in expected.items():
        row = products.loc[pid]
        assert (row["name"], row["status"], row["product_number"], int(row["size_chart_id"])) == (
            p["name"], p["status"], p["product_number"], p["size_chart_id"])
        assert row["updated_at"] == pd.Timestamp(p["updated_at"])
    assert quarantined_keys(wh, "products") == {str(i) for i in bad["products"]}

    variants = live(wh, "variants")
    variants = variants[~variants["product_id"].isin(deleted_products)].set_index("id")
    assert set(variants.index) == {v["id"] for v in truth["variants"]}
    for v in truth["variants"]:
        assert (int(variants.loc[v["id"], "product_id"]), variants.loc[v["id"], "variant_number"]) == (
            v["product_id"], v["variant_number"])

    sizes = live(wh, "sizes")
    sizes = sizes[~sizes["product_id"].isin(deleted_products)].set_index("id")
    expected_sizes = {s["id"]: s for s in truth["sizes"] if s["id"] not in bad["sizes"]}
    assert set(sizes.index) == set(expected_sizes)
    for sid, s in expected_sizes.items():
        row = sizes.loc[sid]
        assert (row["sku"], row["ean"], row["size_name"], int(row["variant_id"])) == (
            s["sku"], s["ean"], s["size_name"], s["variant_id"])
    assert quarantined_keys(wh, "sizes") == {str(i) for i in bad["sizes"]}


def assert_reference_matches(wh: Warehouse, truth: dict) -> None:
    for table in ("stores", "currencies", "languages", "countries", "warehouses", "size_charts"):
        stored = live(wh, table)
        assert sorted(stored["id"]) == sorted(r["id"] for r in truth[table]), table
        names = dict(zip(stored["id"], stored["name"]))
        assert names == {r["id"]: r["name"] for r in truth[table]}, table
    markets = live(wh, "markets").set_index("id")
    for m in truth["markets"]:
        row = markets.loc[m["id"]]
        assert (row["name"], bool(row["is_active"]), bool(row["looks_like_test"])) == (
            m["name"], m["is_active"], m["looks_like_test"])
        assert bool(row["selected"]) == (m["is_active"] and not m["looks_like_test"])
    pricelists = live(wh, "pricelists").set_index("id")
    assert {i: pricelists.loc[i, "currency_code"] for i in pricelists.index} == {
        p["id"]: p["currency"] for p in truth["pricelists"]}


def selected_markets(truth: dict) -> list[dict]:
    return [m for m in truth["markets"] if m["is_active"] and not m["looks_like_test"]]


def assert_market_catalog_matches(wh: Warehouse, truth: dict) -> None:
    """Displays once per selected market showing them; prices once per (display, pricelist)."""
    displays = live(wh, "displays")
    prices = live(wh, "prices")
    store_of_pricelist = {p["id"]: p["store_id"] for p in truth["pricelists"]}
    shown: dict[int, dict] = {}
    for market in selected_markets(truth):
        store_displays = [d for d in truth["displays"] if d["store_id"] == market["store_id"]]
        got = displays[displays["market_id"] == market["id"]]
        assert set(got["id"]) == {d["id"] for d in store_displays}, market["name"]
        shown.update({d["id"]: d for d in store_displays})
    assert set(displays["market_id"]) == {m["id"] for m in selected_markets(truth)}
    expected = {(d["id"], p["pricelist_id"], round(p["amount"], 4))
                for d in shown.values() for p in truth["prices"]
                if p["product_id"] == d["product_id"] and store_of_pricelist[p["pricelist_id"]] == d["store_id"]}
    got_prices = [(int(r.display_id), int(r.pricelist_id), round(float(r.price), 4)) for r in prices.itertuples()]
    assert len(got_prices) == len(set(got_prices))  # one row per pricelist, not per market
    assert set(got_prices) == expected


def assert_stock_matches(wh: Warehouse, truth: dict) -> None:
    active = {w["id"] for w in truth["warehouses"] if w["status"] == "ACTIVE"}
    expected = {(s["warehouse_id"], s["size_id"]): (s["physical"], s["allocated"], s["free_to_allocate"])
                for s in truth["stock_levels"] if s["warehouse_id"] in active}
    stored = live(wh, "stock_levels")
    got = {(int(r.warehouse_id), int(r.size_id)): (int(r.physical), int(r.allocated), int(r.free_to_allocate))
           for r in stored.itertuples()}
    assert got == expected


def payload(value):
    return value if isinstance(value, dict) else json.loads(value)


def _quirk_ids(truth: dict, entity: str) -> set:
    return {q["id"] for q in truth["quirks"] if q["entity"] == entity}


def assert_structure_matches(wh: Warehouse, truth: dict) -> None:
    """Accounts, buyers, brands, collections, folders, categories, their links, images, translations,
    line tax and return lines: equal to the sandbox, the spoiled rows quarantined."""
    accounts = live(wh, "accounts")
    assert dict(zip(accounts["id"], accounts["name"])) == {a["id"]: a["name"] for a in truth["accounts"]}
    assert dict(zip(accounts["id"], accounts["payment_terms"])) == {a["id"]: a["payment_terms"] for a in truth["accounts"]}

    bad_buyers = _quirk_ids(truth, "buyers")
    buyers = live(wh, "buyers").set_index("id")
    expected = {b["id"]: b for b in truth["buyers"] if b["id"] not in bad_buyers}
    assert set(buyers.index) == set(expected)
    for i, b in expected.items():
        assert (int(buyers.loc[i, "account_id"]), buyers.loc[i, "email"], buyers.loc[i, "last_name"]) == (
            b["account_id"], b["email"], b["last_name"])
    assert quarantined_keys(wh, "buyers") == {str(i) for i in bad_buyers if i in {b["id"] for b in truth["buyers"]}}

    for table in ("brands", "collections"):
        stored = live(wh, table)
        assert dict(zip(stored["id"], stored["name"])) == {r["id"]: r["name"] for r in truth[table]}, table
    cycle = _quirk_ids(truth, "categories") & {c["id"] for c in truth["categories"]}
    assert cycle, "the sandbox should put two categories in a cycle"
    for table in ("folders", "categories"):
        stored = live(wh, table).set_index("id")
        assert set(stored.index) == {r["id"] for r in truth[table]}, table
        for r in truth[table]:
            parent = stored.loc[r["id"], "parent_id"]
            assert (None if pd.isna(parent) else int(parent)) == r["parent_id"], (table, r)
    categories = live(wh, "categories").set_index("id")
    assert categories.loc[3, "path"] == "Women > Tops > T-shirts" and int(categories.loc[3, "depth"]) == 2
    assert categories.loc[sorted(cycle), "path"].isna().all()

    bad_products = spoiled(truth)["products"]
    products = live(wh, "products").set_index("id")
    for p in truth["product_structure"]:
        if p["id"] not in bad_products:
            assert tuple(int(products.loc[p["id"], c]) for c in ("brand_id", "collection_id", "folder_id")) == (
                p["brand_id"], p["collection_id"], p["folder_id"])

    links = live(wh, "product_categories")
    assert {(int(r.display_id), int(r.category_id), int(r.product_id), bool(r.is_canonical)) for r in links.itertuples()} \
        == {(l["display_id"], l["category_id"], l["product_id"], l["is_canonical"]) for l in truth["product_categories"]}

    media = live(wh, "product_media")
    assert {(int(r.id), int(r.product_id), int(r.position), r.url) for r in media.itertuples()} == {
        (m["id"], m["product_id"], m["position"], m["url"]) for m in truth["product_media"] if m["url"]}
    assert quarantined_keys(wh, "product_media") == {str(i) for i in _quirk_ids(truth, "product_media")} != set()

    translations = live(wh, "translations")
    assert {(int(r.object_id), r.field, r.language_code, r.value) for r in translations.itertuples()} == {
        (t["object_id"], t["field"], t["language_code"], t["value"]) for t in truth["translations"] if t["value"]}
    assert quarantined_keys(wh, "translations") == _quirk_ids(truth, "translations") != set()

    decimals = {c["code"]: c["decimals"] for c in truth["currencies"]}
    currency = {o["id"]: o["currency"] for o in truth["orders"]}
    lines = live(wh, "order_lines").set_index("id")
    for line in truth["order_lines"]:
        scale = 10 ** decimals[currency[line["order_id"]]]
        assert (float(lines.loc[line["id"], "taxable_value"]), float(lines.loc[line["id"], "tax_amount"])) == (
            line["taxable_minor"] / scale, line["tax_minor"] / scale), line

    return_lines = live(wh, "return_lines")
    assert {(int(r.return_id), int(r.position), int(r.order_line_id), int(r.shipment_line_id))
            for r in return_lines.itertuples()} == {
        (r["return_id"], r["position"], r["order_line_id"], r["shipment_line_id"]) for r in truth["return_lines"]}
