"""The embedded instance's event log (centra_pipelines/instance_storage.py): kept open and committed
with synchronous=NORMAL, it still hands every event to other processes (the UI, the next sync) and
loses none when the writing process is killed without closing anything."""

import os
import subprocess
import sys
import textwrap
import time
from contextlib import ExitStack

import dagster as dg

from centra_pipelines.home import FRAMEWORK_ENV, WRITTEN_BY, prepare_dagster_home, repository_file
from centra_pipelines.instance_storage import LocalSqliteEventLogStorage, LocalSqliteRunStorage

WRITER = textwrap.dedent("""
    import os, signal
    import dagster as dg

    @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-02-01"))
    def days(context):
        return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})

    job = dg.Definitions(assets=[days], jobs=[dg.define_asset_job("days_job", selection=[days])]).resolve_job_def("days_job")
    instance = dg.DagsterInstance.get()
    result = job.execute_in_process(instance=instance, tags={"dagster/asset_partition_range_start": "2026-01-01",
                                                            "dagster/asset_partition_range_end": "2026-01-31"})
    assert result.success
    print(result.run_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # nothing closed, nothing checkpointed
""")


def test_the_home_gets_the_repository_settings_and_the_embedded_storage_in_itself(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert prepare_dagster_home() == home
    written = (home / "dagster.yaml").read_text()
    assert written.startswith(WRITTEN_BY) and repository_file("dagster.yaml").read_text() in written
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, LocalSqliteEventLogStorage)
        assert instance.event_log_storage._base_dir == str(home / "history" / "runs")
    (home / "dagster.yaml").write_text(written + "# an edit of the written file is undone\n")
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == written
    own = "telemetry:\n  enabled: false\n"  # a production home's own file is left as it is
    (home / "dagster.yaml").write_text(own)
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == own


def test_a_killed_writer_loses_no_event_and_others_read_them(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    prepare_dagster_home()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", WRITER], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == -9, out.stderr[-2000:]
    run_id = out.stdout.split()[-1]

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, LocalSqliteEventLogStorage)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        logs = instance.all_logs(run_id)
        types = [e.dagster_event.event_type for e in logs if e.dagster_event]
        assert types[-1] == dg.DagsterEventType.RUN_SUCCESS  # the run's last event, written just before the kill
        assert types.count(dg.DagsterEventType.ASSET_MATERIALIZATION) == 31
        assert len(instance.get_materialized_partitions(dg.AssetKey("days"))) == 31


def test_a_range_runs_materializations_are_stored_as_one_batch_with_every_partition(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")
    prepare_dagster_home()
    days = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-02-01")

    @dg.asset(partitions_def=days)
    def orders(context):
        for key in context.partition_keys:
            context.add_asset_metadata({"day": key}, partition_key=key)
        return dg.MaterializeResult(metadata={"run_rows": 31})

    job = dg.Definitions(assets=[orders], jobs=[dg.define_asset_job("orders_job", selection=[orders])]) \
        .resolve_job_def("orders_job")
    with dg.DagsterInstance.get() as instance:
        stored = []
        storage = instance.event_log_storage
        monkeypatch.setattr(storage, "store_event_batch",
                            lambda events: (stored.append(len(events)), type(storage).store_event_batch(storage, events)))
        result = job.execute_in_process(instance=instance, tags={"dagster/asset_partition_range_start": "2026-01-01",
                                                                "dagster/asset_partition_range_end": "2026-01-31"})
        assert result.success and stored == [31]  # one batch, not 31 single events
        key = dg.AssetKey("orders")
        assert len(instance.get_materialized_partitions(key)) == 31
        records = instance.fetch_materializations(key, limit=100).records
        assert sorted(r.partition_key for r in records) == days.get_partition_keys()
        assert all(r.asset_materialization.metadata["day"].value == r.partition_key for r in records)
        assert len({r.storage_id for r in records}) == 31
        latest = instance.get_latest_materialization_event(key)
        assert latest.dagster_event.partition == "2026-01-31" and latest.run_id == result.run_id
        # the per-partition status the UI reads
        status = instance.get_status_by_partition(key, days.get_partition_keys(), days)
        assert set(status.values()) == {dg.AssetPartitionStatus.MATERIALIZED}


def _record_of(instance: dg.DagsterInstance, runs: list[str]) -> dict:
    """What the UI reads of two assets and their checks, run ids replaced by the runs' order."""
    order = {run_id: i for i, run_id in enumerate(runs)}
    days, summary = dg.AssetKey("days"), dg.AssetKey("summary")
    storage = instance.event_log_storage
    records = {r.asset_entry.asset_key: r.asset_entry for r in instance.get_asset_records([days, summary])}
    return {
        "statuses": [instance.get_run_by_id(r).status for r in runs],
        "events": [[e.dagster_event.event_type for e in instance.all_logs(r) if e.dagster_event] for r in runs],
        "partitions": sorted(instance.get_materialized_partitions(days)),
        "latest": {k.to_user_string(): (order[e.last_materialization.run_id], e.last_materialization.dagster_event.partition,
                                        order[e.last_run_id]) for k, e in records.items()},
        "materializations": sorted((order[r.run_id], r.partition_key or "")
                                   for k in (days, summary) for r in instance.fetch_materializations(k, limit=10).records),
        "planned": sorted(order[r.run_id] for k in (days, summary) for r in instance.fetch_planned_materializations(
            dg.AssetRecordsFilter(asset_key=k), limit=10).records),
        "indexed_tags": {day: sorted(tags) for day, tags in storage.get_latest_tags_by_partition(
            days, dg.DagsterEventType.ASSET_MATERIALIZATION, ["dagster/data_version"], [f"2026-01-0{d}" for d in range(1, 6)]).items()},
        "checks": {name: [(order[c.run_id], c.status.value, c.event.dagster_event.event_specific_data.passed)
                          for c in storage.get_asset_check_execution_history(dg.AssetCheckKey(summary, name), limit=10)]
                   for name in ("has_rows", "too_few")},
    }


def test_the_embedded_storage_records_what_dagsters_own_sqlite_storage_records(tmp_path, monkeypatch):
    """store_event and the run storage are ours (fewer statements, kept connections): every event,
    asset record, tag, planned row and check result reads back as from Dagster's storage."""
    days = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-02-01")

    @dg.asset(partitions_def=days)
    def days_asset(context) -> dg.MaterializeResult:
        context.log.info(f"pulled {context.partition_key_range}")
        return dg.MaterializeResult(metadata={"rows": 3})

    @dg.asset(deps=[days_asset], check_specs=[dg.AssetCheckSpec("has_rows", asset="summary"),
                                              dg.AssetCheckSpec("too_few", asset="summary")])
    def summary() -> dg.MaterializeResult:
        return dg.MaterializeResult(check_results=[
            dg.AssetCheckResult(check_name="has_rows", passed=True),
            dg.AssetCheckResult(check_name="too_few", passed=False, severity=dg.AssetCheckSeverity.WARN)])

    days_asset = days_asset.with_attributes(asset_key_replacements={dg.AssetKey("days_asset"): dg.AssetKey("days")})
    job = dg.Definitions(assets=[days_asset, summary], jobs=[dg.define_asset_job("job")]).resolve_job_def("job")

    def three_runs(instance: dg.DagsterInstance) -> dict:
        runs = [job.execute_in_process(instance=instance, partition_key=day).run_id for day in ("2026-01-01", "2026-01-02")]
        runs.append(job.execute_in_process(instance=instance, tags={  # a range: batched materializations
            "dagster/asset_partition_range_start": "2026-01-03", "dagster/asset_partition_range_end": "2026-01-05"}).run_id)
        return _record_of(instance, runs)

    for name, value in FRAMEWORK_ENV.items():  # as `sync` runs: planned events and materializations batched
        monkeypatch.setenv(name, value)

    (tmp_path / "dagster_default").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster_default")) as plain:
        assert not isinstance(plain.event_log_storage, LocalSqliteEventLogStorage)
        expected = three_runs(plain)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, LocalSqliteEventLogStorage)
        assert isinstance(instance.run_storage, LocalSqliteRunStorage)
        got = three_runs(instance)
    assert got == expected
    assert got["partitions"] == days.get_partition_keys()[:5] and got["latest"]["summary"] == (2, None, 2)
    assert got["indexed_tags"] == {day: ["dagster/data_version"] for day in got["partitions"]}
    assert [status for _, status, _ in got["checks"]["too_few"]] == ["FAILED"] * 3


def test_the_kept_run_storage_serves_more_connections_at_once_than_it_keeps(tmp_path, monkeypatch):
    """The UI's server reads runs from many threads at once: beyond the five kept connections each
    gets its own at once instead of waiting (SQLAlchemy's default pool would block the 16th for 30 s)."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance, ExitStack() as held:
        started = time.monotonic()
        connections = [held.enter_context(instance.run_storage.connect()) for _ in range(20)]
        assert [c.exec_driver_sql("select count(*) from runs").scalar() for c in connections] == [0] * 20
        assert time.monotonic() - started < 10
