"""The sandbox's --bad-rows drives the contract checks' ERROR path, and a clean re-pull resolves the
quarantined rows (the orders of a window are re-read whole on every run of it)."""

import dagster as dg

from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs

WINDOW = {"dagster/asset_partition_range_start": "2026-03-01", "dagster/asset_partition_range_end": "2026-03-31"}
NO_LOOKBACK = {"ops": {"order_windows": {"config": {"lookback_days": 0}}, "returns": {"config": {"lookback_days": 0}}}}


def _orders_contract(defs, instance) -> dg.AssetCheckEvaluation:
    result = defs.resolve_job_def("orders_daily_job").execute_in_process(
        instance=instance, tags=WINDOW, run_config=NO_LOOKBACK, raise_on_error=False,
        asset_selection=[dg.AssetKey(k) for k in ("orders", "order_lines", "shipments", "applied_vouchers", "buyers")])
    [evaluation] = [e for e in result.get_asset_check_evaluations()
                    if e.asset_key == dg.AssetKey("orders") and e.check_name == "contract"]
    return evaluation


def test_spoiled_orders_fail_with_error_naming_them_and_their_valid_versions_resolve_the_quarantine(
        make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="tiny", bad_rows=0.5)
    url = duckdb_url(tmp_path / "warehouse.duckdb")
    defs = make_defs(server, url)
    in_window = {o["id"]: o for o in server.truth()["orders"] if "2026-03-01" <= o["updated_at"][:10] <= "2026-03-31"}

    spoiled = _orders_contract(defs, dagster_instance)
    assert not spoiled.passed and spoiled.severity == dg.AssetCheckSeverity.ERROR  # far above 5 %
    failures = spoiled.metadata["first_failures"].value
    count = spoiled.metadata["rows_quarantined"].value
    assert spoiled.metadata["failures_by_rule"].value == {"country: not_nullable": count}
    assert 0 < count < len(in_window)
    for case in failures:  # Centra's order id with the number the admin shows
        assert in_window[case["id"]]["number"] == case["number"] and case["value"] is None
    with connect(url) as wh:
        held = wh.read(spoiled.metadata["quarantine_query"].value.removeprefix("```sql\n").removesuffix("\n```"))
        assert len(held) == count and set(held["key"]) >= {c["id"] for c in failures}

    server.sandbox.bad_rows = 0.0  # Centra serves the valid versions
    clean = _orders_contract(defs, dagster_instance)
    assert clean.metadata["quarantine_resolved"].value == count
    with connect(url) as wh:
        resolved = wh.read(f"SELECT key FROM {wh.table_ref('quarantine')} WHERE table_name = 'orders' "
                           "AND resolved_at IS NOT NULL")
        assert set(resolved["key"]) == set(held["key"])
        assert len(wh.read(clean.metadata["quarantine_query"].value.removeprefix("```sql\n").removesuffix("\n```"))) \
            == clean.metadata["rows_quarantined"].value  # only the sandbox's own null-country quirks, if any
        stored = wh.read(f"SELECT id, country FROM {wh.table_ref('orders')}").set_index("id")["country"]
    assert all(stored[key] for key in held["key"])
