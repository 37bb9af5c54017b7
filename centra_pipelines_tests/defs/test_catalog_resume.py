"""A catalog pull interrupted at page k continues at page k: nothing written twice, nothing skipped."""

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pandas as pd

from centra_pipelines.centra import Cursor
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.catalog.assets import CATALOG_TABLES
from centra_pipelines.mapping import flatten
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.catalog_worker import CATALOG
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import assert_catalog_matches


def _page_requests(server, status=200):
    return [r for r in server.requests() if r["operation"] == "ProductsPage" and r["status"] == status]


def _run_catalog(defs, instance, **kwargs):
    return defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=instance, asset_selection=CATALOG, **kwargs)


def _load_size_charts(defs, instance):
    assert defs.resolve_job_def("reference_and_catalog_job").execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey("size_charts")]).success


def test_pull_failing_at_page_k_resumes_at_page_k(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="small")
    # How many pages an uninterrupted pull takes (keyset by updatedAt, 20 products a page).
    clean = make_defs(server, duckdb_url(tmp_path / "clean.duckdb"), page_size=20)
    _load_size_charts(clean, dagster_instance)
    server.reset_log()
    assert _run_catalog(clean, dagster_instance).success
    uninterrupted = [r["variables"] for r in _page_requests(server)]
    assert len(uninterrupted) >= 15

    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url, page_size=20, retry_attempts=2, retry_max_seconds=5)
    _load_size_charts(defs, dagster_instance)
    server.reset_log()
    server.set_faults("fail_at=8")  # introspection, count and pages 1-5 answer; then Centra fails
    assert not _run_catalog(defs, dagster_instance, raise_on_error=False).success
    first = [r["variables"] for r in _page_requests(server)]
    k = len(first) + 1
    assert first == uninterrupted[: k - 1]
    with connect(url) as wh:
        assert Cursor.from_json(wh.load_cursor("products")).last_updated_at is not None

    server.set_faults(None)
    server.reset_log()
    assert _run_catalog(defs, dagster_instance).success
    second = [r["variables"] for r in _page_requests(server)]
    # The second run asks for page k first and never for an earlier one.
    assert second == uninterrupted[k - 1:]
    with connect(url) as wh:
        assert_catalog_matches(wh, server.truth())


def test_killed_worker_resumes_at_next_uncommitted_page(make_sandbox, pg_url, dagster_instance):
    # strict: products are pulled by page number (no updatedAt filter), which the log shows plainly
    server = make_sandbox(scale="small", strict=True, tier="growth")
    defs = make_defs(server, pg_url, page_size=20)
    _load_size_charts(defs, dagster_instance)
    server.reset_log()
    # A small share of the tier makes the worker slow enough to be killed mid-pull: 12 requests a 10 s
    # window, fewer than the ~17 of the whole pull (introspection and 16 pages of 20), so it stops for the
    # window to slide after page ~10 at the latest (at 0.1 it reached page 4 only after a 10 s wait).
    worker = subprocess.Popen([sys.executable, "-m", "centra_pipelines_tests.defs.catalog_worker", server.url,
                               pg_url, "0.2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    committed = None
    deadline = time.monotonic() + 90
    with connect(pg_url) as wh:
        while time.monotonic() < deadline and worker.poll() is None:
            saved = wh.load_cursor("products")
            if saved and Cursor.from_json(saved).page >= 4:
                os.kill(worker.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        worker.wait(30)
        assert worker.returncode == -signal.SIGKILL, "the worker finished before it could be killed"
        committed = Cursor.from_json(wh.load_cursor("products"))
    assert not committed.done
    first = sorted(r["variables"]["page"] for r in _page_requests(server))
    assert first[0] == 1

    time.sleep(1.0)  # let the sandbox finish (and log) a request the worker had in flight
    server.reset_log()
    assert _run_catalog(defs, dagster_instance).success
    second = [r["variables"]["page"] for r in _page_requests(server)]
    assert second[0] == committed.page, "resumes at the next uncommitted page"
    assert second == list(range(committed.page, committed.page + len(second)))
    with connect(pg_url) as wh:
        assert_catalog_matches(wh, server.truth())


def test_stale_page_never_overwrites_a_newer_row(sandbox_server, tmp_path, dagster_instance):
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    _load_size_charts(defs, dagster_instance)
    assert _run_catalog(defs, dagster_instance).success
    product = next(p for p in sandbox_server.truth()["products"] if p["product_number"])
    page = sandbox_server.sandbox.execute(
        "query($id: [Int!]) { products(where: {id: $id}) { id name status productNumber isBundle createdAt updatedAt"
        " variants { id name status variantNumber updatedAt productSizes { id SKU EAN sizeNumber updatedAt"
        " size { id name sizeChart { id } } } } } }", {"id": [product["id"]]}).data["products"]
    stale = flatten.catalog(page)
    stale["products"]["name"] = "An older name"
    stale["products"]["updated_at"] = stale["products"]["updated_at"] - pd.Timedelta(days=1)
    with connect(url) as wh:
        writer = StreamWriter(wh, "replay", None, CATALOG_TABLES)
        writer.write({"products": stale["products"]})
        assert writer.totals["products"].upserted.skipped_stale == 1
        row = wh.read(f"SELECT name FROM {wh.table_ref('products')} WHERE id = {product['id']}")
    assert row["name"].tolist() == [product["name"]]


def test_incremental_sync_fetches_only_changed_products(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="small")
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url, page_size=50)
    _load_size_charts(defs, dagster_instance)
    assert _run_catalog(defs, dagster_instance).success
    before = {p["id"]: p["updated_at"] for p in server.truth()["products"]}

    events = server.advance(180)
    truth = server.truth()
    changed = {p["id"] for p in truth["products"] if before.get(p["id"]) != p["updated_at"]}
    deleted = {e["id"] for e in events if e["type"] == "product" and e["action"] == "delete"}
    assert changed, "advancing three hours should change some products"

    server.reset_log()
    result = _run_catalog(defs, dagster_instance)
    assert result.success
    requests = _page_requests(server)
    assert requests and all(r["variables"]["where"]["updatedAt"]["from"] for r in requests), "no full pull"
    assert len(requests) <= len(changed) // 50 + 2
    [products] = [e.event_specific_data.materialization for e in result.get_asset_materialization_events()
                  if e.asset_key == dg.AssetKey("products")]
    assert products.metadata["received"].value == len(changed)
    with connect(url) as wh:
        assert_catalog_matches(wh, truth, frozenset(deleted))
        stored = set(wh.read(f"SELECT id FROM {wh.table_ref('products')}")["id"])
    assert deleted <= stored  # kept until reconciliation marks them deleted (nothing is hard-deleted)


def test_page_mode_applies_queued_changes_after_the_full_pull(make_sandbox, tmp_path, dagster_instance):
    # strict: the API offers no updatedAt filter on products, so changes come through the event queue
    server = make_sandbox(scale="small", strict=True)
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    _load_size_charts(defs, dagster_instance)
    assert _run_catalog(defs, dagster_instance).success

    events = server.advance(180)
    assert any(e["type"] == "product" for e in events)
    server.reset_log()
    assert _run_catalog(defs, dagster_instance).success
    operations = [r["operation"] for r in server.requests()]
    assert "Events" in operations and "ConfirmEvents" in operations
    assert all(r["variables"].get("where", {}).get("id") for r in _page_requests(server)), "no full pull"
    with connect(url) as wh:
        assert_catalog_matches(wh, server.truth())  # deleted products are marked deleted
    # Confirmed: a third run finds the queue empty and fetches no product.
    server.reset_log()
    assert _run_catalog(defs, dagster_instance).success
    assert _page_requests(server) == []
