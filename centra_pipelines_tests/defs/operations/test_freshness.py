from datetime import timedelta

import dagster as dg

from centra_pipelines.defs.domains import build_definitions
from centra_pipelines.defs.operations.freshness import with_freshness_policies


def test_watched_assets_carry_freshness_policies_in_the_assembled_definitions():
    specs = {spec.key.to_user_string(): spec
             for spec in build_definitions().resolve_all_asset_specs()}
    orders, stock = specs["orders"].freshness_policy, specs["stock_levels"].freshness_policy
    assert (orders.fail_window.to_timedelta(), orders.warn_window.to_timedelta()) == \
        (timedelta(hours=1), timedelta(minutes=30))
    assert stock.fail_window.to_timedelta() == timedelta(hours=26)
    assert specs["order_lines"].freshness_policy is None and specs["products"].freshness_policy is None


def test_freshness_windows_follow_the_environment(monkeypatch):
    monkeypatch.setenv("CENTRA_FRESHNESS_ORDERS_MINUTES", "15")

    @dg.asset(name="orders")
    def orders():
        return None

    (mapped,) = with_freshness_policies([orders])
    policy = mapped.specs_by_key[dg.AssetKey("orders")].freshness_policy
    assert policy.fail_window.to_timedelta() == timedelta(minutes=15)
