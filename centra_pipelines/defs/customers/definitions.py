"""The customers domain's definitions: customers and identities, their checks, jobs and schedules."""

import dagster as dg

from centra_pipelines.defs import jobs
from centra_pipelines.defs.customers import assets, checks, schedules

defs = dg.Definitions(assets=assets.ASSETS, asset_checks=checks.CHECKS,
                      jobs=[jobs.customers_daily_job, jobs.customer_identities_job], schedules=schedules.SCHEDULES)
