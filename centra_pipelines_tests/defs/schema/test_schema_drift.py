"""centra_schema end to end against the sandbox: the ERROR path (a used field no longer served) and
the WARN paths (an unmapped enum value; fields a synced type gained since the last run)."""

import dagster as dg

from centra_pipelines.defs.operations.sensors import check_failure_alert_sensor
from centra_pipelines.defs.schema.assets import CHANGES, COMPATIBLE
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.operations.conftest import AlertSink


def _materialize(sandbox, tmp_path, instance):
    defs = make_defs(sandbox, f"duckdb:///{tmp_path / 'unused.duckdb'}")
    result = defs.resolve_job_def("centra_schema_job").execute_in_process(instance=instance, raise_on_error=False)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    [materialization] = result.asset_materializations_for_node("centra_schema")
    return checks, {k: v.value for k, v in materialization.metadata.items()}


def test_full_schema_passes_both_checks_and_records_modes(make_sandbox, tmp_path, dagster_instance):
    checks, meta = _materialize(make_sandbox(), tmp_path, dagster_instance)
    assert checks[COMPATIBLE].passed and checks[CHANGES].passed
    assert meta["stream_modes"]["products"] == "keyset" and meta["stream_modes"]["customers"] == "pages"
    assert "isOnHold" in meta["synced_type_fields"]["Order"]
    assert len(meta["fingerprint"]) == 16


def test_a_used_field_no_longer_served_fails_with_error_naming_it(make_sandbox, tmp_path, dagster_instance,
                                                                  monkeypatch):
    server = make_sandbox(drop_fields=("Order.isOnHold", "CurrencyFilter.isBase"))
    monkeypatch.delenv("CENTRA_ALERT_SLACK_TOKEN", raising=False)
    with AlertSink() as sink:
        monkeypatch.setenv("CENTRA_ALERT_WEBHOOK_URL", sink.url)
        first = dg.build_sensor_context(instance=dagster_instance)
        check_failure_alert_sensor(first)  # the alert sensor starts after what already happened
        checks, _ = _materialize(server, tmp_path, dagster_instance)
        check_failure_alert_sensor(dg.build_sensor_context(instance=dagster_instance, cursor=first.cursor))

    compatible = checks[COMPATIBLE]
    assert not compatible.passed and compatible.severity == dg.AssetCheckSeverity.ERROR
    missing = compatible.metadata["missing"].value
    assert missing == {"CurrencyFilter.isBase": ["BASE_CURRENCY"], "Order.isOnHold": ["ORDERS_PAGE"]}
    assert "Order.isOnHold" in compatible.description and "CurrencyFilter.isBase" in compatible.description
    assert checks[CHANGES].passed  # the first run records the field lists
    # the failure alert covers it: one message, naming the check and the missing members
    [alert] = sink.received
    assert (alert["asset"], alert["check"], alert["severity"]) == ("centra_schema", COMPATIBLE, "ERROR")
    assert "Order.isOnHold" in alert["error"]


def test_fields_a_synced_type_gains_warn_on_the_next_run(make_sandbox, tmp_path, dagster_instance):
    before = make_sandbox(drop_fields=("Order.userIP", "Customer.gender"))  # fields we do not query
    checks, meta = _materialize(before, tmp_path, dagster_instance)
    assert checks[COMPATIBLE].passed and checks[CHANGES].passed
    assert "userIP" not in meta["synced_type_fields"]["Order"]

    checks, _ = _materialize(make_sandbox(), tmp_path, dagster_instance)  # Centra added them back
    changes = checks[CHANGES]
    assert not changes.passed and changes.severity == dg.AssetCheckSeverity.WARN
    assert changes.metadata["gained_fields"].value == {"Customer": ["gender"], "Order": ["userIP"]}
    assert checks[COMPATIBLE].passed


def test_an_enum_value_the_mapping_does_not_map_warns(make_sandbox, tmp_path, dagster_instance, monkeypatch):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("order_status:\n  ARCHIVED: null\n")  # as if Centra had added ARCHIVED
    monkeypatch.setenv("CENTRA_MAPPING_FILE", str(mapping))
    checks, _ = _materialize(make_sandbox(), tmp_path, dagster_instance)
    changes = checks[CHANGES]
    assert not changes.passed and changes.severity == dg.AssetCheckSeverity.WARN
    assert changes.metadata["unmapped_enum_values"].value == {"OrderStatus": ["ARCHIVED"]}
    assert "OrderStatus values not mapped: ARCHIVED" in changes.description
