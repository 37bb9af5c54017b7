"""Customers cadence: today's window every few minutes, a lookback for late changes hourly."""

from centra_pipelines.defs.jobs import customers_daily_job
from centra_pipelines.defs.scheduling import window_schedule
from centra_pipelines.mapping import load_mapping

SCHEDULES = [
    *window_schedule("customers_incremental_schedule", customers_daily_job, "*/10 * * * *", 0,
                     "Every 10 minutes: customers changed since the last pull.", since_last_pull=True),
    *window_schedule("customers_lookback_schedule", customers_daily_job, "25 * * * *",
                     lambda: load_mapping().sync.lookback_days,
                     "Hourly: re-pull the last lookback_days daily windows of customers.",
                     window_ops=("customer_windows",)),
]
