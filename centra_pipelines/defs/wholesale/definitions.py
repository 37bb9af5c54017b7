"""The wholesale domain's definitions: accounts (buyers are written with the orders)."""

import dagster as dg

from centra_pipelines.defs.wholesale import assets

defs = dg.Definitions(assets=assets.ASSETS)
