"""Reads of the stock tables: which warehouses are synced, and a warehouse's stored stock."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.engine import Warehouse
from centra_pipelines.warehouse.reads import any_of


def selected_warehouse_ids(wh: Warehouse) -> set[int]:
    """The live warehouses this project syncs the stock of."""
    frame = wh.read(f"SELECT id FROM {wh.table_ref(model.WAREHOUSES.name)} WHERE selected AND deleted_at IS NULL")
    return {int(i) for i in frame["id"]}


def stored_stock(wh: Warehouse, warehouse_id: int, size_ids: list[int]) -> pd.DataFrame:
    """(size_id, physical, allocated, free_to_allocate) stored for these sizes in one warehouse (live rows)."""
    return wh.read(f"SELECT size_id, physical, allocated, free_to_allocate FROM {wh.table_ref(model.STOCK_LEVELS.name)} "
                   f"WHERE warehouse_id = {wh.param} AND deleted_at IS NULL AND size_id = {any_of(wh, 'BIGINT')}",
                   (int(warehouse_id), [int(i) for i in size_ids]))


def sizes_observed_before(wh: Warehouse, warehouse_id: int, moment: datetime) -> list[int]:
    """The sizes of a warehouse whose live stock row was last observed before `moment` (aware)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware (UTC)")
    moment = pd.Timestamp(moment).to_pydatetime()  # the drivers bind a plain datetime
    frame = wh.read(f"SELECT size_id FROM {wh.table_ref(model.STOCK_LEVELS.name)} WHERE warehouse_id = {wh.param} "
                    f"AND deleted_at IS NULL AND observed_at < {wh.param}", (int(warehouse_id), moment))
    return [int(i) for i in frame["size_id"]]
