"""The real-time domain's definitions: webhook calls and Centra events, their jobs, sensor and schedule."""

import dagster as dg

from centra_pipelines.defs import jobs
from centra_pipelines.defs.realtime import assets, sensors

defs = dg.Definitions(assets=assets.ASSETS, jobs=[jobs.webhook_batch_job, jobs.centra_events_job],
                      sensors=sensors.SENSORS, schedules=sensors.SCHEDULES)
