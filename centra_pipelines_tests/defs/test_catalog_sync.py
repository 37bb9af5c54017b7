"""Issue 4 end to end: reference data, catalog and stock from the sandbox into a real warehouse."""

import dagster as dg

from centra_pipelines.sync import full_sync
from centra_pipelines.warehouse import connect
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import (
    assert_catalog_matches,
    assert_market_catalog_matches,
    assert_reference_matches,
    assert_stock_matches,
    selected_markets,
    spoiled,
)


def test_full_sync_equals_the_sandbox_truth(sandbox_server, warehouse_url, dagster_instance):
    defs = make_defs(sandbox_server, warehouse_url)
    summary = full_sync(defs, dagster_instance)
    assert all(row["ok"] for row in summary), [r for r in summary if not r["ok"]]
    # the summary's throttle wait names the lane: a sync run from the shell is an incremental one
    assert {r["wait"].split()[-1] for r in summary if r["requests"]} == {"incremental"}

    truth = sandbox_server.truth()
    assert sorted(dagster_instance.get_dynamic_partitions("market"), key=int) == [
        str(m["id"]) for m in selected_markets(truth)]
    assert sorted(dagster_instance.get_dynamic_partitions("warehouse"), key=int) == [
        str(w["id"]) for w in truth["warehouses"] if w["status"] == "ACTIVE"]
    with connect(warehouse_url) as wh:
        assert_reference_matches(wh, truth)
        assert_catalog_matches(wh, truth)
        assert_market_catalog_matches(wh, truth)
        assert_stock_matches(wh, truth)

    # The contracts report the spoiled rows: failed with WARN, the count of quarantined rows shown.
    bad = spoiled(truth)
    sizes_rows = [r for r in summary if r["asset"] == "sizes"]
    assert sizes_rows[0]["quarantined"] == len(bad["sizes"])
    assert "contract:warn" in sizes_rows[0]["checks"]
    products_rows = [r for r in summary if r["asset"] == "products"]
    assert products_rows[0]["quarantined"] == len(bad["products"])
    assert all("contract:ok" in r["checks"] for r in summary if r["asset"] == "stock_levels")


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

    defs = make_defs(sandbox_server, duckdb_url(tmp_path / "centra.duckdb"))
    result = defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=dagster_instance, raise_on_error=False, asset_selection=[dg.AssetKey("markets")],
        run_config={"ops": {"markets": {"config": {"markets": ["Sweden", "TEST market", "Outlet (closed)"]}}}})
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.error.message + str(failure.step_failure_data.user_failure_data)
    assert "'TEST market'" in message and "looks like a test market" in message
    assert "'Outlet (closed)'" in message and "inactive" in message
    assert dagster_instance.get_dynamic_partitions("market") == []

    allowed = defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=dagster_instance, asset_selection=[dg.AssetKey("markets")],
        run_config={"ops": {"markets": {"config": {"markets": ["TEST market"], "allow_test": True}}}})
    assert allowed.success
    assert dagster_instance.get_dynamic_partitions("market") == ["9"]
