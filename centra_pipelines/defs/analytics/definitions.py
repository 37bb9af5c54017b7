"""The analytics domain's definitions: the models computed in the warehouse, their job and automation sensor."""

import dagster as dg

from centra_pipelines.defs.analytics import assets

defs = dg.Definitions(assets=assets.ASSETS, jobs=assets.JOBS, sensors=assets.SENSORS)
