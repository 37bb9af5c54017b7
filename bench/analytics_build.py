"""Build time of the analytics tables (sales_daily, customer_order_history, customer_segments) on
1M orders, full and incremental, on DuckDB and PostgreSQL.

    .venv/bin/python bench/analytics_build.py [--orders 1000000] [--changed 1000] [--engines duckdb postgresql]
                                              [--postgres URL]

The orders are generated directly in the warehouse (no sandbox, one INSERT … SELECT per table from
generate_series): 1.5 lines per order, 1 in 7 wholesale, 1 in 20 cancelled, a return for 1 in 20,
a customer for every 4 DTC orders with 1 in 10 customers merged into another identity, two years
of order days, all synced a day ago. Then, per engine:

- full: the first refresh of the three tables (every day and identity computed);
- incremental: the `--changed` newest orders are written again (as today's sync re-upserting them
  would) and the tables refreshed: only their days and identities are recomputed;
- checks: the three reconciliation checks over the whole tables.

Prints seconds per step and the incremental/full ratio; exits 1 when a target is missed: the
incremental refresh of 0.1% of the orders must take under a quarter of the full build, and the full
build under FULL_TARGET_SECONDS on the engine. PostgreSQL runs in a fresh database dropped after.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg

from centra_pipelines.mapping import load_mapping
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines.warehouse import analytics as a

FULL_TARGET_SECONDS = {"duckdb": 120.0, "postgresql": 300.0}  # 2 shared cores
INCREMENTAL_SHARE_TARGET = 0.25

ORDERS_SQL = """
INSERT INTO {orders} (id, number, order_type, centra_status, status, store_id, market_id, pricelist_id, customer_id,
                      country, currency, lines_total, shipping, handling, discounts, tax_included, tax_added,
                      grand_total, base_currency, lines_total_base, shipping_base, handling_base, discounts_base,
                      tax_included_base, tax_added_base, grand_total_base, currency_base_rate, order_date,
                      created_at, updated_at, partition, synced_at)
SELECT md5(CAST(i AS VARCHAR)), i,
       CASE WHEN i % 7 = 0 THEN 'WholesaleOrder' ELSE 'DirectToConsumerOrder' END,
       CASE WHEN i % 20 = 0 THEN 'CANCELLED' ELSE 'SHIPPED' END, 'completed', 1, 1 + i % 6, 1 + i % 3,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + (CAST(i AS BIGINT) * 7919) % {customers} END, 'SE',
       CASE i % 3 WHEN 0 THEN 'SEK' WHEN 1 THEN 'EUR' ELSE 'USD' END,
       100 + i % 1000, 49, 0, i % 50, 20 + i % 200, 0, 149 + i % 1000 - i % 50 + 0,
       'SEK', (100 + i % 1000) * 11, 49 * 11, 0, (i % 50) * 11, (20 + i % 200) * 11, 0,
       (149 + i % 1000 - i % 50) * 11, 11.0,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + {day_of_i} * INTERVAL '1 day' + (i % 86400) * INTERVAL '1 second',
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + {day_of_i} * INTERVAL '1 day',
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + {day_of_i} * INTERVAL '1 day', '2024-01-01', now() - INTERVAL '1 day'
FROM generate_series(1, {n}) AS t(i)
"""
LINES_SQL = """
INSERT INTO {order_lines} (id, order_id, order_number, quantity, cancelled_quantity, currency, unit_price,
                           line_value, order_updated_at, partition, synced_at)
SELECT j, md5(CAST(1 + (j - 1) % {n} AS VARCHAR)), 1 + (j - 1) % {n}, 1 + j % 3, 0, 'SEK', 100, 100,
       TIMESTAMPTZ '2024-01-01 00:00:00+00', '2024-01-01', now() - INTERVAL '1 day'
FROM generate_series(1, {lines}) AS t(j)
"""
RETURNS_SQL = """
INSERT INTO {returns} (id, order_id, centra_status, status, total_quantity, currency, grand_total, grand_total_base,
                       refunded, refunded_base, created_at, partition, synced_at)
SELECT k, md5(CAST(20 * k - 3 AS VARCHAR)), 'ACTIVE', 'completed', 1, 'SEK', 100, 1100, 50, 550,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + {day_of_return} * INTERVAL '1 day', '2024-01-11', now() - INTERVAL '1 day'
FROM generate_series(1, {returns_n}) AS t(k)
"""
IDENTITIES_SQL = """
INSERT INTO {customer_identities} (customer_id, identity_id, store_id, synced_at)
SELECT c, CASE WHEN c % 10 = 0 THEN c - 1 ELSE c END, 1, now() - INTERVAL '1 day'
FROM generate_series(1, {customers}) AS t(c)
"""
# What a sync re-upserting `changed` orders does to them: new amounts, a new synced_at.
CHANGE_SQL = """
UPDATE {orders} SET grand_total = grand_total + 1, grand_total_base = grand_total_base + 11, synced_at = now()
WHERE number > {newest_after}
"""
# Order i is placed on day floor((i - 1) * 730 / n) of two years: numbers grow with time.
DAY_OF_I = "CAST(FLOOR((i - 1) * 730.0 / {n}) AS INTEGER)"


def generate(url: str, n: int) -> None:
    with connect(url) as wh:
        a.ensure_analytics_tables(wh)
        refs = {t: wh.table_ref(t) for t in ("orders", "order_lines", "returns", "customer_identities")}
        with wh.transaction() as tx:
            for sql in (ORDERS_SQL, LINES_SQL, RETURNS_SQL, IDENTITIES_SQL):
                # raw SQL through the transaction's session: generating rows is no job for the package's API
                tx._s.execute(sql.format(n=n, lines=n * 3 // 2, returns_n=n // 20, customers=max(1, n // 4),
                                         day_of_i=DAY_OF_I.format(n=n),
                                         day_of_return=f"(10 + {DAY_OF_I.format(n=n).replace('i - 1', '20 * k - 4')})",
                                         **refs))


def refresh_all(url: str, excluded: list[str], rules, bins: int) -> dict:
    with connect(url) as wh:
        sales = a.refresh_sales_daily(wh, excluded)
        history = a.refresh_customer_order_history(wh, excluded)
        a.refresh_customer_segments(wh, bins, rules, date(2026, 1, 1))
    return {"days": sales.touched, "identities": history.touched}


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def bench(engine: str, url: str, n: int, changed: int) -> bool:
    analytics = load_mapping().analytics
    rules = [a.SegmentRule(r.segment, dict(r.when)) for r in analytics.segments]
    excluded = analytics.excluded_order_statuses
    gen_s, _ = timed(generate, url, n)
    full_s, full = timed(refresh_all, url, excluded, rules, analytics.rfm_bins)
    with connect(url) as wh:
        with wh.transaction() as tx:
            tx._s.execute(CHANGE_SQL.format(orders=wh.table_ref("orders"), newest_after=n - changed))
    inc_s, inc = timed(refresh_all, url, excluded, rules, analytics.rfm_bins)

    def checks():
        with connect(url) as wh:
            return (len(a.sales_daily_mismatches(wh, excluded)), len(a.customer_order_history_mismatches(wh, excluded)),
                    a.segment_counts(wh))
    check_s, (sales_off, history_off, counts) = timed(checks)
    share = inc_s / full_s
    ok = full_s <= FULL_TARGET_SECONDS[engine] and share <= INCREMENTAL_SHARE_TARGET and not sales_off \
        and not history_off and "(none)" not in counts
    print(f"{engine:10s} {n:>9,} orders  generate {gen_s:6.1f} s  full {full_s:6.1f} s "
          f"({full['days']} days, {full['identities']:,} identities)  incremental {inc_s:5.2f} s "
          f"({inc['days']} days, {inc['identities']:,} identities; {changed:,} newest orders re-synced)  "
          f"ratio {share:.3f} (target ≤ {INCREMENTAL_SHARE_TARGET})  checks {check_s:5.1f} s "
          f"{'ok' if ok else 'MISSED'}", flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=1000, help="orders re-synced before the incremental refresh")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "postgresql"], choices=["duckdb", "postgresql"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="an admin URL; a fresh database is created beside it and dropped after")
    args = parser.parse_args()
    ok = True
    for engine in args.engines:
        if engine == "duckdb":
            with tempfile.TemporaryDirectory() as tmp:
                ok &= bench(engine, duckdb_url(Path(tmp) / "bench.duckdb"), args.orders, args.changed)
            continue
        name = f"centra_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                ok &= bench(engine, args.postgres.rsplit("/", 1)[0] + "/" + name, args.orders, args.changed)
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
