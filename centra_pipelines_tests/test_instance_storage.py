"""The embedded instance's event log (centra_pipelines/instance_storage.py): kept open and committed
with synchronous=NORMAL, it still hands every event to other processes (the UI, the next sync) and
loses none when the writing process is killed without closing anything."""

import os
import subprocess
import sys
import textwrap

import dagster as dg

from centra_pipelines.home import WRITTEN_BY, prepare_dagster_home, repository_file
from centra_pipelines.instance_storage import LocalSqliteEventLogStorage

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
