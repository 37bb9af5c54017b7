"""Deletions reach the warehouse: products (id reconciliation) and vouchers (full pull) Centra deleted get deleted_at."""

import dagster as dg

from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs


def test_deleted_products_are_marked_and_missing_ones_re_pulled(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="small")
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    assert defs.resolve_job_def("reference_and_catalog_job").execute_in_process(instance=dagster_instance).success
    deleted = set()
    while not deleted:  # advance until the sandbox deletes a product (seeded: a few hours do)
        deleted |= {e["id"] for e in server.advance(240) if e["type"] == "product" and e["action"] == "delete"}
    truth = server.truth()
    lost = sorted(p["id"] for p in truth["products"] if p["id"] not in deleted and p["product_number"])[:3]
    with connect(url) as wh:  # rows lost on our side, e.g. a page that never arrived
        wh.read(f"DELETE FROM {wh.table_ref('products')} WHERE id IN ({', '.join(map(str, lost))}) RETURNING id")

    result = defs.resolve_job_def("catalog_reconciliation_job").execute_in_process(instance=dagster_instance)
    assert result.success
    counts = result.output_for_node("reconcile_product_ids")
    assert counts["marked_deleted"] == len(deleted)
    assert counts["re_pulled"] == len(lost)
    assert counts["still_missing"] == 0
    with connect(url) as wh:
        marked = wh.read(f"SELECT id FROM {wh.table_ref('products')} WHERE deleted_at IS NOT NULL")
        assert set(marked["id"]) == deleted
        live = set(wh.read(f"SELECT id FROM {wh.table_ref('products')} WHERE deleted_at IS NULL")["id"])
    assert set(lost) <= live
    assert not (deleted & live)
    [observation] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION]
    assert observation.asset_key == dg.AssetKey("products")


def test_vouchers_centra_deleted_are_marked_deleted(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="small")
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    job = defs.resolve_job_def("promotions_job")
    assert job.execute_in_process(instance=dagster_instance).success
    deleted = set()
    while not deleted:
        deleted |= {e["id"] for e in server.advance(240) if e["type"] == "voucher" and e["action"] == "delete"}
    assert job.execute_in_process(instance=dagster_instance).success
    with connect(url) as wh:
        marked = set(wh.read(f"SELECT id FROM {wh.table_ref('vouchers')} WHERE deleted_at IS NOT NULL")["id"])
        live = set(wh.read(f"SELECT id FROM {wh.table_ref('vouchers')} WHERE deleted_at IS NULL")["id"])
    assert marked == deleted
    assert live == {v["id"] for v in server.truth()["vouchers"]}
