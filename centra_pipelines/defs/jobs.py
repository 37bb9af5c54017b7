"""Sync jobs. In-process execution by default: a sync step is I/O-bound on Centra's budget, and a
subprocess per step would add ~2 s each (docs/sync.md, "Runs in the UI"). On a cluster (CENTRA_EXECUTOR=celery,
docs/deploy.md) every step goes to a Celery worker instead."""

from __future__ import annotations

from collections.abc import Mapping

import os

import dagster as dg

from centra_pipelines.centra.throttle import LANES

#: the broker the Celery workers listen to when CENTRA_CELERY_BROKER is unset (RabbitMQ on this host)
DEFAULT_CELERY_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
#: Celery settings of the executor and of every worker (deploy/celery.yaml repeats them): a step's
#: task is acknowledged when it ends, so a worker killed mid-step hands it back to the broker and
#: another worker runs it again (the step resumes from its committed pages).
CELERY_SETTINGS = {"task_acks_late": True, "task_reject_on_worker_lost": True}


def sync_executor() -> dg.ExecutorDefinition:
    """The executor of every sync job: in-process, or Celery when CENTRA_EXECUTOR=celery. The
    workers and the process that starts runs must share that environment (docs/deploy.md)."""
    choice = os.environ.get("CENTRA_EXECUTOR", "in_process")
    if choice == "in_process":
        return dg.in_process_executor
    if choice != "celery":
        raise ValueError(f"CENTRA_EXECUTOR={choice!r} names no executor; use in_process or celery")
    from dagster_celery import celery_executor

    # The broker URL may hold a password: bound by name, so the UI shows the variable, not its value.
    broker = {"env": "CENTRA_CELERY_BROKER"} if os.environ.get("CENTRA_CELERY_BROKER") else DEFAULT_CELERY_BROKER
    return celery_executor.configured({"broker": broker, "config_source": CELERY_SETTINGS}, name="celery")


SYNC_EXECUTOR = sync_executor()


def sync_job(name: str, selection: dg.AssetSelection | tuple[str, ...], description: str):
    """A job of the sync, on the sync executor; `selection` names assets or is a selection."""
    if not isinstance(selection, dg.AssetSelection):  # (a selection is a tuple too: ask this way round)
        selection = dg.AssetSelection.assets(*selection)
    return dg.define_asset_job(name, selection=selection, executor_def=SYNC_EXECUTOR, description=description)



reference_and_catalog_job = sync_job(
    "reference_and_catalog_job",
    dg.AssetSelection.groups("markets") | dg.AssetSelection.assets(
        "size_charts", "products", "variants", "sizes", "product_media", "translations",
        "brands", "collections", "folders", "categories", "accounts"),
    "Reference data (stores, markets, pricelists, warehouses, …), the catalog (products, variants, sizes, size "
    "charts, images, translations), its structure (brands, collections, folders, categories) and wholesale "
    "accounts. Updates the market selection and the warehouse partitions.")
market_catalog_job = sync_job(
    "market_catalog_job", ("displays", "prices", "product_categories"),
    "Displays of the selected markets with their categories, and their prices per pricelist.")
stock_job = sync_job("stock_job", ("stock_levels",), "Stock levels of one warehouse partition.")
orders_daily_job = sync_job(
    "orders_daily_job", ("orders", "order_lines", "shipments", "applied_vouchers", "buyers", "returns", "return_lines"),
    "Orders, lines (with tax), shipments, applied vouchers, wholesale buyers and returns with their lines of a "
    "daily partition or a range of them (one run per range), with row-count reconciliation against Centra.")
customers_daily_job = sync_job(
    "customers_daily_job", ("customers",),
    "Customers of a daily partition or a range of them (one run per range).")
customer_identities_job = sync_job(
    "customer_identities_job", ("customer_identities", "customer_identity_merges"),
    "Re-resolve customer identities over every synced customer (after customers_daily_job and "
    "orders_daily_job: orders carry the addresses that link e-mail changes).")
promotions_job = sync_job("promotions_job", ("vouchers",), "Vouchers (full pull).")

# --- the runs of `centra-pipelines sync` (centra_pipelines/sync.py) -----------------------------
# Each run costs a fixed slice of Dagster bookkeeping (run creation, planned events, resources), so
# the sync runs the jobs above together: the union of their selections, ordered inside the run by the
# assets' declared dependencies (displays and prices after the markets and products they read,
# identities after the orders that carry the addresses).
catalog_sync_job = sync_job(
    "catalog_sync_job",
    reference_and_catalog_job.selection | market_catalog_job.selection | promotions_job.selection,
    "Everything the sync loads without partitions, in one run: reference data and the catalog "
    "(reference_and_catalog_job), then the displays and prices of the selected markets (market_catalog_job), "
    "and vouchers (promotions_job).")
daily_sync_job = sync_job(
    "daily_sync_job",
    customers_daily_job.selection | orders_daily_job.selection | customer_identities_job.selection,
    "Customers, orders and returns over a range of daily partitions in one run (customers_daily_job and "
    "orders_daily_job together), then customer identities (customer_identities_job) over every synced "
    "customer. The sync runs a subset of it when customers and orders need different days.")
reconciliation_job = sync_job(
    "reconciliation_job",
    dg.AssetSelection.checks(*(dg.AssetCheckKey(dg.AssetKey(asset), "row_count_reconciliation")
                               for asset in ("orders", "returns", "customers"))),
    "Row-count reconciliation of orders, returns and customers against Centra, for the partitions named by the "
    "run's partition-range tags (else the lookback window).")

# --- real time (defs/realtime): started by webhook_landing_sensor and centra_events_sensor ------
webhook_batch_job = sync_job(
    "webhook_batch_job", ("webhook_calls",),
    "One batch of landed webhook calls (file names in the run config): re-fetch what they name, upsert, then "
    "move the files to processed/ or rejected/.")
centra_events_job = sync_job(
    "centra_events_job", ("centra_events",),
    "Drain Centra's event queue: apply the events, confirm them after the warehouse commit.")

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
