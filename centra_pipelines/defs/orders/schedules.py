"""Orders cadence: today's window every few minutes, a lookback for late changes hourly, reconciliation daily."""

from centra_pipelines.defs.jobs import orders_daily_job, reconciliation_job
from centra_pipelines.defs.scheduling import job_schedule, window_schedule
from centra_pipelines.mapping import load_mapping

SCHEDULES = [
    *window_schedule("orders_incremental_schedule", orders_daily_job, "*/10 * * * *", 0,
                     "Every 10 minutes: orders (lines, shipments, vouchers) and returns changed since the last pull.",
                     since_last_pull=True),
    *window_schedule("orders_lookback_schedule", orders_daily_job, "20 * * * *",
                     lambda: load_mapping().sync.lookback_days,
                     "Hourly: re-pull the last lookback_days daily windows (the mapping's sync parameters), "
                     "for updates Centra made late.", window_ops=("order_windows", "returns")),
    *job_schedule("reconciliation_schedule", reconciliation_job, "40 3 * * *",
                  "Daily: row-count reconciliation of orders, returns and customers over the lookback window."),
]
