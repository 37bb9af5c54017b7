"""Nightly stock reconciliation: a fresh snapshot of every selected warehouse (drift reported and healed)."""

from centra_pipelines.defs.jobs import LANE_TAG, stock_job
from centra_pipelines.defs.scheduling import per_partition_schedule

SCHEDULES = per_partition_schedule(
    "stock_reconciliation_schedule", stock_job, "warehouse", "30 2 * * *",
    "Nightly: each selected warehouse's stock snapshot, compared with the warehouse (stock_drift check) and healed.",
    # the same job as an ad-hoc stock sync, but a reconciliation: it yields the budget to real time and syncs
    tags={LANE_TAG: "reconciliation"})
