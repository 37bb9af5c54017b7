"""Sync jobs. In-process execution: a sync step is I/O-bound on Centra's budget, and a subprocess
per step would add ~2 s each (DESIGN.md section 10)."""

from __future__ import annotations

import dagster as dg

reference_and_catalog_job = dg.define_asset_job(
    "reference_and_catalog_job",
    selection=dg.AssetSelection.groups("markets") | dg.AssetSelection.assets(
        "size_charts", "products", "variants", "sizes"),
    executor_def=dg.in_process_executor,
    description="Reference data (stores, markets, pricelists, warehouses, …) and the catalog (products, "
                "variants, sizes, size charts). Updates the market and warehouse partitions.",
)
market_catalog_job = dg.define_asset_job(
    "market_catalog_job",
    selection=dg.AssetSelection.assets("displays", "prices"),
    executor_def=dg.in_process_executor,
    description="Displays and prices of one market partition.",
)
stock_job = dg.define_asset_job(
    "stock_job",
    selection=dg.AssetSelection.assets("stock_levels"),
    executor_def=dg.in_process_executor,
    description="Stock levels of one warehouse partition.",
)

JOBS = [reference_and_catalog_job, market_catalog_job, stock_job]
