"""Assembles the per-domain definitions (defs/<domain>/) into one Definitions object."""

import dagster as dg

from centra_pipelines.defs.analytics import assets as analytics_assets
from centra_pipelines.defs.catalog import assets as catalog_assets
from centra_pipelines.defs.catalog import checks as catalog_checks
from centra_pipelines.defs.catalog import reconciliation as catalog_reconciliation
from centra_pipelines.defs.catalog import schedules as catalog_schedules
from centra_pipelines.defs.catalog_structure import assets as structure_assets
from centra_pipelines.defs.customers import assets as customer_assets
from centra_pipelines.defs.customers import checks as customer_checks
from centra_pipelines.defs.customers import schedules as customer_schedules
from centra_pipelines.defs.jobs import JOBS as ASSET_JOBS
from centra_pipelines.defs.markets import assets as market_assets
from centra_pipelines.defs.operations import retention, sensors as operation_sensors
from centra_pipelines.defs.operations import schedules as operation_schedules
from centra_pipelines.defs.operations.freshness import with_freshness_policies
from centra_pipelines.defs.orders import assets as order_assets
from centra_pipelines.defs.orders import checks as order_checks
from centra_pipelines.defs.orders import schedules as order_schedules
from centra_pipelines.defs.promotions import assets as promotion_assets
from centra_pipelines.defs.realtime import assets as realtime_assets
from centra_pipelines.defs.realtime import sensors as realtime_sensors
from centra_pipelines.defs.resources import build_resources
from centra_pipelines.defs.schema import assets as schema_assets
from centra_pipelines.defs.schema import schedules as schema_schedules
from centra_pipelines.defs.stock import assets as stock_assets
from centra_pipelines.defs.stock import schedules as stock_schedules
from centra_pipelines.defs.wholesale import assets as wholesale_assets

# Freshness policies go on the assets users watch (orders, stock) so stale data shows in the UI.
ASSETS = with_freshness_policies([
    # the small lists of the structure and wholesale domains ride the reference lists' one request
    market_assets.reference_lists_asset([*structure_assets.LISTS, *wholesale_assets.LISTS]),
    *catalog_assets.ASSETS, *stock_assets.ASSETS, *customer_assets.ASSETS, *order_assets.ASSETS,
    *promotion_assets.ASSETS, *realtime_assets.ASSETS, *schema_assets.ASSETS, *analytics_assets.ASSETS,
])
CHECKS = [*catalog_checks.CHECKS, *customer_checks.CHECKS, *order_checks.CHECKS]
JOBS = [*ASSET_JOBS, *catalog_reconciliation.JOBS, *retention.JOBS, *schema_assets.JOBS, *analytics_assets.JOBS]
SENSORS = [*realtime_sensors.SENSORS, *operation_sensors.SENSORS, *analytics_assets.SENSORS]
SCHEDULES = [
    *catalog_schedules.SCHEDULES, *catalog_reconciliation.SCHEDULES, *stock_schedules.SCHEDULES,
    *customer_schedules.SCHEDULES, *order_schedules.SCHEDULES, *realtime_sensors.SCHEDULES,
    *operation_schedules.SCHEDULES, *schema_schedules.SCHEDULES,
]


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    """`resources` replaces the ones configured from the environment (tests point them elsewhere)."""
    return dg.Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=JOBS, sensors=SENSORS, schedules=SCHEDULES,
                          resources=resources or build_resources())
