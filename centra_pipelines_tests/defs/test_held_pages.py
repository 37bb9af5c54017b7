"""A paged stream's pages are held and committed several at a time (defs/loading.py): nothing of a
held page is visible or counted before its commit, the cursor saved is the last committed page's, and
a page repeating a held key commits the earlier pages first, so each page is checked as on its own."""

import pandas as pd

from centra_pipelines.centra.pagination import Cursor
from centra_pipelines.centra.resume import SavedCursor
from centra_pipelines.defs import loading
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.warehouse import connect
from centra_pipelines.warehouse.model import ORDERS

from .test_quarantine_resolution import open_quarantine, order


def page_cursor(page: int, done: bool = False) -> dict[str, SavedCursor]:
    return {"orders": SavedCursor(Cursor("orders", "pages", page=page, done=done))}


def stored(wh) -> dict[int, str]:
    frame = wh.read(f"SELECT number, country FROM {wh.table_ref('orders')} ORDER BY number")
    return dict(zip(frame["number"], frame["country"]))


def saved_page(wh) -> int | None:
    saved = wh.load_cursor("orders", "2026-03-01")
    return SavedCursor.decode(saved).position.page if saved else None


def test_held_pages_commit_together_with_the_last_page_cursor(warehouse_url):
    with connect(warehouse_url) as wh:
        writer = StreamWriter(wh, "orders", "2026-03-01", [ORDERS])
        assert not writer.write({"orders": pd.DataFrame([order(1, "SE", "2026-03-01T10:00:00")])},
                                page_cursor(2), more=True)
        assert not writer.write({"orders": pd.DataFrame([order(2, None, "2026-03-01T10:00:00")])},
                                page_cursor(3), more=True)
        # Held: not in the warehouse, no cursor, nothing counted.
        assert stored(wh) == {} and saved_page(wh) is None
        assert writer.pages == 0 and writer.totals["orders"].received == 0
        assert writer.write({"orders": pd.DataFrame([order(3, "DK", "2026-03-01T10:00:00")])},
                            page_cursor(4, done=True), more=False)
        assert stored(wh) == {1: "SE", 3: "DK"}
        assert [k for k, _ in open_quarantine(wh)] == [f"{2:032x}"]
        assert saved_page(wh) == 4
        totals = writer.totals["orders"]
        assert writer.pages == 3 and totals.received == 3 and totals.quarantined == 1
        assert totals.upserted.inserted == 2


def test_a_repeated_key_commits_the_held_pages_first(warehouse_url):
    with connect(warehouse_url) as wh:
        writer = StreamWriter(wh, "orders", "2026-03-01", [ORDERS])
        writer.write({"orders": pd.DataFrame([order(1, None, "2026-03-01T10:00:00"),
                                              order(2, "SE", "2026-03-01T10:00:00")])}, page_cursor(2), more=True)
        # Order 1 changed during the pull and comes again, fixed: on its own it resolves its quarantine.
        # Together in one batch the contract would reject both versions as repeated keys.
        assert not writer.write({"orders": pd.DataFrame([order(1, "NO", "2026-03-01T11:00:00")])},
                                page_cursor(3), more=True)
        assert stored(wh) == {2: "SE"} and saved_page(wh) == 2  # the first page committed alone
        writer.write({"orders": pd.DataFrame([order(4, "FI", "2026-03-01T10:00:00")])}, page_cursor(4, done=True))
        assert stored(wh) == {1: "NO", 2: "SE", 4: "FI"}
        assert open_quarantine(wh) == []
        totals = writer.totals["orders"]
        assert totals.quarantined == 1 and totals.resolved == 1
        assert "field_uniqueness" not in " ".join(totals.rule_counts)


def test_held_pages_commit_once_they_have_waited(warehouse_url, monkeypatch):
    monkeypatch.setattr(loading, "HOLD_SECONDS", 0.0)
    with connect(warehouse_url) as wh:
        writer = StreamWriter(wh, "orders", "2026-03-01", [ORDERS])
        assert writer.write({"orders": pd.DataFrame([order(1, "SE", "2026-03-01T10:00:00")])},
                            page_cursor(2), more=True)
        assert stored(wh) == {1: "SE"} and saved_page(wh) == 2


def test_held_pages_commit_once_they_hold_enough_rows(warehouse_url, monkeypatch):
    monkeypatch.setattr(loading, "HOLD_ROWS", 3)
    with connect(warehouse_url) as wh:
        writer = StreamWriter(wh, "orders", "2026-03-01", [ORDERS])
        assert not writer.write({"orders": pd.DataFrame([order(n, "SE", "2026-03-01T10:00:00") for n in (1, 2)])},
                                page_cursor(2), more=True)
        assert writer.write({"orders": pd.DataFrame([order(3, "SE", "2026-03-01T10:00:00")])},
                            page_cursor(3), more=True)
        assert sorted(stored(wh)) == [1, 2, 3] and saved_page(wh) == 3


def test_a_page_with_deletions_commits_at_once_after_the_held_pages(warehouse_url):
    with connect(warehouse_url) as wh:
        writer = StreamWriter(wh, "orders", "2026-03-01", [ORDERS])
        writer.write({"orders": pd.DataFrame([order(1, "SE", "2026-03-01T10:00:00")])}, page_cursor(2), more=True)
        # Deletions are applied after a commit's upserts: held together with a page that brings the
        # row back, they would delete it again. The page commits alone, after what was held.
        assert writer.write({"orders": pd.DataFrame([order(2, "DK", "2026-03-01T10:00:00")])}, page_cursor(3),
                            deleted={"orders": [(f"{1:032x}",)]}, more=True)
        assert saved_page(wh) == 3 and writer.pages == 2
        gone = wh.read(f"SELECT number FROM {wh.table_ref('orders')} WHERE deleted_at IS NOT NULL")
        assert gone["number"].tolist() == [1]
        writer.write({"orders": pd.DataFrame([order(1, "SE", "2026-03-01T12:00:00")])}, page_cursor(4, done=True))
        live = wh.read(f"SELECT number FROM {wh.table_ref('orders')} WHERE deleted_at IS NULL ORDER BY number")
        assert live["number"].tolist() == [1, 2]  # order 1 came back, newer than its deletion
