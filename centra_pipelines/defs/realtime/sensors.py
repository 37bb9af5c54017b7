"""What starts the real-time runs: the landing-folder sensor and the event-queue schedule.

`webhook_landing_sensor` only lists `<landing>/incoming/` (no file is opened or stat'ed: a tick over
10,000 waiting files takes milliseconds) and hands the next batch of names, in receive order, to a
`webhook_batch_job` run. Its cursor is the last name handed out. The receiver names files by
receive time, but two concurrent calls may be renamed into place slightly out of order, so a
forward-only cursor could step over a file that appears late: the sensor therefore takes only files
received at least `settle_seconds` ago (a landing write takes milliseconds). As a second net, files
at or before the cursor still waiting after `retry_seconds` (a failed run's batch, or a write that
stalled) are handed out again, once per `retry_seconds`; processing is idempotent.

While a `webhook_batch_job` run created in the last `wait_seconds` is queued or running, a tick starts
nothing: the next run takes every file landed meanwhile. Runs slower than the tick interval (a busy
machine, a large batch) therefore do not overlap and pile up, each paying a process start for a
handful of files; a run older than `wait_seconds` (one that hangs, whose process died before run
monitoring marked it) is no longer waited for.
"""

import hashlib
import json
import os
from bisect import bisect_right
from datetime import datetime, timedelta, timezone

import dagster as dg

from centra_pipelines.defs.jobs import centra_events_job, webhook_batch_job
from centra_pipelines.defs.realtime import landing as files

BATCH_ENV, SETTLE_ENV, RETRY_ENV = "CENTRA_WEBHOOK_BATCH", "CENTRA_WEBHOOK_SETTLE_SECONDS", "CENTRA_WEBHOOK_RETRY_SECONDS"
WAIT_ENV = "CENTRA_WEBHOOK_WAIT_SECONDS"
DEFAULT_BATCH, DEFAULT_SETTLE_SECONDS, DEFAULT_RETRY_SECONDS, DEFAULT_WAIT_SECONDS = 500, 2.0, 600.0, 120.0
IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED]
AFTER_STAMP = "~"  # sorts after "-": name < stamp + "~" exactly when the name's stamp <= stamp


def _setting(value, env: str, default: float) -> float:
    return float(value if value is not None else os.environ.get(env) or default)


def batch_request(landing, names: list[str], key_prefix: str) -> dg.RunRequest:
    # The run key names the batch: a tick that re-offers the same batch does not start a second run.
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:20]
    return dg.RunRequest(
        run_key=f"{key_prefix}-{digest}",
        run_config={"ops": {"webhook_calls": {"config": {"landing": str(landing), "files": names}}}},
        tags={"centra/webhook_first": names[0], "centra/webhook_last": names[-1],
              "centra/webhook_files": str(len(names))},
    )


def build_webhook_landing_sensor(name: str = "webhook_landing_sensor", *, landing=None, batch_size: int | None = None,
                                 settle_seconds: float | None = None, retry_seconds: float | None = None,
                                 wait_seconds: float | None = None, minimum_interval_seconds: int = 5,
                                 default_status=dg.DefaultSensorStatus.STOPPED) -> dg.SensorDefinition:
    """The landing sensor. Unset settings are read at each tick from CENTRA_WEBHOOK_LANDING,
    CENTRA_WEBHOOK_BATCH, CENTRA_WEBHOOK_SETTLE_SECONDS, CENTRA_WEBHOOK_RETRY_SECONDS and
    CENTRA_WEBHOOK_WAIT_SECONDS (0: never wait for a run in flight)."""

    @dg.sensor(name=name, job=webhook_batch_job, minimum_interval_seconds=minimum_interval_seconds,
               default_status=default_status,
               description="Starts webhook_batch_job for the next batch of landed webhook files (listing only).")
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        folder = files.landing_dir(landing)
        size = max(1, int(_setting(batch_size, BATCH_ENV, DEFAULT_BATCH)))
        now = datetime.now(timezone.utc)
        wait = _setting(wait_seconds, WAIT_ENV, DEFAULT_WAIT_SECONDS)
        if wait > 0:
            busy = context.instance.get_run_records(dg.RunsFilter(
                job_name=webhook_batch_job.name, statuses=IN_FLIGHT, created_after=now - timedelta(seconds=wait)),
                limit=1)
            if busy:
                return dg.SensorResult(skip_reason=f"webhook batch run {busy[0].dagster_run.run_id} is in flight: the "
                                                   "next batch takes every file landed meanwhile", cursor=context.cursor)
        names = files.waiting(folder)
        after = json.loads(context.cursor)["after"] if context.cursor else ""
        start = bisect_right(names, after)
        ready = bisect_right(names, files.stamp(files.age_cutoff(now, _setting(settle_seconds, SETTLE_ENV,
                                                                             DEFAULT_SETTLE_SECONDS))) + AFTER_STAMP)
        batch = names[start:max(start, min(ready, start + size))]
        requests = [batch_request(folder, batch, "webhooks")] if batch else []
        retry = _setting(retry_seconds, RETRY_ENV, DEFAULT_RETRY_SECONDS)
        left = names[:bisect_right(names, files.stamp(files.age_cutoff(now, retry)) + AFTER_STAMP, 0, start)][:size]
        if left:
            context.log.warning(f"{len(left)} webhook files at or before the cursor still wait after {retry:.0f} s "
                                f"(first {left[0]}): handing them out again")
            requests.append(batch_request(folder, left, f"webhooks-retry-{int(now.timestamp() // retry)}"))
        cursor = json.dumps({"after": batch[-1] if batch else after})
        if not requests:
            return dg.SensorResult(skip_reason=f"no landed file ready ({len(names)} waiting in {folder / files.INCOMING})",
                                   cursor=cursor)
        return dg.SensorResult(run_requests=requests, cursor=cursor)

    return _sensor


webhook_landing_sensor = build_webhook_landing_sensor()

centra_events_schedule = dg.ScheduleDefinition(
    name="centra_events_schedule", job=centra_events_job, cron_schedule="* * * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Drains Centra's event queue every minute (changes confirmed only after the warehouse commit).",
)

SENSORS = [webhook_landing_sensor]
SCHEDULES = [centra_events_schedule]
