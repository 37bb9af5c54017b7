"""Customer history, segments and daily sales, computed in the warehouse (DuckDB and PostgreSQL alike).

The SQL is in `warehouse/sql/`; this module runs it in order, one transaction per table.

- `refresh_sales_daily` and `refresh_customer_order_history` are incremental: `analytics_marks`
  remembers, per table, every order, return and identity row it counted (its `synced_at` and
  `deleted_at` as seen then, or the identity it named) and where it counted it (day, identity). A
  refresh recomputes only the days or identities of rows that changed since, before and after the
  change, and saves the new marks in the same transaction. Only rows written since an hour before the
  newest write the last refresh saw are compared with their marks (sales_daily_changes.sql says why). With no marks (the first run, or
  `full=True`) every row has changed: a full build is the same code path.
- `refresh_customer_segments` recomputes every identity: RFM scores are ranks among all identities
  and recency moves with the calendar, so one changed order can move anyone's score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.engine import Warehouse
from centra_pipelines.warehouse.tables import check_identifier

SOURCES = [model.ORDERS, model.ORDER_LINES, model.RETURNS, model.CUSTOMER_IDENTITIES, model.DISPLAYS]


@dataclass(frozen=True)
class SegmentRule:
    """A named segment: each score named in `when` ("r", "f", "m") lies in its (lowest, highest)."""

    segment: str
    when: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Refresh:
    """What one incremental refresh did: changed source rows by source, and the days or identities
    recomputed (`touched`)."""

    changed: dict[str, int]
    touched: int
    full: bool


def ensure_analytics_tables(wh: Warehouse) -> None:
    """The analytics tables, and their (possibly not yet synced) sources, exist."""
    wh.ensure_tables([*SOURCES, *model.ANALYTICS_TABLES])


def refresh_sales_daily(wh: Warehouse, excluded_statuses: list[str], *, full: bool = False) -> Refresh:
    """Recompute sales_daily for the days whose orders or returns changed (all of them if `full`)."""
    return _refresh(wh, "sales_daily", excluded_statuses, full)


def refresh_customer_order_history(wh: Warehouse, excluded_statuses: list[str], *, full: bool = False) -> Refresh:
    """Recompute customer_order_history for the identities whose orders, returns or customers changed."""
    return _refresh(wh, "customer_order_history", excluded_statuses, full)


def refresh_customer_segments(wh: Warehouse, bins: int, rules: list[SegmentRule], as_of: date) -> pd.DataFrame:
    """Score and segment every identity as of `as_of`, record the transitions in
    customer_segment_changes and replace customer_segments. Returns the transitions
    (previous_segment, segment, identities)."""
    ensure_analytics_tables(wh)
    values = {"bins": int(bins), "as_of": as_of.isoformat(), "segment_case": segment_case(rules)}
    with wh.transaction() as tx:
        tx.execute_sql("customer_segments_build", **values)
        transitions = wh.read_sql("customer_segments_transitions")
        tx.execute_sql("customer_segments_save", **values)
    return transitions


def segment_case(rules: list[SegmentRule]) -> str:
    """The SQL CASE naming each identity's segment: the first rule whose ranges all hold."""
    branches = []
    for rule in rules:
        name = check_identifier(rule.segment, "segment name")
        tests = [f"{score}_score BETWEEN {int(low)} AND {int(high)}" for score, (low, high) in rule.when.items()
                 if score in ("r", "f", "m")]
        if len(tests) != len(rule.when):
            raise ValueError(f"segment {name}: scores must be r, f or m, got {sorted(rule.when)}")
        if not tests:
            return "CASE " + " ".join(branches) + f" ELSE '{name}' END" if branches else f"'{name}'"
        branches.append(f"WHEN {' AND '.join(tests)} THEN '{name}'")
    raise ValueError("the last segment rule must have no conditions (a catch-all)")


def sales_daily_mismatches(wh: Warehouse, excluded_statuses: list[str]) -> pd.DataFrame:
    """Days and currencies where sales_daily disagrees with orders and returns (empty = reconciled)."""
    return wh.read_sql("sales_daily_reconciliation", excluded_statuses=_statuses(excluded_statuses))


def customer_order_history_mismatches(wh: Warehouse, excluded_statuses: list[str]) -> pd.DataFrame:
    """Identities whose history disagrees with the orders their customers placed (empty = every order
    counted once, in its identity)."""
    return wh.read_sql("customer_order_history_reconciliation", excluded_statuses=_statuses(excluded_statuses))


def customer_order_totals(wh: Warehouse, excluded_statuses: list[str]) -> dict[str, int]:
    """Sales orders of customers, their customers, and orders whose customer has no identity yet."""
    row = wh.read_sql("customer_order_history_totals", excluded_statuses=_statuses(excluded_statuses)).iloc[0]
    return {name: int(value) for name, value in row.items()}


def segment_counts(wh: Warehouse) -> dict[str, int]:
    """Identities per segment; '(none)' and '(not in history)' name identities the segments miss."""
    frame = wh.read_sql("customer_segments_counts")
    return {str(s): int(n) for s, n in zip(frame["segment"], frame["identities"])}


def _refresh(wh: Warehouse, table: str, excluded_statuses: list[str], full: bool) -> Refresh:
    ensure_analytics_tables(wh)
    with wh.transaction() as tx:
        if full:
            tx.execute_sql("analytics_marks_forget", consumer=table)
        tx.execute_sql(f"{table}_changes")
        found = wh.read_sql("analytics_changes_count")
        counts = {str(s): int(n) for s, n in zip(found["source"], found["n"])}
        touched = counts.pop("touched", 0)
        tx.execute_sql(f"{table}_refresh", excluded_statuses=_statuses(excluded_statuses))
        tx.execute_sql("analytics_marks_save", consumer=table)
    return Refresh(changed=counts, touched=touched, full=full)


def _statuses(statuses: list[str]) -> str:
    # Centra enum values (validated by the mapping), as an SQL list; an empty list excludes nothing.
    checked = [s for s in statuses if s.isalpha() and s.isupper()]
    if len(checked) != len(statuses):
        raise ValueError(f"order statuses must be Centra enum values, got {statuses}")
    return ", ".join(f"'{s}'" for s in checked) or "''"


__all__ = ["Refresh", "SegmentRule", "customer_order_history_mismatches", "customer_order_totals",
           "ensure_analytics_tables", "refresh_customer_order_history", "refresh_customer_segments",
           "refresh_sales_daily", "sales_daily_mismatches", "segment_case", "segment_counts"]
