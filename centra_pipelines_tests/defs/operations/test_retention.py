import os
import uuid
from datetime import datetime, timedelta, timezone

import dagster as dg
import duckdb

from centra_pipelines.defs.operations.retention import retention_job
from centra_pipelines.defs.resources import WarehouseResource
from centra_pipelines.warehouse import connect, duckdb_url

NOW = datetime.now(timezone.utc)
DAY = timedelta(days=1)


def _file(path, age: timedelta):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _historical_run(instance, age: timedelta, status=dg.DagsterRunStatus.SUCCESS) -> str:
    run = dg.DagsterRun(job_name="orders_daily_job", run_id=str(uuid.uuid4()), status=status)
    instance.run_storage.add_historical_run(run, NOW - age)
    return run.run_id


def test_retention_deletes_exactly_what_is_older_than_the_policy(tmp_path, instance):
    landing = tmp_path / "webhooks"
    old_processed = _file(landing / "processed" / "20250101T000000.000000Z-a.json", 15 * DAY)
    old_nested = _file(landing / "processed" / "2025-01-01" / "b.json", 20 * DAY)
    young_processed = _file(landing / "processed" / "c.json", 13 * DAY)
    old_rejected = _file(landing / "rejected" / "d.json", 31 * DAY)
    old_rejected_reason = _file(landing / "rejected" / "d.json.reason", 29 * DAY)  # goes with its call
    young_rejected = _file(landing / "rejected" / "e.json", 15 * DAY)  # rejected files are kept longer
    young_rejected_reason = _file(landing / "rejected" / "e.json.reason", 15 * DAY)
    ancient_incoming = _file(landing / "incoming" / "f.json", 365 * DAY)  # not processed yet: never touched
    # Temporary files of landing writes: one interrupted two hours ago, one that may still be written.
    stale_temporary = _file(landing / "incoming" / ".20250101T000000.000000Z-g.json.tmp", timedelta(hours=2))
    young_temporary = _file(landing / "incoming" / ".20250101T000000.000000Z-h.json.tmp", timedelta(minutes=1))

    db = tmp_path / "warehouse" / "centra.duckdb"
    with connect(duckdb_url(db)) as wh:
        with wh.transaction() as tx:
            tx.quarantine("orders", [(1, "bad currency", {"id": 1}), (2, "bad currency", {"id": 2}),
                                     (3, "bad currency", {"id": 3})])
        quarantine = wh.table_ref("quarantine")
    con = duckdb.connect(str(db))
    for key, age in (("1", 91 * DAY), ("2", 89 * DAY)):  # "3" was just seen
        con.execute(f"UPDATE {quarantine} SET seen_at = ? WHERE key = ?", [NOW - age, key])
    con.close()

    old_runs = [_historical_run(instance, 31 * DAY), _historical_run(instance, 40 * DAY, dg.DagsterRunStatus.FAILURE)]
    young_run = _historical_run(instance, 29 * DAY)
    old_unfinished = _historical_run(instance, 60 * DAY, dg.DagsterRunStatus.STARTED)

    result = retention_job.execute_in_process(
        instance=instance,
        resources={"warehouse": WarehouseResource(url=duckdb_url(db))},
        run_config={"ops": {
            "purge_landing_files": {"config": {"landing": str(landing), "processed_days": 14, "rejected_days": 30}},
            "purge_quarantine": {"config": {"days": 90}},
            "purge_dagster_runs": {"config": {"days": 30}},
        }},
    )

    assert result.success
    assert not old_processed.exists() and not old_nested.exists() and not old_rejected.exists()
    assert not old_rejected_reason.exists() and young_rejected_reason.exists()
    assert not old_nested.parent.exists()  # emptied day folder removed
    assert young_processed.exists() and young_rejected.exists() and ancient_incoming.exists()
    assert not stale_temporary.exists() and young_temporary.exists()
    assert (landing / "processed").is_dir() and (landing / "rejected").is_dir()

    with connect(duckdb_url(db)) as wh:
        assert sorted(wh.read("quarantine")["key"]) == ["2", "3"]

    remaining = {r.dagster_run.run_id for r in instance.get_run_records()}
    assert remaining == {young_run, old_unfinished, result.run_id}
    assert not remaining & set(old_runs)

    assert result.output_for_node("purge_landing_files") == 4
    landing_metadata = next(e for e in result.all_events if e.is_successful_output
                            and e.step_key == "purge_landing_files").event_specific_data.metadata
    assert landing_metadata["temporary_deleted"].value == 1
    assert result.output_for_node("purge_quarantine") == 1
    assert result.output_for_node("purge_dagster_runs") == 2

