"""The daily schema drift schedule (CENTRA_SCHEDULE_CENTRA_SCHEMA_SCHEDULE = a cron expression, or `off`)."""

from centra_pipelines.defs.scheduling import job_schedule
from centra_pipelines.defs.schema.assets import centra_schema_job

SCHEDULES = job_schedule(
    "centra_schema_schedule", centra_schema_job, "30 5 * * *",
    "Daily: introspects Centra's schema; ERROR when a member our queries use is gone, WARN on unmapped enum "
    "values and new fields.")
