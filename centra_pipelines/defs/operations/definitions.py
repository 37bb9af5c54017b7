"""The operations domain's definitions: failure alerts and retention (its freshness policies are applied
where the domains are assembled, defs/domains.py)."""

import dagster as dg

from centra_pipelines.defs.operations import retention, schedules, sensors

defs = dg.Definitions(jobs=retention.JOBS, schedules=schedules.SCHEDULES, sensors=sensors.SENSORS)
