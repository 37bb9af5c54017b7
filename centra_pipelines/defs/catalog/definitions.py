"""The catalog domain's definitions: products, displays and prices, their checks, jobs and schedules."""

import dagster as dg

from centra_pipelines.defs import jobs
from centra_pipelines.defs.catalog import assets, checks, reconciliation, schedules

defs = dg.Definitions(assets=assets.ASSETS, asset_checks=checks.CHECKS,
                      jobs=[jobs.reference_and_catalog_job, jobs.market_catalog_job, jobs.catalog_sync_job,
                            *reconciliation.JOBS],
                      schedules=[*schedules.SCHEDULES, *reconciliation.SCHEDULES])
