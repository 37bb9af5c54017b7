from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from centra_pipelines.warehouse import UpsertError, UpsertResult
from centra_pipelines_tests.warehouse.conftest import PRODUCTS, STOCK_LEVELS


def products(*rows: tuple) -> pd.DataFrame:
    """rows of (id, name, updated_at)."""
    return pd.DataFrame(rows, columns=["id", "name", "updated_at"])


def names(wh) -> dict[int, str]:
    df = wh.read(PRODUCTS)
    return dict(zip(df["id"].tolist(), df["name"].tolist()))


def upsert(wh, spec, df) -> UpsertResult:
    with wh.transaction() as tx:
        return tx.upsert(spec, df)


def test_upsert_inserts_new_rows(wh):
    result = upsert(wh, PRODUCTS, products((1, "shirt", "2026-03-01T10:00:00Z"), (2, "dress", "2026-03-01T10:00:00Z")))
    assert result == UpsertResult(inserted=2, updated=0, skipped_stale=0)
    assert names(wh) == {1: "shirt", 2: "dress"}
    stored = wh.read(PRODUCTS)
    assert stored["deleted_at"].isna().all()
    assert stored["synced_at"].notna().all()


def test_newer_row_replaces_stored_row(wh):
    upsert(wh, PRODUCTS, products((1, "shirt", "2026-03-01T10:00:00Z")))
    result = upsert(wh, PRODUCTS, products((1, "shirt v2", "2026-03-01T10:00:01Z")))
    assert result == UpsertResult(inserted=0, updated=1, skipped_stale=0)
    assert names(wh) == {1: "shirt v2"}


def test_stale_row_never_overwrites_newer_row(wh):
    upsert(wh, PRODUCTS, products((1, "new", "2026-03-02T00:00:00Z"), (2, "b", "2026-03-01T00:00:00Z")))
    # A late page: id 1 older than stored, id 2 newer, id 3 new.
    result = upsert(
        wh,
        PRODUCTS,
        products((1, "old", "2026-03-01T23:59:59Z"), (2, "b2", "2026-03-03T00:00:00Z"), (3, "c", "2026-03-01T00:00:00Z")),
    )
    assert result == UpsertResult(inserted=1, updated=1, skipped_stale=1)
    assert names(wh) == {1: "new", 2: "b2", 3: "c"}


def test_equal_updated_at_replaces_stored_row(wh):
    upsert(wh, PRODUCTS, products((1, "first", "2026-03-01T10:00:00Z")))
    # Same instant written with another offset: equal, so it replaces.
    result = upsert(wh, PRODUCTS, products((1, "second", "2026-03-01T11:00:00+01:00")))
    assert result == UpsertResult(inserted=0, updated=1, skipped_stale=0)
    assert names(wh) == {1: "second"}


def test_batch_duplicates_keep_newest_and_last_on_ties(wh):
    result = upsert(
        wh,
        PRODUCTS,
        products(
            (1, "newest", "2026-03-01T12:00:00Z"),
            (1, "older", "2026-03-01T11:00:00Z"),
            (2, "tie first", "2026-03-01T12:00:00Z"),
            (2, "tie last", "2026-03-01T12:00:00Z"),
        ),
    )
    assert result == UpsertResult(inserted=2, updated=0, skipped_stale=0)
    assert names(wh) == {1: "newest", 2: "tie last"}


def test_values_keep_types_and_timestamps_are_utc(wh):
    df = pd.DataFrame(
        {
            "id": [1, 2],
            "name": ["", None],
            "price": [Decimal("199.9950"), 12.5],
            "active": [True, None],
            "attributes": [{"color": "blue", "sizes": ["S", "M"]}, None],
            "market": ["se", "se"],
            "updated_at": ["2026-03-29T03:30:00+02:00", pd.Timestamp("2026-03-29T01:00:00", tz="UTC")],
        }
    )
    upsert(wh, PRODUCTS, df)
    stored = wh.read(PRODUCTS)
    assert stored["name"].tolist() == ["", None]  # empty string and NULL stay distinct
    assert stored["price"].tolist() == [Decimal("199.9950"), Decimal("12.5000")]
    assert stored["active"].tolist()[0] is True and pd.isna(stored["active"].tolist()[1])
    assert stored["attributes"].tolist() == [{"color": "blue", "sizes": ["S", "M"]}, None]
    assert stored["updated_at"].tolist() == [
        pd.Timestamp("2026-03-29T01:30:00", tz="UTC"),
        pd.Timestamp("2026-03-29T01:00:00", tz="UTC"),
    ]


def test_columns_absent_from_batch_keep_stored_values(wh):
    upsert(wh, PRODUCTS, pd.DataFrame({"id": [1], "name": ["shirt"], "price": [Decimal("10")], "updated_at": ["2026-03-01T00:00:00Z"]}))
    upsert(wh, PRODUCTS, products((1, "renamed", "2026-03-02T00:00:00Z")))
    row = wh.read(PRODUCTS).iloc[0]
    assert (row["name"], row["price"]) == ("renamed", Decimal("10.0000"))


def test_composite_key_upsert(wh):
    first = pd.DataFrame(
        {"size_id": [10, 10, 11], "warehouse_id": [1, 2, 1], "physical": [5, 6, 7], "updated_at": ["2026-03-01T00:00:00Z"] * 3}
    )
    assert upsert(wh, STOCK_LEVELS, first) == UpsertResult(inserted=3)
    second = pd.DataFrame(
        {"size_id": [10, 11], "warehouse_id": [2, 1], "physical": [0, 99], "updated_at": ["2026-03-02T00:00:00Z", "2026-02-01T00:00:00Z"]}
    )
    assert upsert(wh, STOCK_LEVELS, second) == UpsertResult(inserted=0, updated=1, skipped_stale=1)
    stored = wh.read(STOCK_LEVELS)
    assert list(zip(stored["size_id"], stored["warehouse_id"], stored["physical"])) == [(10, 1, 5), (10, 2, 0), (11, 1, 7)]


def test_rows_without_key_or_updated_at_are_refused(wh):
    with pytest.raises(UpsertError, match=r"1 row\(s\) have no value in \['id', 'updated_at'\]"):
        upsert(wh, PRODUCTS, products((1, "a", "2026-03-01T00:00:00Z"), (None, "b", "2026-03-01T00:00:00Z")))
    with pytest.raises(UpsertError, match=r"columns \['colour'\] are not in the table spec"):
        upsert(wh, PRODUCTS, products((1, "a", "2026-03-01T00:00:00Z")).assign(colour="red"))
    with pytest.raises(UpsertError, match="does not convert"):
        upsert(wh, PRODUCTS, products((1, "a", "not a time")))
    assert wh.count(PRODUCTS) == 0


def test_large_batch_upserts_in_bulk(wh):
    n = 20_000
    df = pd.DataFrame({"id": range(n), "name": [f"p{i}" for i in range(n)], "updated_at": pd.Timestamp("2026-03-01", tz="UTC")})
    assert upsert(wh, PRODUCTS, df) == UpsertResult(inserted=n)
    newer = df.iloc[::2].assign(name="changed", updated_at=pd.Timestamp("2026-03-02", tz="UTC"))
    older = df.iloc[1::2].assign(name="stale", updated_at=pd.Timestamp("2026-02-01", tz="UTC"))
    assert upsert(wh, PRODUCTS, pd.concat([newer, older])) == UpsertResult(inserted=0, updated=n // 2, skipped_stale=n // 2)
    counts = wh.read(f"SELECT name, count(*) AS n FROM {wh.table_ref('products')} GROUP BY name ORDER BY name")
    assert dict(zip(counts["name"], counts["n"])) == {"changed": n // 2} | {f"p{i}": 1 for i in range(1, n, 2)}
