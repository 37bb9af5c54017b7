"""Assembles the per-domain definitions (defs/<domain>/) into one Definitions object."""

from __future__ import annotations

import dagster as dg

from centra_pipelines.defs.catalog import assets as catalog_assets
from centra_pipelines.defs.catalog import checks as catalog_checks
from centra_pipelines.defs.jobs import JOBS
from centra_pipelines.defs.markets import assets as market_assets
from centra_pipelines.defs.resources import build_resources
from centra_pipelines.defs.stock import assets as stock_assets

ASSETS = [*market_assets.ASSETS, *catalog_assets.ASSETS, *stock_assets.ASSETS]
CHECKS = [*catalog_checks.CHECKS]


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    """`resources` replaces the ones configured from the environment (tests point them elsewhere)."""
    return dg.Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=JOBS, resources=resources or build_resources())
