"""The schema domain's definitions: Centra's served schema, its job and schedule."""

import dagster as dg

from centra_pipelines.defs.schema import assets, schedules

defs = dg.Definitions(assets=assets.ASSETS, jobs=assets.JOBS, schedules=schedules.SCHEDULES)
