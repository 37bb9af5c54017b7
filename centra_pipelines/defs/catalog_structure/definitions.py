"""The catalog structure domain's definitions: brands, collections, folders and categories."""

import dagster as dg

from centra_pipelines.defs.catalog_structure import assets

defs = dg.Definitions(assets=assets.ASSETS)
