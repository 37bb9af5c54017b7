"""Issue 11: a sync costs what the data costs — an unchanged re-run is cheap and makes few runs, every
request is counted once, each daily partition carries its own figures, and runs are tagged like the
code location's."""

from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg
import pytest

from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer
from centra_pipelines.sync import RUN_TAGS, daily_runs, sync_warehouse
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs


@dataclass
class Syncs:
    server: SandboxServer
    instance: dg.DagsterInstance
    url: str
    first: list[dict]
    first_seen: int  # requests the sandbox logged during the first sync
    first_runs: list[dg.DagsterRun]
    second: list[dict]
    second_seen: int
    second_runs: list[dg.DagsterRun]
    third: list[dict]  # after the orders schedule synced the next day on its own: days differ
    third_runs: list[dg.DagsterRun]


def _seen(server: SandboxServer, after: int) -> int:
    return len([r for r in server.requests() if r["seq"] > after])


def _last_seq(server: SandboxServer) -> int:
    log = server.requests()
    return log[-1]["seq"] if log else 0


@pytest.fixture(scope="module")
def syncs(tmp_path_factory):
    """A first sync (the initial import) and a second one with no change in between, on their own sandbox."""
    with SandboxServer(SandboxConfig(seed=7, scale="small", tier="off")) as server, \
            dg.DagsterInstance.ephemeral() as instance:
        url = duckdb_url(tmp_path_factory.mktemp("sync_cost") / "centra.duckdb")
        defs = make_defs(server, url)
        until = server.sandbox.now.date()
        mark = _last_seq(server)
        first = sync_warehouse(defs, instance, until=until)
        first_seen, mark, first_runs = _seen(server, mark), _last_seq(server), _new_runs(instance, set())
        before = _run_ids(instance)
        second = sync_warehouse(defs, instance, until=until)
        second_seen, second_runs = _seen(server, mark), _new_runs(instance, before)
        # the next day's orders synced by orders_incremental_schedule's job before the next sync
        next_day = (until + timedelta(days=1)).isoformat()
        assert defs.resolve_job_def("orders_daily_job").execute_in_process(instance=instance,
                                                                           partition_key=next_day).success
        before = _run_ids(instance)
        third = sync_warehouse(defs, instance, until=until + timedelta(days=1))
        yield Syncs(server, instance, url, first, first_seen, first_runs, second, second_seen, second_runs,
                    third, _new_runs(instance, before))


def _run_ids(instance) -> set[str]:
    return {run.run_id for run in instance.get_runs()}


def _new_runs(instance, before: set[str]) -> list[dg.DagsterRun]:
    """The runs made since `before`, in the order they were made."""
    return [run for run in reversed(instance.get_runs()) if run.run_id not in before]


def test_summary_request_total_equals_the_sandbox_count(syncs):
    assert all(r["ok"] for r in syncs.first + syncs.second + syncs.third)
    assert sum(r["requests"] for r in syncs.first) == syncs.first_seen
    assert sum(r["requests"] for r in syncs.second) == syncs.second_seen
    # child tables report rows, not their stream's requests
    by_asset = {r["asset"]: r for r in syncs.first}
    assert by_asset["orders"]["requests"] > 0 and by_asset["order_lines"]["received"] > 0
    assert by_asset["order_lines"]["requests"] == by_asset["shipments"]["requests"] == 0
    assert by_asset["variants"]["requests"] == by_asset["sizes"]["requests"] == 0


def test_second_sync_without_changes_sends_at_most_a_tenth_of_the_first(syncs):
    # every list, those a token may lack included, rides the one reference-lists request
    assert syncs.second_seen <= 0.1 * syncs.first_seen, (syncs.second_seen, syncs.first_seen)
    # the re-run re-read only the last synced day (and the lookback before it)
    windows = {r["partition"] for r in syncs.second if r["asset"] in ("orders", "customers")}
    until = syncs.server.sandbox.now.date().isoformat()
    assert windows == {f"{until}..{until}"}


def test_each_daily_partition_carries_its_own_row_counts(syncs):
    orders = dg.AssetKey("orders")
    with connect(syncs.url) as wh:
        held = wh.read(f"SELECT partition, COUNT(*) AS n FROM {wh.table_ref('orders')} WHERE deleted_at IS NULL "
                       "GROUP BY partition")
    until = syncs.server.sandbox.now.date().isoformat()  # re-synced by the second sync: not a first-sync day
    busiest = held[held["partition"] < until].sort_values("n").iloc[-1]
    counts = {}
    for day in (busiest["partition"], "2024-01-01"):  # a day with orders, and one before the first order
        records = syncs.instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=orders, asset_partitions=[day]),
                                                        limit=1).records
        assert records, f"partition {day} not materialized"
        counts[day] = {k: v.value for k, v in records[0].asset_materialization.metadata.items()}
    assert counts[busiest["partition"]]["dagster/row_count"] == int(busiest["n"])
    assert counts[busiest["partition"]]["received"] >= int(busiest["n"])
    assert counts["2024-01-01"]["dagster/row_count"] == counts["2024-01-01"]["received"] == 0
    # the run's totals only on the run's last day (the asset's latest event), not repeated on every day
    assert not any(k.startswith("run_") for day in counts.values() for k in day)
    # The first sync's orders run: its totals on its last day alone, and they are the sum of its days
    [daily] = [r for r in syncs.first_runs if r.job_name == "daily_sync_job"]
    mats = [e.dagster_event.event_specific_data.materialization
            for e in syncs.instance.all_logs(daily.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
            if e.dagster_event.asset_key == orders]
    with_totals = [m for m in mats if "run_received" in m.metadata]
    assert [m.partition for m in with_totals] == [max(m.partition for m in mats)]
    run = {k: v.value for k, v in with_totals[0].metadata.items()}
    assert run["run_received"] == sum(m.metadata["received"].value for m in mats) > int(busiest["n"])
    assert run["run_requests"] > 0


def test_partitions_are_synced_from_the_initial_import_start_to_the_last_day(syncs):
    from centra_pipelines.defs.windows import daily_partitions

    last = (syncs.server.sandbox.now.date() + timedelta(days=1)).isoformat()  # the third sync's last day
    expected = {k for k in daily_partitions.get_partition_keys() if k <= last}
    for asset in ("customers", "orders", "returns"):
        assert set(syncs.instance.get_materialized_partitions(dg.AssetKey(asset))) == expected, asset


def test_sync_runs_carry_the_code_location_and_partition_tags(syncs):
    runs = syncs.first_runs + syncs.second_runs + syncs.third_runs
    assert all({k: run.tags[k] for k in RUN_TAGS} == RUN_TAGS for run in runs)
    daily = [run for run in runs if run.job_name == "daily_sync_job"]
    until = syncs.server.sandbox.now.date().isoformat()
    assert [(run.tags[RANGE_START], run.tags[RANGE_END]) for run in daily[:2]] == [("2024-01-01", until), (until, until)]
    assert sorted(run.tags["dagster/partition"] for run in runs if run.job_name == "stock_job") == [
        "1-stockholm-dc", "2-rotterdam-3pl", "3-store-stockholm"]


def _materialized(instance, run: dg.DagsterRun) -> set[str]:
    return {e.dagster_event.asset_key.to_user_string()
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)}


def _steps(instance, run: dg.DagsterRun) -> list[tuple[str, str]]:
    """(event, step) of the run's step starts and successes, in order."""
    return [(e.dagster_event.event_type_value, e.step_key) for e in instance.all_logs(
        run.run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS})]


def test_a_sync_makes_one_unpartitioned_run_a_run_per_new_warehouse_and_one_daily_run(syncs):
    assert [r.job_name for r in syncs.first_runs] == ["catalog_sync_job", *["stock_job"] * 3, "daily_sync_job"]
    assert [r.job_name for r in syncs.second_runs] == ["catalog_sync_job", "daily_sync_job"]  # nothing new to stock
    catalog, daily = syncs.second_runs
    assert not catalog.asset_selection and not daily.asset_selection  # the whole jobs, no subset
    assert {"markets", "warehouses", "products", "sizes", "displays", "prices", "vouchers"} <= _materialized(
        syncs.instance, catalog)
    assert {"customers", "orders", "returns", "customer_identities"} <= _materialized(syncs.instance, daily)
    # inside a run, steps wait for the steps their assets depend on
    for run, before, after in ((catalog, "reference_lists", "displays_and_prices"),
                               (catalog, "catalog", "displays_and_prices"),
                               (daily, "order_windows", "customer_identities"),
                               (daily, "customer_windows", "customer_identities")):
        steps = _steps(syncs.instance, run)
        assert steps.index(("STEP_SUCCESS", before)) < steps.index(("STEP_START", after)), (before, after)
    # the summary: one row per asset, an unpartitioned asset of the daily run without the run's days
    assert len({r["asset"] for r in syncs.second}) == len(syncs.second)
    rows = {r["asset"]: r for r in syncs.second}
    assert rows["customer_identities"]["partition"] == "" and rows["order_lines"]["partition"] == f"{daily.tags[RANGE_START]}..{daily.tags[RANGE_END]}"


def test_customers_and_orders_needing_different_days_run_apart_with_identities_after_the_orders(syncs):
    until = syncs.server.sandbox.now.date()
    day, next_day = until.isoformat(), (until + timedelta(days=1)).isoformat()
    catalog, customers, orders = syncs.third_runs
    assert (catalog.job_name, customers.job_name, orders.job_name) == ("catalog_sync_job", *["daily_sync_job"] * 2)
    # customers continue from their last synced day; orders were synced up to the next day already
    assert (customers.tags[RANGE_START], customers.tags[RANGE_END]) == (day, next_day)
    assert (orders.tags[RANGE_START], orders.tags[RANGE_END]) == (next_day, next_day)
    assert _materialized(syncs.instance, customers) == {"customers"}
    assert {"orders", "returns", "customer_identities", "customer_identity_merges"} <= _materialized(
        syncs.instance, orders)
    assert "customers" not in _materialized(syncs.instance, orders)
    steps = _steps(syncs.instance, orders)
    assert steps.index(("STEP_SUCCESS", "order_windows")) < steps.index(("STEP_START", "customer_identities"))
    assert {r["partition"] for r in syncs.third if r["asset"] in ("customers", "orders")} == {
        f"{day}..{next_day}", f"{next_day}..{next_day}"}


def _materialize(instance, asset: str, days: list[str]) -> None:
    for day in days:  # as a run would record them
        instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=day))


def test_daily_runs_share_a_window_when_customers_and_orders_need_the_same_days():
    from centra_pipelines.defs.windows import daily_partitions

    until = date(2026, 3, 31)
    history = [k for k in daily_partitions.get_partition_keys() if k <= until.isoformat()]
    first = history[0]

    def plan(instance, full=False):
        return [(window, [job.name for job in jobs]) for window, jobs in daily_runs(instance, until, full)]

    with dg.DagsterInstance.ephemeral() as instance:
        assert plan(instance) == [((first, "2026-03-31"), [*BOTH, IDENTITIES])]  # the initial import
        for asset in ("customers", "orders", "returns"):
            _materialize(instance, asset, [day for day in history if day not in ("2025-06-01", "2026-03-31")])
        # a day never synced in the middle of history is its own run, identities only after the last
        assert plan(instance) == [(("2025-06-01", "2025-06-01"), BOTH),
                                  (("2026-03-30", "2026-03-31"), [*BOTH, IDENTITIES])]
        _materialize(instance, "orders", ["2025-06-01", "2026-03-31"])
        _materialize(instance, "returns", ["2025-06-01", "2026-03-31"])
        assert plan(instance) == [(("2025-06-01", "2025-06-01"), ["customers_daily_job"]),
                                  (("2026-03-30", "2026-03-31"), ["customers_daily_job"]),
                                  (("2026-03-31", "2026-03-31"), ["orders_daily_job", IDENTITIES])]
        assert plan(instance, full=True) == [((first, "2026-03-31"), [*BOTH, IDENTITIES])]
    with dg.DagsterInstance.ephemeral() as instance:  # a clock before the initial import start: no day
        assert [(w, [j.name for j in jobs]) for w, jobs in daily_runs(instance, date(2020, 1, 1), False)] == [
            (None, [IDENTITIES])]


BOTH = ["customers_daily_job", "orders_daily_job"]
IDENTITIES = "customer_identities_job"
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def test_a_failed_step_is_reported_with_what_its_run_left_unmaterialized(make_sandbox, tmp_path, dagster_instance):
    from centra_pipelines.sandbox.auth import Token
    from centra_pipelines.sandbox.permissions import READ_PERMISSIONS
    from centra_pipelines.sync import _run

    # a token that may not read products: the catalog step fails, and with it what depends on it
    server = make_sandbox(tokens=(Token("sandbox", permissions=READ_PERMISSIONS - {"Product:read"}),))
    rows = _run(make_defs(server, duckdb_url(tmp_path / "centra.duckdb")), dagster_instance, "catalog_sync_job", None)
    [failed] = [r for r in rows if not r["ok"]]
    assert failed["asset"] == "catalog_sync_job"
    assert failed["checks"] == ('FAILED: Execution of step "catalog" failed. Not materialized: displays, prices, '
                                'product_categories, product_media, products, sizes, translations, variants.')
    # what does not depend on the catalog was synced in the same run
    assert {"markets", "warehouses", "categories", "vouchers"} <= {r["asset"] for r in rows if r["ok"]}
