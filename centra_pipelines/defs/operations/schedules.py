"""The retention schedule (CENTRA_SCHEDULE_RETENTION_SCHEDULE = a cron expression, or `off`)."""

from centra_pipelines.defs.operations.retention import retention_job
from centra_pipelines.defs.scheduling import job_schedule

SCHEDULES = job_schedule(
    "retention_schedule", retention_job, "15 4 * * *",
    "Nightly: deletes landing files, quarantine rows and finished runs older than CENTRA_RETENTION_*_DAYS.")
