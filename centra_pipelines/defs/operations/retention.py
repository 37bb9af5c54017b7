"""Retention: what is older than its configured age is deleted; nothing younger is touched.

- webhook landing files in `processed/` and `rejected/` (never a call in `incoming/`), by file mtime —
  the moment the call was received, since moving a file keeps it; and temporary files in
  `incoming/` of landing writes that were interrupted (older than STALE_TEMPORARY);
- warehouse `quarantine` rows, by `seen_at` (the last time a sync met the bad row);
- finished Dagster runs (with their event logs), by creation time, through the instance API;
  queued and in-progress runs are never deleted.

No table keeps change history yet (upserts replace rows; deletes are soft), so there is nothing of
that kind to expire; a history table would get its own op here.

Ages come from CENTRA_RETENTION_*_DAYS (config.py) as the run config's defaults, so a run from the
launchpad can override them.
"""

import os
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
from pydantic import Field

from centra_pipelines import config as settings
from centra_pipelines.defs.resources import WarehouseResource

# A landing write takes milliseconds (webhooks/landing.py): a temporary file this old belongs to a
# write that was interrupted (receiver killed, disk full) and will never be renamed into a call.
STALE_TEMPORARY = timedelta(hours=1)
REASON_SUFFIX = ".reason"  # `rejected/<name>.reason` next to a rejected call (defs/realtime/landing.py)
RUN_DELETE_BATCH = 100
FINISHED_RUN_STATUSES = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]


def cutoff(days: int, now: datetime | None = None) -> datetime:
    if days < 1:
        raise ValueError(f"retention must keep at least 1 day, got {days}")
    return (now or datetime.now(timezone.utc)) - timedelta(days=days)


def purge_files(folder: Path, older_than: datetime) -> int:
    """Remove files under `folder` (recursively) whose mtime is before `older_than`, each with its
    `.reason` file; then remove subfolders left empty (never `folder` itself). Returns the number of
    calls (files other than reasons) deleted."""
    if not folder.is_dir():
        return 0
    limit = older_than.timestamp()
    deleted = 0
    for root, _dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = Path(root, name)
            try:
                if path.suffix != REASON_SUFFIX and path.lstat().st_mtime < limit:
                    path.unlink()
                    # a rejected call's reason goes with it (written later, so younger than the call)
                    path.with_name(path.name + REASON_SUFFIX).unlink(missing_ok=True)
                    deleted += 1
            except FileNotFoundError:
                pass  # moved or deleted by someone else meanwhile
        if Path(root) != folder:
            try:
                os.rmdir(root)
            except OSError:
                pass  # not empty: it still holds younger files
    return deleted


def purge_temporaries(incoming: Path, older_than: datetime) -> int:
    """Remove the receiver's temporary files (`.<name>.tmp`, webhooks/landing.py) directly in
    `incoming/` whose mtime is before `older_than`; returns how many."""
    if not incoming.is_dir():
        return 0
    limit = older_than.timestamp()
    deleted = 0
    for path in incoming.glob(".*.tmp"):
        try:
            if path.lstat().st_mtime < limit:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            pass  # renamed or deleted meanwhile
    return deleted


def purge_runs(instance: dg.DagsterInstance, created_before: datetime, keep: Iterable[str] = ()) -> int:
    """Remove finished runs created before `created_before`; returns how many."""
    keep = set(keep)
    deleted = 0
    while True:
        records = instance.get_run_records(
            filters=dg.RunsFilter(created_before=created_before, statuses=FINISHED_RUN_STATUSES),
            limit=RUN_DELETE_BATCH)
        batch = [r.dagster_run.run_id for r in records if r.dagster_run.run_id not in keep]
        for run_id in batch:
            instance.delete_run(run_id)
        deleted += len(batch)
        if len(records) < RUN_DELETE_BATCH or not batch:
            return deleted


class LandingRetentionConfig(dg.Config):
    landing: str = Field(default=settings.value("CENTRA_WEBHOOK_LANDING"),
                         description="Webhook landing folder (CENTRA_WEBHOOK_LANDING)")
    processed_days: int = Field(default=settings.int_value("CENTRA_RETENTION_LANDING_DAYS"),
                                description="Keep processed files this many days (CENTRA_RETENTION_LANDING_DAYS)")
    rejected_days: int = Field(default=settings.int_value("CENTRA_RETENTION_REJECTED_DAYS"),
                               description="Keep rejected files this many days (CENTRA_RETENTION_REJECTED_DAYS)")


class QuarantineRetentionConfig(dg.Config):
    days: int = Field(default=settings.int_value("CENTRA_RETENTION_QUARANTINE_DAYS"),
                      description="Keep quarantined rows this many days after last seen "
                                  "(CENTRA_RETENTION_QUARANTINE_DAYS)")


class RunRetentionConfig(dg.Config):
    days: int = Field(default=settings.int_value("CENTRA_RETENTION_RUNS_DAYS"),
                      description="Keep finished runs this many days (CENTRA_RETENTION_RUNS_DAYS)")


@dg.op(description="Deletes webhook landing files in processed/ and rejected/ older than their ages, and "
                   "temporary files of interrupted landing writes in incoming/.")
def purge_landing_files(context: dg.OpExecutionContext, config: LandingRetentionConfig) -> dg.Output[int]:
    landing = Path(config.landing)
    counts = {}
    for folder, days in (("processed", config.processed_days), ("rejected", config.rejected_days)):
        counts[folder] = purge_files(landing / folder, cutoff(days))
    counts["temporary"] = purge_temporaries(landing / "incoming", datetime.now(timezone.utc) - STALE_TEMPORARY)
    context.log.info(f"landing {landing}: deleted {counts['processed']} processed, {counts['rejected']} rejected "
                     f"and {counts['temporary']} stale temporary file(s)")
    return dg.Output(sum(counts.values()), metadata={
        "processed_deleted": counts["processed"], "rejected_deleted": counts["rejected"],
        "temporary_deleted": counts["temporary"], "landing": str(landing.resolve())})


@dg.op(description="Deletes warehouse quarantine rows not seen for longer than the configured age.")
def purge_quarantine(context: dg.OpExecutionContext, config: QuarantineRetentionConfig,
                     warehouse: WarehouseResource) -> dg.Output[int]:
    before = cutoff(config.days)
    with warehouse.connect() as wh, wh.transaction() as tx:
        deleted = tx.purge_quarantine(before)
    context.log.info(f"quarantine: deleted {deleted} row(s) last seen before {before.isoformat()}")
    return dg.Output(deleted, metadata={"rows_deleted": deleted, "seen_before": before.isoformat()})


@dg.op(description="Deletes finished Dagster runs (and their logs) created before the configured age.")
def purge_dagster_runs(context: dg.OpExecutionContext, config: RunRetentionConfig) -> dg.Output[int]:
    before = cutoff(config.days)
    deleted = purge_runs(context.instance, before, keep=[context.run_id])
    context.log.info(f"runs: deleted {deleted} finished run(s) created before {before.isoformat()}")
    return dg.Output(deleted, metadata={"runs_deleted": deleted, "created_before": before.isoformat()})


@dg.job(executor_def=dg.in_process_executor,
        description="Retention: deletes webhook landing files (processed/, rejected/, stale temporaries in "
                    "incoming/), warehouse quarantine rows "
                    "and finished Dagster runs older than their configured ages (CENTRA_RETENTION_*_DAYS). "
                    "Nothing younger, and no queued or running run, is touched.")
def retention_job():
    purge_landing_files()
    purge_quarantine()
    purge_dagster_runs()


JOBS = [retention_job]
