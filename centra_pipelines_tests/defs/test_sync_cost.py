"""Issue 11: a sync costs what the data costs — an unchanged re-run is cheap, every request is counted
once, each daily partition carries its own figures, and runs are tagged like the code location's."""

from dataclasses import dataclass

import dagster as dg
import pandas as pd
import pytest

from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer
from centra_pipelines.sync import RUN_TAGS, sync_warehouse
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs


@dataclass
class Syncs:
    server: SandboxServer
    instance: dg.DagsterInstance
    url: str
    first: list[dict]
    first_seen: int  # requests the sandbox logged during the first sync
    second: list[dict]
    second_seen: int


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
        first_seen, mark = _seen(server, mark), _last_seq(server)
        second = sync_warehouse(defs, instance, until=until)
        yield Syncs(server, instance, url, first, first_seen, second, _seen(server, mark))


def test_summary_request_total_equals_the_sandbox_count(syncs):
    assert all(r["ok"] for r in syncs.first + syncs.second)
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
    assert counts[busiest["partition"]]["run_received"] == counts["2024-01-01"]["run_received"] > int(busiest["n"])


def test_partitions_are_synced_from_the_initial_import_start_to_the_last_day(syncs):
    from centra_pipelines.defs.windows import daily_partitions

    until = syncs.server.sandbox.now.date().isoformat()
    expected = {k for k in daily_partitions.get_partition_keys() if k <= until}
    for asset in ("customers", "orders", "returns"):
        assert set(syncs.instance.get_materialized_partitions(dg.AssetKey(asset))) == expected, asset


def test_sync_runs_carry_the_code_location_and_partition_tags(syncs):
    runs = syncs.instance.get_runs(dg.RunsFilter(job_name="orders_daily_job"))
    assert len(runs) == 2
    for run in runs:
        assert {k: run.tags[k] for k in RUN_TAGS} == RUN_TAGS
        assert run.tags["dagster/asset_partition_range_end"] == syncs.server.sandbox.now.date().isoformat()
    assert pd.Series([r.tags["dagster/asset_partition_range_start"] for r in runs]).nunique() == 2
