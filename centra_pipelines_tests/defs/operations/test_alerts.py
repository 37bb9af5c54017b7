import logging

import dagster as dg

from centra_pipelines.defs.operations import alerts
from centra_pipelines.defs.operations.sensors import check_failure_alert_sensor, run_failure_alert_sensor

FAKE_TOKEN = "ctk-live-9f8e7d6c5b4a39281706"
DB_PASSWORD = "hunter2-db-password"
UI = "http://dagster.example.internal:3000"


def _secrets(monkeypatch):
    monkeypatch.setenv("CENTRA_API_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("CENTRA_WAREHOUSE_URL", f"postgresql://centra:{DB_PASSWORD}@db.internal:5432/centra")
    monkeypatch.setenv("CENTRA_DAGSTER_UI_URL", UI)


@dg.op
def call_centra():
    # What a careless library might do: echo the credentials back in its error.
    raise RuntimeError(f"Centra refused token {FAKE_TOKEN} (warehouse postgresql://centra:{DB_PASSWORD}@db.internal/x)")


@dg.job
def orders_daily_job():
    call_centra()


def test_failed_run_sends_one_message_without_secrets(monkeypatch, alert_sink, instance):
    _secrets(monkeypatch)
    result = orders_daily_job.execute_in_process(instance=instance, raise_on_error=False,
                                                 tags={"dagster/partition": "2026-03-01"})
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert_sensor.name, dagster_instance=instance,
        dagster_run=result.dagster_run, dagster_event=result.get_run_failure_event(),
    ).for_run_failure()

    run_failure_alert_sensor(context)

    assert len(alert_sink.received) == 1
    message = alert_sink.received[0]
    everything = repr(message)
    assert FAKE_TOKEN not in everything and DB_PASSWORD not in everything
    assert message["kind"] == "run_failure"
    assert message["job"] == "orders_daily_job"
    assert message["partition"] == "2026-03-01"
    assert message["run_url"] == f"{UI}/runs/{result.run_id}"
    assert "step call_centra: RuntimeError: Centra refused token ***" in message["error"]
    assert "centra:***@db.internal" in message["error"]
    for line in ("job: orders_daily_job", "partition: 2026-03-01", f"run: {UI}/runs/{result.run_id}"):
        assert line in message["text"]


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["eu", "us"]),
          check_specs=[dg.AssetCheckSpec("stock_drift", asset="stock_levels"),
                       dg.AssetCheckSpec("contract", asset="stock_levels")])
def stock_levels(context: dg.AssetExecutionContext):
    yield dg.Output(None)
    yield dg.AssetCheckResult(check_name="contract", passed=True)
    yield dg.AssetCheckResult(
        check_name="stock_drift", passed=False, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"sizes_differing": 12, "worst_skus": f"SKU-1 (seen with token {FAKE_TOKEN})"})


def test_failed_check_sends_exactly_one_message_without_secrets(monkeypatch, alert_sink, instance):
    _secrets(monkeypatch)
    # First tick: the sensor starts after what already happened.
    first = dg.build_sensor_context(instance=instance)
    assert isinstance(check_failure_alert_sensor(first), dg.SkipReason)
    assert first.cursor is not None

    result = dg.materialize([stock_levels], instance=instance, partition_key="eu", raise_on_error=False)
    checks = result.get_asset_check_evaluations()
    assert sorted((c.check_name, c.passed) for c in checks) == [("contract", True), ("stock_drift", False)]

    second = dg.build_sensor_context(instance=instance, cursor=first.cursor)
    check_failure_alert_sensor(second)
    third = dg.build_sensor_context(instance=instance, cursor=second.cursor)
    assert isinstance(check_failure_alert_sensor(third), dg.SkipReason)

    assert len(alert_sink.received) == 1  # the failed check, once; the passing check sends nothing
    message = alert_sink.received[0]
    assert FAKE_TOKEN not in repr(message)
    assert (message["kind"], message["asset"], message["check"], message["severity"], message["partition"]) == \
        ("check_failure", "stock_levels", "stock_drift", "ERROR", "eu")
    assert "sizes_differing=12" in message["error"] and "token ***" in message["error"]
    assert message["run_url"] == f"{UI}/runs/{result.run_id}"


def test_check_failures_of_failed_runs_are_sent_too(monkeypatch, alert_sink, instance):
    @dg.asset(check_specs=[dg.AssetCheckSpec("row_count_reconciliation", asset="orders", blocking=True)])
    def orders():
        yield dg.Output(None)
        yield dg.AssetCheckResult(check_name="row_count_reconciliation", passed=False,
                                  description="3 orders in Centra are missing from the warehouse")

    @dg.asset(deps=[orders])
    def order_report():
        return None

    first = dg.build_sensor_context(instance=instance)
    check_failure_alert_sensor(first)
    result = dg.materialize([orders, order_report], instance=instance, raise_on_error=False)
    assert not result.success  # the blocking check failed the run

    check_failure_alert_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))

    assert [(m["asset"], m["error"]) for m in alert_sink.received] == [
        ("orders", "3 orders in Centra are missing from the warehouse")]


def test_unconfigured_alerts_are_logged_once_and_sensors_skip(monkeypatch, instance, caplog):
    for name in ("CENTRA_ALERT_SLACK_TOKEN", "CENTRA_ALERT_SLACK_CHANNEL", "CENTRA_ALERT_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.INFO, logger="centra_pipelines.alerts"):
        alerts.announce_sink()
    assert [r.getMessage() for r in caplog.records] == [f"Failure {alerts.OFF_REASON}"]

    result = orders_daily_job.execute_in_process(instance=instance, raise_on_error=False)
    context = dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert_sensor.name, dagster_instance=instance,
        dagster_run=result.dagster_run, dagster_event=result.get_run_failure_event()).for_run_failure()
    assert run_failure_alert_sensor(context) == dg.SkipReason(alerts.OFF_REASON)


def test_slack_is_chosen_when_token_and_channel_are_set(monkeypatch):
    monkeypatch.setenv("CENTRA_ALERT_WEBHOOK_URL", "https://hooks.example.com/services/T000/B000/XXXX")
    monkeypatch.setenv("CENTRA_ALERT_SLACK_TOKEN", "xoxb-0000-fake")
    monkeypatch.delenv("CENTRA_ALERT_SLACK_CHANNEL", raising=False)
    assert isinstance(alerts.sink_from_env(), alerts.WebhookSink)  # half a Slack config is no Slack config
    assert alerts.sink_from_env().describe() == "webhook https://hooks.example.com/***"
    monkeypatch.setenv("CENTRA_ALERT_SLACK_CHANNEL", "#data-alerts")
    sink = alerts.sink_from_env()
    assert isinstance(sink, alerts.SlackSink) and sink.describe() == "Slack channel #data-alerts"


def test_unreachable_webhook_fails_without_naming_its_url(monkeypatch):
    monkeypatch.setenv("CENTRA_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/services/secret-path-token")
    sink = alerts.sink_from_env()
    alert = alerts.Alert(kind="run_failure", title="t", run_id="r1")
    try:
        sink.send(alert)
    except alerts.AlertDeliveryError as exc:
        assert "secret-path-token" not in str(exc) and "127.0.0.1" in str(exc)
    else:
        raise AssertionError("sending to a closed port must fail")
