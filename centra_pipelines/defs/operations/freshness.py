"""Freshness policies on the tables people watch, so stale data shows in the Dagster UI.

Dagster 1.13's `FreshnessPolicy.time_window`: an asset not materialized within the fail window is
FAIL (WARN after half of it), evaluated by the daemon's freshness loop. Windows come from
CENTRA_FRESHNESS_*_MINUTES (config.py). Applied to the asset definitions where the definitions are
assembled, so the domain modules stay unaware of operations' policy.
"""

from datetime import timedelta

import dagster as dg

from centra_pipelines import config


def _policy(variable: str) -> dg.FreshnessPolicy:
    minutes = config.int_value(variable)
    if minutes < 2:
        raise ValueError(f"{variable} must be at least 2 minutes, got {minutes}")
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=minutes),
                                          warn_window=timedelta(minutes=minutes / 2))


def freshness_policies() -> dict[str, dg.FreshnessPolicy]:
    """Asset key → policy. Orders sync every few minutes; stock_levels is a nightly per-warehouse
    snapshot (deltas arrive by webhook), so its window is a day plus slack."""
    return {"orders": _policy("CENTRA_FRESHNESS_ORDERS_MINUTES"),
            "stock_levels": _policy("CENTRA_FRESHNESS_STOCK_MINUTES")}


def with_freshness_policies(assets: list) -> list:
    """`assets` with the freshness policies applied to the watched asset specs (others unchanged)."""
    policies = freshness_policies()

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        policy = policies.get(spec.key.to_user_string())
        return dg.apply_freshness_policy(spec, policy) if policy else spec

    return list(dg.map_asset_specs(apply, assets))
