from datetime import datetime, timezone

import pandas as pd
import pytest

from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import stock
from centra_pipelines_tests.warehouse.reads_data import store


def test_selected_warehouses(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.WAREHOUSES, [{"id": 1, "selected": True}, {"id": 2, "selected": False},
                                     {"id": 3, "selected": True}], deleted=[3])
        assert stock.selected_warehouse_ids(wh) == {1}


def test_a_warehouses_stored_stock(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.STOCK_LEVELS, [
            {"warehouse_id": w, "size_id": s, "physical": n, "allocated": 1, "free_to_allocate": n - 1,
             "observed_at": t}
            for w, s, n, t in [(1, 50, 5, "2026-03-01T10:00:00Z"), (1, 51, 6, "2026-03-01T12:00:00Z"),
                               (1, 52, 7, "2026-03-01T09:00:00Z"), (2, 50, 8, "2026-03-01T09:00:00Z")]],
              deleted=[(1, 52)])
        stored = stock.stored_stock(wh, 1, [50, 52, 99])
        assert stored.to_dict("records") == [{"size_id": 50, "physical": 5, "allocated": 1, "free_to_allocate": 4}]
        assert stock.stored_stock(wh, 1, []).empty
        moment = pd.Timestamp("2026-03-01T11:00:00Z")
        assert stock.sizes_observed_before(wh, 1, moment) == [50]
        assert sorted(stock.sizes_observed_before(wh, 1, datetime(2026, 3, 2, tzinfo=timezone.utc))) == [50, 51]
        with pytest.raises(ValueError, match="timezone-aware"):
            stock.sizes_observed_before(wh, 1, datetime(2026, 3, 2))
