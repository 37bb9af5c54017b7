"""The stock domain's definitions: stock levels, their job and schedule."""

import dagster as dg

from centra_pipelines.defs import jobs
from centra_pipelines.defs.stock import assets, schedules

defs = dg.Definitions(assets=assets.ASSETS, jobs=[jobs.stock_job], schedules=schedules.SCHEDULES)
