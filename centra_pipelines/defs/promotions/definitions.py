"""The promotions domain's definitions: vouchers and their job."""

import dagster as dg

from centra_pipelines.defs import jobs
from centra_pipelines.defs.promotions import assets

defs = dg.Definitions(assets=assets.ASSETS, jobs=[jobs.promotions_job])
