"""What the Dagster UI shows after the README's sync, from `centra-pipelines ui` on the instance the
sync used: read through Dagster's GraphQL API (which the UI reads), and seen by a real browser
(docs/screenshots.py, which makes the README's pictures; it fails if a page shows an error)."""

import importlib.util
import json
from pathlib import Path

import duckdb
import httpx
import pytest

QUERY = """
{
  sizes_check: assetCheckExecutions(assetKey: {path: ["sizes"]}, checkName: "contract", limit: 1) {
    evaluation { severity success metadataEntries { label
      ... on JsonMetadataEntry { jsonString } ... on MarkdownMetadataEntry { mdStr }
      ... on IntMetadataEntry { intValue } } }
  }
  assetNodes(assetKeys: [{path: ["orders"]}, {path: ["customer_identities"]}, {path: ["sizes"]}]) {
    assetKey { path } kinds
    assetMaterializations(limit: 1) { metadataEntries { label
      ... on TableSchemaMetadataEntry { schema { columns { name type description } } } } }
  }
  stock: assetNodes(assetKeys: [{path: ["stock_levels"]}]) { partitionKeys }
  prices: assetNodes(assetKeys: [{path: ["prices"]}]) { partitionKeys }
  runsOrError { ... on Runs { results { runId status jobName tags { key value } } } }
}
"""


def _metadata(execution: dict) -> dict:
    out = {}
    for entry in execution["evaluation"]["metadataEntries"]:
        if "jsonString" in entry:
            out[entry["label"]] = json.loads(entry["jsonString"])
        else:
            out[entry["label"]] = entry.get("mdStr", entry.get("intValue"))
    return out


def test_ui_shows_the_sync_with_actionable_check_failures_column_descriptions_and_named_partitions(
        synced_project, ui_server):
    data = httpx.post(f"{ui_server.url}/graphql", json={"query": QUERY}, timeout=120).json()["data"]

    # The runs `sync` made (reference data, catalog, displays and vouchers; one per warehouse;
    # customers, orders and identities over the daily partitions) are on the instance the UI reads,
    # under the code location, with their partition or partition-range tags.
    runs = data["runsOrError"]["results"]
    assert sorted(r["jobName"] for r in runs) == ["catalog_sync_job", "daily_sync_job", *["stock_job"] * 3]
    assert all(r["status"] == "SUCCESS" for r in runs)
    tags = {r["runId"]: {t["key"]: t["value"] for t in r["tags"]} for r in runs}
    assert all(t["centra/launched_by"] == "centra-pipelines sync" for t in tags.values())
    orders_run = next(tags[r["runId"]] for r in runs if r["jobName"] == "daily_sync_job")
    assert orders_run["dagster/asset_partition_range_start"] == "2026-03-01"
    assert sorted(tags[r["runId"]]["dagster/partition"] for r in runs if r["jobName"] == "stock_job") == [
        "1-stockholm-dc", "2-rotterdam-3pl", "3-store-stockholm"]

    # A failed contract check names the rows by Centra id and SKU, the rule and the value, counts per
    # rule, and gives the quarantine query, which runs as it is on the warehouse.
    [sizes] = data["sizes_check"]
    assert sizes["evaluation"]["success"] is False and sizes["evaluation"]["severity"] == "WARN"
    meta = _metadata(sizes)
    assert meta["failures_by_rule"] == {"ean: gtin_check_digit": meta["rows_quarantined"]}
    assert 0 < meta["rows_quarantined"] <= 10  # every one of them is listed
    for case in meta["first_failures"]:
        assert set(case) == {"id", "sku", "rule", "value"} and case["rule"] == "ean: gtin_check_digit"
        assert case["sku"].startswith("P") and len(case["value"]) == 13
    query = meta["quarantine_query"].removeprefix("```sql\n").removesuffix("\n```")
    with duckdb.connect(str(synced_project.root / "data" / "warehouse.duckdb"), read_only=True) as con:
        held = con.sql(query).fetchall()
    assert {int(row[0]) for row in held} == {case["id"] for case in meta["first_failures"]}
    assert all("gtin_check_digit" in row[1] for row in held)

    # Every column has a description (from warehouse/model.py); kinds name the warehouse engine.
    nodes = {n["assetKey"]["path"][0]: n for n in data["assetNodes"]}
    for name, node in nodes.items():
        assert set(node["kinds"]) >= {"duckdb"} and "pandas" not in node["kinds"], node["kinds"]
        [schema] = [e["schema"] for e in node["assetMaterializations"][0]["metadataEntries"] if "schema" in e]
        assert all(c["description"] for c in schema["columns"]), name
    columns = {c["name"]: c for c in [e for e in nodes["orders"]["assetMaterializations"][0]["metadataEntries"]
                                      if "schema" in e][0]["schema"]["columns"]}
    assert columns["number"]["description"].startswith("Order number")

    # Market and warehouse partitions read as names (with the Centra id first).
    assert data["stock"][0]["partitionKeys"] == ["1-stockholm-dc", "2-rotterdam-3pl", "3-store-stockholm"]
    assert data["prices"][0]["partitionKeys"] == []  # one price per pricelist, whichever markets show it


SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "screenshots.py"


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
def test_screenshots_of_the_asset_graph_and_a_failed_check(ui_server, tmp_path):
    screenshots = _script()
    if not Path(screenshots.CHROMIUM).exists():
        pytest.fail(f"{screenshots.CHROMIUM} is missing: `apt-get install chromium` (bash .ci/run does it)")
    saved = screenshots.capture(ui_server.url, tmp_path)
    assert [p.name for p in saved] == ["asset-graph.png", "failed-check.png"]
    for path in saved:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000, path
