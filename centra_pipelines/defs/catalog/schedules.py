"""Catalog cadence: reference data and the catalog hourly, the selected markets' displays and prices every 6 hours."""

from centra_pipelines.defs.jobs import market_catalog_job, reference_and_catalog_job
from centra_pipelines.defs.scheduling import job_schedule

SCHEDULES = [
    *job_schedule("catalog_hourly_schedule", reference_and_catalog_job, "15 * * * *",
                  "Hourly: reference data and an incremental catalog pull (products, variants, sizes)."),
    *job_schedule("market_catalog_schedule", market_catalog_job, "45 */6 * * *",
                  "Every 6 hours: the selected markets' displays and their prices per pricelist."),
]
