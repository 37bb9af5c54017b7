"""Failure alerts: one message per failed run and one per failed asset check evaluation.

Both sensors read the sink from the environment at each tick (defs/operations/alerts.py). With no
sink configured they skip, saying so, and the definitions log once at load that alerts are off.
A failing run whose blocking check failed gets two messages: one for the run, one for the check.
"""

import json

import dagster as dg
from centra_pipelines.defs.operations.alerts import (
    OFF_REASON,
    Alert,
    announce_sink,
    partition_of,
    sink_from_env,
    summarize,
)

# Finished runs read per tick and status; the rest wait for the next tick (the cursor keeps order).
RUN_BATCH = 50
# Statuses whose runs can hold check evaluations; each finished run has exactly one of these events.
FINISHED = (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE)


def _root_message(error) -> str:
    """The innermost cause of a serialized error: the user's exception, not Dagster's wrapper."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else ""


def run_failure_alert(context: dg.RunFailureSensorContext) -> Alert:
    run = context.dagster_run
    step_errors = [f"step {event.step_key}: {_root_message(event.event_specific_data.error)}"
                   for event in context.get_step_failure_events()]
    failure = context.failure_event
    error = "; ".join(step_errors) or _root_message(getattr(failure.event_specific_data, "error", None)) \
        or (failure.message or "")
    assets = sorted(key.to_user_string() for key in run.asset_selection or ())
    return Alert(
        kind="run_failure",
        title=f"Dagster run failed: {run.job_name}",
        run_id=run.run_id,
        job=run.job_name,
        partition=partition_of(run.tags),
        asset=", ".join(assets) or None,
        error=summarize(error),
    )


def check_failure_alert(evaluation, run: dg.DagsterRun) -> Alert:
    metadata = {key: value.value for key, value in (evaluation.metadata or {}).items()}
    summary = evaluation.description or "; ".join(
        f"{key}={json.dumps(value, default=str)[:200]}" for key, value in metadata.items())
    severity = evaluation.severity.value if evaluation.severity else None
    return Alert(
        kind="check_failure",
        title=f"Asset check failed ({severity}): {evaluation.asset_key.to_user_string()} {evaluation.check_name}",
        run_id=run.run_id,
        job=run.job_name,
        partition=evaluation.partition or partition_of(run.tags),
        asset=evaluation.asset_key.to_user_string(),
        check=evaluation.check_name,
        severity=severity,
        error=summarize(summary),
    )


@dg.run_failure_sensor(
    name="run_failure_alert_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends one message per failed run (job, partition, error, link to the run) to Slack "
                "(CENTRA_ALERT_SLACK_TOKEN + CENTRA_ALERT_SLACK_CHANNEL) or CENTRA_ALERT_WEBHOOK_URL. "
                "Secrets are masked. Skips when no sink is configured.",
)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext):
    sink = sink_from_env()
    if sink is None:
        return dg.SkipReason(OFF_REASON)
    sink.send(run_failure_alert(context))
    return None


def _cursor_start(instance: dg.DagsterInstance) -> dict[str, str]:
    """Start after the newest finished run, so enabling the sensor does not replay history."""
    # The cursor of a one-record descending read is the newest record's position.
    return {status.value: instance.fetch_run_status_changes(status, limit=1, ascending=False).cursor
            for status in FINISHED}


@dg.sensor(
    name="check_failure_alert_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends one message per failed asset check evaluation (asset, check, severity, partition, the "
                "check's description or metadata, link to the run) to the same sink as run_failure_alert_sensor. "
                "Reads the checks of runs finished since its last tick. Secrets are masked.",
)
def check_failure_alert_sensor(context: dg.SensorEvaluationContext):
    instance = context.instance
    if context.cursor is None:
        context.update_cursor(json.dumps(_cursor_start(instance)))
        return dg.SkipReason("started: alerts cover runs finishing from now on")
    cursor = json.loads(context.cursor)
    sink = sink_from_env()
    sent = 0
    for status in FINISHED:
        result = instance.fetch_run_status_changes(status, limit=RUN_BATCH, cursor=cursor.get(status.value),
                                                   ascending=True)
        for record in result.records:
            if sink is None:
                continue  # the cursor still moves: turning alerts on later must not replay a backlog
            run = instance.get_run_by_id(record.event_log_entry.run_id)
            if run is None:
                continue  # deleted since (retention)
            evaluations = instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000).records
            for evaluation_record in evaluations:
                evaluation = evaluation_record.event_log_entry.dagster_event.event_specific_data
                if not evaluation.passed:
                    sink.send(check_failure_alert(evaluation, run))
                    sent += 1
        cursor[status.value] = result.cursor
    # A failed send raises before this line: the tick fails visibly and the same runs are read again
    # next tick (a message may then repeat; none is lost).
    context.update_cursor(json.dumps(cursor))
    if sink is None:
        return dg.SkipReason(OFF_REASON)
    if not sent:
        return dg.SkipReason("no failed checks in runs finished since the last tick")
    context.log.info(f"sent {sent} check failure alert(s) to {sink.describe()}")
    return None


SENSORS = [run_failure_alert_sensor, check_failure_alert_sensor]

announce_sink()
