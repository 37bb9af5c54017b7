"""The markets domain's definitions: the reference lists."""

import dagster as dg

from centra_pipelines.defs.markets import assets

defs = dg.Definitions(assets=assets.ASSETS)
