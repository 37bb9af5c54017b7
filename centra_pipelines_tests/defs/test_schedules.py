"""Schedules: one run per dynamic partition per tick, configurable and off-able through the environment."""

import importlib
from datetime import datetime, timedelta, timezone

import dagster as dg

from centra_pipelines.defs import domains, scheduling
from centra_pipelines.defs.resources import build_resources
from centra_pipelines.defs.stock import schedules as stock_schedules


def test_stock_reconciliation_requests_one_run_per_selected_warehouse(tmp_path):
    # schedule contexts need a persistent instance (they hand it an instance ref)
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        _stock_reconciliation_requests(instance)


def _stock_reconciliation_requests(dagster_instance):
    dagster_instance.add_dynamic_partitions("warehouse", ["1", "3"])
    [schedule] = stock_schedules.SCHEDULES
    repository = dg.Definitions(assets=domains.build_definitions().assets, schedules=[schedule],
                                resources=build_resources()).get_repository_def()
    with dg.build_schedule_context(instance=dagster_instance, repository_def=repository, scheduled_execution_time=datetime(
            2026, 3, 31, 2, 30, tzinfo=timezone.utc)) as context:  # disposes the instance the tick opens
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("1", "stock_reconciliation_schedule-2026-03-31T02:30-1"),
        ("3", "stock_reconciliation_schedule-2026-03-31T02:30-3")]
    assert {r.tags.get("centra/lane") for r in requests} == {"reconciliation"}  # the budget lane
    assert schedule.cron_schedule == "30 2 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_schedules_follow_the_environment(monkeypatch):
    monkeypatch.setenv("CENTRA_SCHEDULE_STOCK_RECONCILIATION_SCHEDULE", "0 4 * * 1")
    assert importlib.reload(stock_schedules).SCHEDULES[0].cron_schedule == "0 4 * * 1"
    monkeypatch.setenv("CENTRA_SCHEDULE_STOCK_RECONCILIATION_SCHEDULE", "off")
    assert importlib.reload(stock_schedules).SCHEDULES == []
    assert scheduling.cron("anything", "off") is None
    monkeypatch.delenv("CENTRA_SCHEDULE_STOCK_RECONCILIATION_SCHEDULE")
    importlib.reload(stock_schedules)


def test_orders_schedules_request_today_and_the_lookback_as_one_range_run():
    from centra_pipelines.defs.orders import schedules as order_schedules
    from centra_pipelines.mapping import load_mapping

    by_name = {s.name: s for s in order_schedules.SCHEDULES}
    at = datetime(2026, 3, 31, 12, 20, tzinfo=timezone.utc)
    context = dg.build_schedule_context(scheduled_execution_time=at)  # these schedules need no instance
    [today] = by_name["orders_incremental_schedule"].evaluate_tick(context).run_requests
    [lookback] = by_name["orders_lookback_schedule"].evaluate_tick(context).run_requests
    range_of = lambda r: (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])  # noqa: E731
    assert range_of(today) == ("2026-03-31", "2026-03-31")
    # today's runs continue from the last pull; the lookback's re-read their whole window
    assert today.tags["centra/window"] == "since_last_pull" and "centra/window" not in lookback.tags
    # the lookback's range is the lookback: its windows re-read no more days before it
    assert lookback.run_config == {"ops": {op: {"config": {"lookback_days": 0}} for op in ("order_windows", "returns")}}
    from centra_pipelines.defs.customers import schedules as customer_schedules
    from centra_pipelines.definitions import defs

    [customers] = [s for s in customer_schedules.SCHEDULES if s.name == "customers_lookback_schedule"]
    for job, request in (("orders_daily_job", lookback), ("customers_daily_job",
                                                          *customers.evaluate_tick(context).run_requests)):
        assert dg.validate_run_config(defs.resolve_job_def(job), request.run_config)  # the ops exist and take it
    days = load_mapping().sync.lookback_days
    assert range_of(lookback) == ((at - timedelta(days=days)).strftime("%Y-%m-%d"), "2026-03-31")
