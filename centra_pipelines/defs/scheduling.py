"""Schedules are configurable and off-able: CENTRA_SCHEDULE_<NAME> = a cron expression, or `off`.

Schedules start stopped (turn them on in the UI or with `dagster schedule start`), so a fresh
`dagster dev` never starts syncing on its own.
"""

import os
from collections.abc import Callable, Iterator
from datetime import timedelta, timezone

import dagster as dg

from centra_pipelines.defs.windows import SINCE_LAST_PULL, WINDOW_TAG


def cron(name: str, default: str) -> str | None:
    value = os.environ.get(f"CENTRA_SCHEDULE_{name.upper()}", default).strip()
    return None if value.lower() in ("off", "none", "") else value


def job_schedule(name: str, job, default_cron: str, description: str,
                 execution_fn: Callable | None = None) -> list[dg.ScheduleDefinition]:
    """The schedule, or none when CENTRA_SCHEDULE_<NAME> turns it off; without `execution_fn`, one
    plain run of `job` per tick."""
    cron_schedule = cron(name, default_cron)
    if cron_schedule is None:
        return []
    return [dg.ScheduleDefinition(name=name, job=job, cron_schedule=cron_schedule, execution_fn=execution_fn,
                                  description=description, default_status=dg.DefaultScheduleStatus.STOPPED)]


def per_partition_schedule(name: str, job, partitions: str, default_cron: str,
                           description: str, tags: dict[str, str] | None = None) -> list[dg.ScheduleDefinition]:
    """One run per dynamic partition (market, warehouse) at each tick, with `tags` (e.g. its budget lane)."""

    def _requests(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
        stamp = context.scheduled_execution_time.strftime("%Y-%m-%dT%H:%M")
        for key in context.instance.get_dynamic_partitions(partitions):
            yield dg.RunRequest(run_key=f"{name}-{stamp}-{key}", partition_key=key, tags=tags)

    return job_schedule(name, job, default_cron, description, _requests)


def window_schedule(name: str, job, default_cron: str, days_back: int | Callable[[], int],
                    description: str, since_last_pull: bool = False,
                    window_ops: tuple[str, ...] = ()) -> list[dg.ScheduleDefinition]:
    """Daily change windows from `days_back` days ago through today, as ONE run (a partition range);
    `since_last_pull`: each stream starts where its earlier pulls left off (defs/windows.py). The
    `window_ops` of a run reaching back `days_back` days re-read no lookback before them: the range
    is the lookback."""

    def _request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        today = context.scheduled_execution_time.astimezone(timezone.utc)
        back = days_back() if callable(days_back) else days_back
        first, last = (today - timedelta(days=back)).strftime("%Y-%m-%d"), today.strftime("%Y-%m-%d")
        return dg.RunRequest(run_key=f"{name}-{today:%Y-%m-%dT%H:%M}", tags={
            "dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last,
            **({WINDOW_TAG: SINCE_LAST_PULL} if since_last_pull else {})},
            run_config={"ops": {op: {"config": {"lookback_days": 0}} for op in window_ops}})

    return job_schedule(name, job, default_cron, description, _request)
