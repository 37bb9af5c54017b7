"""Comparing the warehouse with the sandbox's ground truth, table by table (ids and key fields)."""

import json

import pandas as pd

from centra_pipelines.schemas.gtin import is_valid_gtin
from centra_pipelines.warehouse import Warehouse


def live(wh: Warehouse, table: str) -> pd.DataFrame:
    return wh.read(f"SELECT * FROM {wh.table_ref(table)} WHERE deleted_at IS NULL")


def quarantined_keys(wh: Warehouse, table: str) -> set[str]:
    frame = wh.read(f"SELECT key FROM {wh.table_ref('quarantine')} WHERE table_name = '{table}'")
    return set(frame["key"])


def spoiled(truth: dict) -> dict[str, set[int]]:
    """Rows the sandbox spoiled on purpose that a contract must reject."""
    products = {q["id"] for q in truth["quirks"] if q["entity"] == "products"}
    sizes = {s["id"] for s in truth["sizes"] if s["ean"] is not None and not is_valid_gtin(s["ean"])}
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
