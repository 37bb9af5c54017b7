"""The orders domain's definitions: orders and returns, their checks, jobs and schedules."""

import dagster as dg

from centra_pipelines.defs import jobs
from centra_pipelines.defs.orders import assets, checks, schedules

defs = dg.Definitions(assets=assets.ASSETS, asset_checks=checks.CHECKS,
                      jobs=[jobs.orders_daily_job, jobs.daily_sync_job, jobs.reconciliation_job], schedules=schedules.SCHEDULES)
