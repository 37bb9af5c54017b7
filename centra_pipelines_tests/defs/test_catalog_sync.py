"""Issue 4 end to end: reference data, catalog and stock from the sandbox into a real warehouse."""

import dagster as dg
import pytest

from centra_pipelines.defs.partitions import centra_id, partition_key
from centra_pipelines.sync import sync_warehouse
from centra_pipelines.warehouse import connect, model
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import (
    assert_catalog_matches,
    assert_market_catalog_matches,
    assert_reference_matches,
    assert_stock_matches,
    assert_structure_matches,
    selected_markets,
    spoiled,
)


# The README's whole sync (every job, every market and warehouse, a year of daily order windows): close
# to the suite's 300 s default on a loaded 2-core machine.
@pytest.mark.timeout(600)
def test_full_sync_equals_the_sandbox_truth(sandbox_server, warehouse_url, dagster_instance):
    defs = make_defs(sandbox_server, warehouse_url)
    # Up to the sandbox's clock, as `centra-pipelines sync` runs against it (centra_pipelines/sync.py), not
    # the wall clock's day: each day past the sandbox's clock adds an empty partition of every daily asset,
    # whose run events cost Dagster bookkeeping (in November 2026 a third more partitions than the data has).
    summary = sync_warehouse(defs, dagster_instance, until=sandbox_server.sandbox.now.date())
    assert all(row["ok"] for row in summary), [r for r in summary if not r["ok"]]
    # the summary's throttle wait names the lane: a sync run from the shell is an incremental one
    assert {r["wait"].split()[-1] for r in summary if r["requests"]} == {"incremental"}

    truth = sandbox_server.truth()
    with connect(warehouse_url) as wh:
        assert sorted(wh.read(f"SELECT id FROM {wh.table_ref('markets')} WHERE selected")["id"]) == [
            m["id"] for m in selected_markets(truth)]
    # Partition keys name the warehouse and carry the Centra id (`1-stockholm-dc`).
    assert sorted(dagster_instance.get_dynamic_partitions("warehouse"), key=centra_id) == [
        partition_key(w["id"], w["name"]) for w in truth["warehouses"] if w["status"] == "ACTIVE"]
    assert partition_key(1, "Stockholm DC") == "1-stockholm-dc" and centra_id("1-stockholm-dc") == 1
    with connect(warehouse_url) as wh:
        assert_reference_matches(wh, truth)
        assert_catalog_matches(wh, truth)
        assert_market_catalog_matches(wh, truth)
        assert_stock_matches(wh, truth)
        assert_structure_matches(wh, truth)

    # The contracts report the spoiled rows: failed with WARN, the count of quarantined rows shown.
    bad = spoiled(truth)
    sizes_rows = [r for r in summary if r["asset"] == "sizes"]
    assert sizes_rows[0]["quarantined"] == len(bad["sizes"])
    assert "contract:warn" in sizes_rows[0]["checks"]
    products_rows = [r for r in summary if r["asset"] == "products"]
    assert products_rows[0]["quarantined"] == len(bad["products"])
    assert all("contract:ok" in r["checks"] for r in summary if r["asset"] == "stock_levels")
    assert_structure_checks_fail_on_the_spoiled_rows(dagster_instance, truth)


def _evaluation(instance, asset: str, check: str) -> dict:
    record = instance.get_latest_asset_check_evaluation_record(dg.AssetCheckKey(dg.AssetKey(asset), check))
    evaluation = record.event.dagster_event.event_specific_data
    return {"passed": evaluation.passed, "severity": evaluation.severity,
            **{k: v.value for k, v in evaluation.metadata.items()}}


def assert_structure_checks_fail_on_the_spoiled_rows(instance, truth: dict) -> None:
    """Each check of issue 16 fails (WARN) on the sandbox's spoiled rows, naming them."""
    quirks = lambda entity: {q["id"] for q in truth["quirks"] if q["entity"] == entity}  # noqa: E731
    tree = _evaluation(instance, "categories", "category_tree")
    assert (tree["passed"], tree["severity"], tree["in_cycles"], tree["orphans"]) == (
        False, dg.AssetCheckSeverity.WARN, 2, 0)
    assert all(str(i) in tree["first_problems"] for i in quirks("categories") if i != 9999)
    links = _evaluation(instance, "product_categories", "category_links")
    assert not links["passed"] and links["unlisted_categories"] == 1 and "9999" in links["first_orphans"]

    # Every selected market is checked with its own languages: Wholesale Europe (DE, FR, NL, GB) wants
    # names in de and en; a product without an image counts once per market that displays it.
    content = _evaluation(instance, "displays", "content_completeness")
    assert (content["passed"], content["markets"]) == (False, [m["id"] for m in selected_markets(truth)])
    assert "11: de, en" in content["languages"]
    active = {p["id"] for p in truth["products"] if p["status"] == "ACTIVE"} - spoiled(truth)["products"]
    assert content["products_without_image"] >= len(quirks("images") & active) > 0
    assert content["missing_names"] > 0 and "market_id" in content["first_missing"]  # each pair names its market

    tax = _evaluation(instance, "order_lines", "line_tax")
    assert not tax["passed"] and tax["lines_off"] == len(quirks("order_lines"))
    assert {f["line"] for f in tax["first_failures"]} <= quirks("order_lines")
    accounts = _evaluation(instance, "orders", "wholesale_accounts")
    assert not accounts["passed"] and accounts["missing_accounts"] == sorted(quirks("accounts"))
    assert accounts["orders_without_account"] == sum(o["account_id"] in quirks("accounts") for o in truth["orders"])


def test_variant_completeness_check_names_variants_missing_sizes(sandbox_server, tmp_path, dagster_instance):
    from centra_pipelines.warehouse import duckdb_url

    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    result = defs.resolve_job_def("reference_and_catalog_job").execute_in_process(instance=dagster_instance)
    assert result.success
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "variant_completeness"]
    truth = sandbox_server.truth()
    missing = {q["id"] for q in truth["quirks"] if q["entity"] == "variants"}
    assert not evaluation.passed
    assert evaluation.metadata["variants_missing_sizes"].value == len(missing)
    assert evaluation.metadata["sizes_with_bad_identifiers"].value == len(spoiled(truth)["sizes"])
    first = evaluation.metadata["first_missing"].value
    assert str(sorted(missing)[0]) in first


def test_explicitly_selected_test_market_is_refused_by_name(sandbox_server, tmp_path, dagster_instance):
    from centra_pipelines.warehouse import duckdb_url

    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    result = defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=dagster_instance, raise_on_error=False, asset_selection=[dg.AssetKey("markets")],
        run_config={"ops": {"reference_lists": {"config": {"markets": ["Sweden", "TEST market", "Outlet (closed)"]}}}})
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.error.message + str(failure.step_failure_data.user_failure_data)
    assert "'TEST market'" in message and "looks like a test market" in message
    assert "'Outlet (closed)'" in message and "inactive" in message
    with connect(url) as wh:  # nothing written: the selection failed before the write
        wh.ensure_tables([model.MARKETS])
        assert wh.count(model.MARKETS) == 0

    allowed = defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=dagster_instance, asset_selection=[dg.AssetKey("markets")],
        run_config={"ops": {"reference_lists": {"config": {"markets": ["TEST market"], "allow_test": True}}}})
    assert allowed.success
    with connect(url) as wh:
        assert list(wh.read(f"SELECT id FROM {wh.table_ref('markets')} WHERE selected")["id"]) == [9]
