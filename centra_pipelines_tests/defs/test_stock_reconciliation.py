"""Stock reconciliation: a fresh snapshot finds drift the real-time path missed, reports and heals it."""


from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs


def _stock(truth, warehouse_id):
    return {s["size_id"]: (s["physical"], s["allocated"], s["free_to_allocate"])
            for s in truth["stock_levels"] if s["warehouse_id"] == warehouse_id}


def test_drift_is_found_counted_healed_and_fails_the_check(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="tiny")  # no webhook URL: the changes below reach us only by reconciliation
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    assert defs.resolve_job_def("reference_and_catalog_job").execute_in_process(instance=dagster_instance).success
    stock_job = defs.resolve_job_def("stock_job")
    assert stock_job.execute_in_process(instance=dagster_instance, partition_key="1-stockholm-dc").success

    before = _stock(server.truth(), 1)
    server.advance(24 * 60)
    after = _stock(server.truth(), 1)
    drifted = {size for size in before if size in after and before[size] != after[size]}
    units = sum(abs(after[s][0] - before[s][0]) for s in drifted)
    assert drifted, "a day of activity should move some stock"

    result = stock_job.execute_in_process(instance=dagster_instance, partition_key="1-stockholm-dc", run_config={
        "ops": {"stock_levels": {"config": {"max_drift_share": 0.0}}}})
    assert result.success  # the drift check does not block: the snapshot healed the drift
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == "stock_drift"]
    assert not check.passed
    assert check.metadata["sizes_differing"].value == len(drifted)
    assert check.metadata["units_differing"].value == units
    worst = check.metadata["worst_skus"].value
    assert worst and worst[0]["sku"] and abs(worst[0]["physical_difference"]) == max(
        abs(after[s][0] - before[s][0]) for s in drifted)
    with connect(url) as wh:
        stored = wh.read(f"SELECT size_id, physical, allocated, free_to_allocate FROM {wh.table_ref('stock_levels')}"
                         " WHERE warehouse_id = 1 AND deleted_at IS NULL")
    assert {int(r.size_id): (int(r.physical), int(r.allocated), int(r.free_to_allocate))
            for r in stored.itertuples()} == after

    # Nothing changed since: the next reconciliation finds no drift and passes.
    again = stock_job.execute_in_process(instance=dagster_instance, partition_key="1-stockholm-dc")
    [check] = [e for e in again.get_asset_check_evaluations() if e.check_name == "stock_drift"]
    assert check.passed and check.metadata["sizes_differing"].value == 0
