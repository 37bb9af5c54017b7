"""Customer history, segments and daily sales: computed in the warehouse from the synced tables.

The SQL lives in `warehouse/sql/` and runs on DuckDB and PostgreSQL alike (warehouse/analytics.py).
`sales_daily` and `customer_order_history` recompute only the days and identities whose orders,
returns or identities changed since their last refresh; `customer_segments` re-scores everyone (RFM
scores are ranks among all identities). Each asset runs by declarative automation after its sources
are materialized (`analytics_automation_sensor`), and reports its check with the materialization.
"""

from datetime import datetime, timezone

import dagster as dg
from pydantic import Field

from centra_pipelines.defs.analytics import checks
from centra_pipelines.defs.resources import WarehouseResource
from centra_pipelines.defs.windows import mapping_or_fail
from centra_pipelines.warehouse import analytics, model

GROUP = "analytics"
KINDS = {"sql"}

# Like AutomationCondition.eager(), without its "no dependency partition missing" clause: the sources
# are daily change windows, most of which are never materialized, and that is no reason to wait.
AUTOMATION = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("after its sources change")


class RefreshConfig(dg.Config):
    full: bool = Field(default=False, description="Recompute every day or identity, not only those whose "
                                                  "source rows changed since the last refresh")


def _refresh_metadata(refresh: analytics.Refresh, touched: str, rows: int) -> dict:
    return {f"changed_{source}": n for source, n in sorted(refresh.changed.items())} | {
        touched: refresh.touched, "full": refresh.full, "dagster/row_count": rows}


@dg.asset(group_name=GROUP, kinds=KINDS, deps=["orders", "order_lines", "returns"],
          check_specs=[checks.SPECS["sales_daily"]], automation_condition=AUTOMATION)
def sales_daily(config: RefreshConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Sales per UTC day, market, currency and channel (dtc, wholesale): orders, units, gross (line
    values), discounts, tax, shipping and handling, grand total, returns, returned units and value,
    refunds and net (grand total − refunds), in the order currency and the base currency. Orders count
    on the day of their order date; returns and refunds on the day the return was made. Orders in the
    mapping's analytics.excluded_order_statuses are not sales."""
    mapping = mapping_or_fail()
    excluded = mapping.analytics.excluded_order_statuses
    with warehouse.connect() as wh:
        refresh = analytics.refresh_sales_daily(wh, excluded, full=config.full)
        return dg.MaterializeResult(metadata=_refresh_metadata(refresh, "days_recomputed", wh.count(model.SALES_DAILY)),
                                    check_results=[checks.sales_daily_result(wh, excluded)])


@dg.asset(group_name=GROUP, kinds=KINDS, deps=["orders", "order_lines", "returns", "customer_identities", "displays"],
          check_specs=[checks.SPECS["customer_order_history"]], automation_condition=AUTOMATION)
def customer_order_history(config: RefreshConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per identity (a person across e-mail changes and guest checkouts, from customer_identities; a
    customer not resolved yet is its own identity): first and last order, orders, units, returned
    units and returns rate, gross revenue (grand totals), refunds and net revenue in the base currency,
    the markets bought in and the favourite category (most units; a product's category is its displays'
    canonical category)."""
    mapping = mapping_or_fail()
    excluded = mapping.analytics.excluded_order_statuses
    with warehouse.connect() as wh:
        refresh = analytics.refresh_customer_order_history(wh, excluded, full=config.full)
        return dg.MaterializeResult(
            metadata=_refresh_metadata(refresh, "identities_recomputed", wh.count(model.CUSTOMER_ORDER_HISTORY)),
            check_results=[checks.customer_order_history_result(wh, excluded)])


@dg.multi_asset(
    specs=[
        dg.AssetSpec("customer_segments", group_name=GROUP, kinds=KINDS, deps=["customer_order_history"],
                     automation_condition=AUTOMATION,
                     description="Per identity: RFM scores (1..rfm_bins by rank among all identities: recency of "
                                 "the last order, orders, net revenue), the named segment (the mapping's "
                                 "analytics.segments) and the cohort month of the first order."),
        dg.AssetSpec("customer_segment_changes", group_name=GROUP, kinds=KINDS, deps=["customer_order_history"],
                     automation_condition=AUTOMATION,
                     description="Every segment transition (previous → new; new identities from none, merged-away "
                                 "ones to none), with when it was seen: what a CRM acts on."),
    ],
    check_specs=[checks.SPECS["customer_segments"]],
)
def customer_segments(warehouse: WarehouseResource):
    """Re-score and re-segment every identity, recording the transitions."""
    mapping = mapping_or_fail()
    rules = [analytics.SegmentRule(r.segment, dict(r.when)) for r in mapping.analytics.segments]
    as_of = datetime.now(timezone.utc).date()
    with warehouse.connect() as wh:
        transitions = analytics.refresh_customer_segments(wh, mapping.analytics.rfm_bins, rules, as_of)
        changed = int(transitions["identities"].sum()) if len(transitions) else 0
        yield dg.MaterializeResult(
            asset_key="customer_segments",
            metadata={"as_of": as_of.isoformat(), "identities_changed_segment": changed,
                      "dagster/row_count": wh.count(model.CUSTOMER_SEGMENTS)},
            check_results=[checks.customer_segments_result(wh)])
        yield dg.MaterializeResult(
            asset_key="customer_segment_changes",
            metadata={"transitions": dg.MetadataValue.json(
                [{"from": p, "to": s, "identities": int(n)} for p, s, n in
                 zip(transitions["previous_segment"], transitions["segment"], transitions["identities"])]),
                "dagster/row_count": wh.count(model.CUSTOMER_SEGMENT_CHANGES)})


ASSETS = [sales_daily, customer_order_history, customer_segments]

analytics_job = dg.define_asset_job(
    "analytics_job", selection=dg.AssetSelection.groups(GROUP), executor_def=dg.in_process_executor,
    description="Refresh sales_daily, customer_order_history and customer_segments (incremental; run config "
                "full: true recomputes everything). Runs by itself after syncs: analytics_automation_sensor.")
JOBS = [analytics_job]

analytics_automation_sensor = dg.AutomationConditionSensorDefinition(
    "analytics_automation_sensor", target=dg.AssetSelection.groups(GROUP), minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests the analytics assets once their sources (orders, returns, identities) were "
                "materialized and none is still running.")
SENSORS = [analytics_automation_sensor]
