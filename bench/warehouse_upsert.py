"""Upsert throughput of both warehouse engines.

    /work/venv/bin/python bench/warehouse_upsert.py [--rows 100000 1000000] [--postgres URL]

For each engine and size: a first upsert into an empty table (all inserts), then a second batch
of the same keys where half the rows are newer (updated) and half older (skipped as stale).
Prints rows per second of each, measured around the whole transaction (staging, conflict
counting, INSERT … ON CONFLICT, commit). PostgreSQL runs in a fresh database that is dropped after.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

from centra_pipelines.warehouse import TableSpec, connect, duckdb_url

SPEC = TableSpec(
    name="bench_sizes",
    columns={
        "id": "bigint",
        "sku": "text",
        "ean": "text",
        "price": "decimal(18,4)",
        "stock": "bigint",
        "active": "boolean",
        "updated_at": "timestamptz",
    },
    key=("id",),
    updated_at="updated_at",
)


def batch(n: int, base: pd.Timestamp) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ids = np.arange(n, dtype="int64")
    return pd.DataFrame(
        {
            "id": ids,
            "sku": pd.Series(ids).map("SKU-{:08d}".format),
            "ean": pd.Series(ids + 7310000000000).astype(str),
            "price": np.round(rng.random(n) * 1000, 2),
            "stock": rng.integers(0, 500, n),
            "active": rng.random(n) > 0.1,
            "updated_at": base + pd.to_timedelta(ids % 86400, unit="s"),
        }
    )


def run(url: str, n: int) -> tuple[float, float, str]:
    first = batch(n, pd.Timestamp("2026-03-01", tz="UTC"))
    # Second batch: even ids one day newer (update), odd ids one day older (stale, skipped).
    shift = np.where(first["id"] % 2 == 0, 1, -1)
    second = first.assign(updated_at=first["updated_at"] + pd.to_timedelta(shift, unit="D"), stock=0)
    with connect(url) as wh:
        wh.ensure_tables([SPEC])
        t0 = time.perf_counter()
        with wh.transaction() as tx:
            r1 = tx.upsert(SPEC, first)
        t1 = time.perf_counter()
        with wh.transaction() as tx:
            r2 = tx.upsert(SPEC, second)
        t2 = time.perf_counter()
        assert r1.inserted == n and r2.updated == (n + 1) // 2 and r2.skipped_stale == n // 2, (r1, r2)
        assert wh.count(SPEC) == n
    return n / (t1 - t0), n / (t2 - t1), f"{t1 - t0:.2f} s / {t2 - t1:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="admin URL; a fresh database is created beside it and dropped")
    args = parser.parse_args()

    print(f"{'engine':<11} {'rows':>9} {'insert rows/s':>14} {'upsert rows/s':>14}  (insert / upsert wall time)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rows:
            ins, upd, wall = run(duckdb_url(Path(tmp) / f"bench_{n}.duckdb"), n)
            print(f"{'duckdb':<11} {n:>9,} {ins:>14,.0f} {upd:>14,.0f}  ({wall})", flush=True)

    name = f"centra_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            for n in args.rows:
                ins, upd, wall = run(args.postgres.rsplit("/", 1)[0] + "/" + name, n)
                print(f"{'postgresql':<11} {n:>9,} {ins:>14,.0f} {upd:>14,.0f}  ({wall})", flush=True)
                with psycopg.connect(args.postgres.rsplit("/", 1)[0] + "/" + name, autocommit=True) as c:
                    c.execute("DROP SCHEMA centra CASCADE")
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
