"""Sync jobs. In-process execution: a sync step is I/O-bound on Centra's budget, and a subprocess
per step would add ~2 s each (DESIGN.md section 10)."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from centra_pipelines.centra.throttle import LANES

reference_and_catalog_job = dg.define_asset_job(
    "reference_and_catalog_job",
    selection=dg.AssetSelection.groups("markets") | dg.AssetSelection.assets(
        "size_charts", "products", "variants", "sizes"),
    executor_def=dg.in_process_executor,
    description="Reference data (stores, markets, pricelists, warehouses, …) and the catalog (products, "
                "variants, sizes, size charts). Updates the market and warehouse partitions.",
)
market_catalog_job = dg.define_asset_job(
    "market_catalog_job",
    selection=dg.AssetSelection.assets("displays", "prices"),
    executor_def=dg.in_process_executor,
    description="Displays and prices of one market partition.",
)
stock_job = dg.define_asset_job(
    "stock_job",
    selection=dg.AssetSelection.assets("stock_levels"),
    executor_def=dg.in_process_executor,
    description="Stock levels of one warehouse partition.",
)

orders_daily_job = dg.define_asset_job(
    "orders_daily_job",
    selection=dg.AssetSelection.assets("orders", "order_lines", "shipments", "applied_vouchers", "returns"),
    executor_def=dg.in_process_executor,
    description="Orders, lines, shipments, applied vouchers and returns of a daily partition or a range of them "
                "(one run per range), with row-count reconciliation against Centra.",
)
customers_daily_job = dg.define_asset_job(
    "customers_daily_job",
    selection=dg.AssetSelection.assets("customers"),
    executor_def=dg.in_process_executor,
    description="Customers and their e-mail history of a daily partition or a range of them (one run per range).",
)
customer_identities_job = dg.define_asset_job(
    "customer_identities_job",
    selection=dg.AssetSelection.assets("customer_identities", "customer_identity_merges"),
    executor_def=dg.in_process_executor,
    description="Re-resolve customer identities over every synced customer (after customers_daily_job and orders_daily_job: orders carry the addresses that link e-mail changes).",
)
promotions_job = dg.define_asset_job(
    "promotions_job",
    selection=dg.AssetSelection.assets("vouchers"),
    executor_def=dg.in_process_executor,
    description="Vouchers (full pull).",
)
reconciliation_job = dg.define_asset_job(
    "reconciliation_job",
    selection=dg.AssetSelection.checks(*(dg.AssetCheckKey(dg.AssetKey(asset), "row_count_reconciliation")
                                         for asset in ("orders", "returns", "customers"))),
    executor_def=dg.in_process_executor,
    description="Row-count reconciliation of orders, returns and customers against Centra, for the partitions "
                "named by the run's partition-range tags (else the lookback window).",
)

JOBS = [reference_and_catalog_job, market_catalog_job, stock_job, orders_daily_job, customers_daily_job,
        customer_identities_job, promotions_job, reconciliation_job]

# --- real time (defs/realtime): started by webhook_landing_sensor and centra_events_sensor ------
webhook_batch_job = dg.define_asset_job(
    "webhook_batch_job",
    selection=dg.AssetSelection.assets("webhook_calls"),
    executor_def=dg.in_process_executor,
    description="One batch of landed webhook calls (file names in the run config): re-fetch what they name, "
                "upsert, then move the files to processed/ or rejected/.",
)
centra_events_job = dg.define_asset_job(
    "centra_events_job",
    selection=dg.AssetSelection.assets("centra_events"),
    executor_def=dg.in_process_executor,
    description="Drain Centra's event queue: apply the events, confirm them after the warehouse commit.",
)
REALTIME_JOBS = [webhook_batch_job, centra_events_job]
JOBS += REALTIME_JOBS

# --- lanes of the shared Centra budget (centra/throttle.py) ------------------------------------
#: run tag that puts a run in another lane than its job's: realtime, incremental, reconciliation, backfill
LANE_TAG = "centra/lane"
_JOB_LANES = {
    webhook_batch_job.name: "realtime",
    centra_events_job.name: "realtime",
    reconciliation_job.name: "reconciliation",
    "catalog_reconciliation_job": "reconciliation",  # defs/catalog/reconciliation.py
}


def lane_for_run(job_name: str | None, tags: Mapping[str, str]) -> str:
    """The lane a run spends the Centra budget in: its ``centra/lane`` tag, else its job's lane
    (real-time jobs, reconciliation jobs), else backfill for a run of a Dagster backfill, else
    incremental (scheduled and manual syncs)."""
    chosen = tags.get(LANE_TAG)
    if chosen:
        if chosen not in LANES:
            raise ValueError(f"run tag {LANE_TAG}={chosen!r} names no lane; use one of {', '.join(LANES)}")
        return chosen
    if job_name in _JOB_LANES:
        return _JOB_LANES[job_name]
    if "dagster/backfill" in tags:
        return "backfill"
    return "incremental"
