from __future__ import annotations

import pytest

from centra_pipelines.warehouse import TableSpec, connect

# A catalog-like table: Centra id key, conflict column, money, JSON, a partition column.
PRODUCTS = TableSpec(
    name="products",
    columns={
        "id": "bigint",
        "name": "text",
        "price": "decimal(18,4)",
        "active": "boolean",
        "attributes": "json",
        "market": "text",
        "updated_at": "timestamptz",
    },
    key=("id",),
    updated_at="updated_at",
    partition="market",
)

# A composite-key table without a Centra id, like stock_levels.
STOCK_LEVELS = TableSpec(
    name="stock_levels",
    columns={"size_id": "bigint", "warehouse_id": "bigint", "physical": "bigint", "updated_at": "timestamptz"},
    key=("size_id", "warehouse_id"),
    updated_at="updated_at",
)


@pytest.fixture
def wh(warehouse_url):
    with connect(warehouse_url) as warehouse:
        warehouse.ensure_tables([PRODUCTS, STOCK_LEVELS])
        yield warehouse
