"""Checks of the analytics tables, run on the warehouse right after each refresh (reported with the
materialization): sales reconcile with orders to the cent per day, every order counts in exactly one
identity, segment counts sum to the identity count."""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd

from centra_pipelines.warehouse import Warehouse, analytics

FIRST_CASES = 20
RECONCILES_WITH_ORDERS = "reconciles_with_orders"
ONE_IDENTITY_PER_ORDER = "one_identity_per_order"
SEGMENTS_SUM_TO_IDENTITIES = "segments_sum_to_identities"

SPECS = {
    "sales_daily": dg.AssetCheckSpec(
        RECONCILES_WITH_ORDERS, asset="sales_daily", blocking=False,
        description="Per day and currency, orders, grand total and refunds (order and base currency) equal the "
                    "orders and returns tables to the cent; a failure lists the days that differ."),
    "customer_order_history": dg.AssetCheckSpec(
        ONE_IDENTITY_PER_ORDER, asset="customer_order_history", blocking=False,
        description="Every sales order of a customer counts in exactly one identity (its customer's), once; a "
                    "failure lists the identities whose order count or revenue differs from the orders table."),
    "customer_segments": dg.AssetCheckSpec(
        SEGMENTS_SUM_TO_IDENTITIES, asset="customer_segments", blocking=False,
        description="Every identity of customer_order_history has exactly one segment: the segment counts sum "
                    "to the identity count."),
}


def _cases(frame: pd.DataFrame) -> dg.MetadataValue:
    # dates and Decimals as text, as the quarantine payloads are
    return dg.MetadataValue.json(json.loads(frame.head(FIRST_CASES).to_json(orient="records", date_format="iso")))


def sales_daily_result(wh: Warehouse, excluded_statuses: list[str]) -> dg.AssetCheckResult:
    off = analytics.sales_daily_mismatches(wh, excluded_statuses)
    return dg.AssetCheckResult(
        asset_key="sales_daily", check_name=RECONCILES_WITH_ORDERS, passed=off.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"days_off": int(off["day"].nunique()), "first_mismatches": _cases(off)})


def customer_order_history_result(wh: Warehouse, excluded_statuses: list[str]) -> dg.AssetCheckResult:
    off = analytics.customer_order_history_mismatches(wh, excluded_statuses)
    totals = analytics.customer_order_totals(wh, excluded_statuses)
    return dg.AssetCheckResult(
        asset_key="customer_order_history", check_name=ONE_IDENTITY_PER_ORDER, passed=off.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={**totals, "identities_off": len(off), "first_mismatches": _cases(off)})


def customer_segments_result(wh: Warehouse) -> dg.AssetCheckResult:
    counts = analytics.segment_counts(wh)
    missing, stray = counts.get("(none)", 0), counts.get("(not in history)", 0)
    return dg.AssetCheckResult(
        asset_key="customer_segments", check_name=SEGMENTS_SUM_TO_IDENTITIES, passed=not missing and not stray,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"identities": sum(n for s, n in counts.items() if s != "(not in history)"),
                  "identities_without_segment": missing, "segment_rows_without_identity": stray,
                  "by_segment": dg.MetadataValue.json(counts)})
