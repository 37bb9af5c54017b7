from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pandas as pd
import pytest

from centra_pipelines.warehouse import connect
from centra_pipelines_tests.warehouse.conftest import PRODUCTS, STOCK_LEVELS


def page(*ids: int, at: str = "2026-03-01T00:00:00Z") -> pd.DataFrame:
    return pd.DataFrame({"id": list(ids), "name": [f"p{i}" for i in ids], "updated_at": at})


class PageFailed(Exception):
    pass


def test_cursor_commits_with_its_rows(wh, warehouse_url):
    assert wh.load_cursor("products") is None
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(1, 2))
        tx.save_cursor("products", None, "page-1")
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(3))
        tx.save_cursor("products", None, "page-2")
        tx.save_cursor("stock_levels", "warehouse-7", "p1")
    # Seen from a second connection, as a re-executed run would see it.
    with connect(warehouse_url) as other:
        assert other.load_cursor("products") == "page-2"
        assert other.load_cursor("products", "") == "page-2"
        assert other.load_cursor("stock_levels", "warehouse-7") == "p1"
        assert other.load_cursor("stock_levels", "warehouse-8") is None
        assert other.read(PRODUCTS)["id"].tolist() == [1, 2, 3]


def test_failed_page_rolls_back_rows_and_cursor_together(wh):
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(1))
        tx.save_cursor("products", None, "page-1")
    with pytest.raises(PageFailed):
        with wh.transaction() as tx:
            tx.upsert(PRODUCTS, page(2, 3))
            tx.upsert(PRODUCTS, page(1, at="2026-03-05T00:00:00Z").assign(name="changed"))
            tx.save_cursor("products", None, "page-2")
            tx.quarantine("products", [(4, "bad ean", {"id": 4})])
            raise PageFailed("killed mid-page")
    assert wh.load_cursor("products") == "page-1"
    assert wh.read(PRODUCTS)[["id", "name"]].values.tolist() == [[1, "p1"]]
    assert wh.count("quarantine") == 0


def test_reads_inside_a_transaction_see_its_writes(wh):
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(1, 2))
        tx.save_cursor("products", None, "c")
        assert wh.count(PRODUCTS) == 2
        assert wh.load_cursor("products") == "c"


def test_quarantine_keeps_rows_with_reasons_and_refreshes_repeats(wh):
    seen = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    with wh.transaction() as tx:
        n = tx.quarantine(
            "sizes",
            [
                (101, "GTIN check digit invalid", {"id": 101, "gtin": "7312345678901", "price": Decimal("9.50"), "at": seen}),
                (102, "SKU missing", {"id": 102, "sku": None, "weight": float("nan")}),
                ((10, 2), "negative stock", {"size_id": 10, "warehouse_id": 2, "physical": -1}),
            ],
        )
    assert n == 3
    with wh.transaction() as tx:  # the next sync meets the same bad row again
        tx.quarantine("sizes", [(101, "GTIN check digit invalid", {"id": 101, "gtin": "7312345678902"})])
    q = wh.read("quarantine").sort_values("key", ignore_index=True)  # collations differ: sort here
    assert q[["table_name", "key", "reason"]].values.tolist() == [
        ["sizes", "101", "GTIN check digit invalid"],
        ["sizes", "102", "SKU missing"],
        ["sizes", "10|2", "negative stock"],
    ]
    assert q["payload"].tolist() == [
        {"id": 101, "gtin": "7312345678902"},
        {"id": 102, "sku": None, "weight": None},
        {"size_id": 10, "warehouse_id": 2, "physical": -1},
    ]
    assert q["seen_at"].notna().all()


def test_mark_deleted_sets_deleted_at_once(wh):
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(1, 2, 3))
    first = datetime(2026, 3, 2, tzinfo=timezone.utc)
    with wh.transaction() as tx:
        assert tx.mark_deleted(PRODUCTS, [1, 2, 99], first) == 2
    with wh.transaction() as tx:
        assert tx.mark_deleted(PRODUCTS, [2, 3], datetime(2026, 3, 3, tzinfo=timezone.utc)) == 1
    stored = wh.read(PRODUCTS)
    assert stored["deleted_at"].tolist() == [pd.Timestamp(first), pd.Timestamp(first), pd.Timestamp("2026-03-03", tz="UTC")]
    assert wh.count(PRODUCTS) == 3  # nothing is hard-deleted


def test_replayed_snapshot_keeps_delete_and_newer_change_clears_it(wh):
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(1, 2))
        tx.mark_deleted(PRODUCTS, [1, 2], datetime(2026, 3, 2, tzinfo=timezone.utc))
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, page(1))  # same updated_at: a replay
        tx.upsert(PRODUCTS, page(2, at="2026-03-04T00:00:00Z"))  # changed again in Centra
    stored = wh.read(PRODUCTS)
    assert stored["deleted_at"].notna().tolist() == [True, False]


def test_mark_deleted_with_composite_keys(wh):
    df = pd.DataFrame({"size_id": [10, 10], "warehouse_id": [1, 2], "physical": [1, 2], "updated_at": "2026-03-01T00:00:00Z"})
    with wh.transaction() as tx:
        tx.upsert(STOCK_LEVELS, df)
        assert tx.mark_deleted(STOCK_LEVELS, [(10, 2)], datetime(2026, 3, 2, tzinfo=timezone.utc)) == 1
    assert wh.read(STOCK_LEVELS)["deleted_at"].notna().tolist() == [False, True]
