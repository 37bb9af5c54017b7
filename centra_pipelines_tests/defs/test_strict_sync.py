"""The README's sync (`sync_warehouse`, what `centra-pipelines sync` runs) against a sandbox started with
--strict, i.e. serving only what public sources confirm: every stream runs in its fallback mode and
the warehouse still equals the sandbox's truth."""

from centra_pipelines.sync import sync_warehouse
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import (
    assert_market_catalog_matches,
    assert_reference_matches,
    assert_stock_matches,
    live,
    quarantined_keys,
)


def test_the_readme_sync_on_a_strict_sandbox_equals_its_truth(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="tiny", strict=True)
    url = duckdb_url(tmp_path / "centra.duckdb")
    summary = sync_warehouse(make_defs(server, url), dagster_instance, until=server.sandbox.now.date())
    assert all(row["ok"] for row in summary), [r for r in summary if not r["ok"]]

    truth = server.truth()
    with connect(url) as wh:
        assert_reference_matches(wh, truth)
        assert_market_catalog_matches(wh, truth)
        assert_stock_matches(wh, truth)
        # every row landed or waits in quarantine with its reason (tiny spoils none of the catalog)
        for table in ("products", "variants", "sizes", "orders", "customers", "vouchers"):
            stored = {str(i) for i in live(wh, table)["id"]} | quarantined_keys(wh, table)
            assert stored == {str(row["id"]) for row in truth[table]}, table
