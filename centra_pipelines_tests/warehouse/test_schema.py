from __future__ import annotations

import pandas as pd

from centra_pipelines.warehouse import TableSpec, connect
from centra_pipelines_tests.warehouse.conftest import PRODUCTS


def test_ensure_tables_is_idempotent_and_adds_new_columns(wh, warehouse_url):
    with wh.transaction() as tx:
        tx.upsert(PRODUCTS, pd.DataFrame({"id": [1], "name": ["shirt"], "updated_at": ["2026-03-01T00:00:00Z"]}))
    wider = TableSpec(
        name=PRODUCTS.name,
        columns={**PRODUCTS.columns, "brand": "text", "weight_kg": "decimal(10,3)"},
        key=PRODUCTS.key,
        updated_at=PRODUCTS.updated_at,
    )
    with connect(warehouse_url) as again:
        again.ensure_tables([PRODUCTS])
        again.ensure_tables([wider])
        stored = again.read(wider)
        assert stored[["id", "name"]].values.tolist() == [[1, "shirt"]]
        assert stored["brand"].isna().all()
        with again.transaction() as tx:
            tx.upsert(wider, pd.DataFrame({"id": [1], "brand": ["Acme"], "updated_at": ["2026-03-01T00:00:00Z"]}))
        assert again.read(wider)[["name", "brand"]].values.tolist() == [["shirt", "Acme"]]
    columns = set(wh.read("products").columns)
    assert columns == set(PRODUCTS.columns) | {"brand", "weight_kg", "deleted_at", "synced_at"}


def test_schemas_isolate_warehouses_sharing_a_database(warehouse_url):
    spec = TableSpec("markets", {"id": "bigint", "name": "text"}, ("id",))
    with connect(warehouse_url, schema="run_a") as a, connect(warehouse_url, schema="run_b") as b:
        for wh, name in ((a, "Sweden"), (b, "Norway")):
            wh.ensure_tables([spec])
            with wh.transaction() as tx:
                tx.upsert(spec, pd.DataFrame({"id": [1], "name": [name]}))
                tx.save_cursor("markets", None, name)
            # Without updated_at the last write wins.
            with wh.transaction() as tx:
                tx.upsert(spec, pd.DataFrame({"id": [1], "name": [name.upper()]}))
        assert a.read(spec)["name"].tolist() == ["SWEDEN"]
        assert b.read(spec)["name"].tolist() == ["NORWAY"]
        assert (a.load_cursor("markets"), b.load_cursor("markets")) == ("Sweden", "Norway")
        assert a.read(f"SELECT name FROM {a.table_ref('markets')}")["name"].tolist() == ["SWEDEN"]


def test_every_column_of_every_table_has_a_description():
    """The UI shows these as column descriptions (TableSchema); a new column must say what it holds."""
    from centra_pipelines.warehouse import model
    from centra_pipelines.warehouse.tables import TableSpec

    specs = [v for v in vars(model).values() if isinstance(v, TableSpec)]
    assert len(specs) > 30
    undescribed = {s.name: [c for c in s.columns if not s.descriptions.get(c)] for s in specs}
    assert {k: v for k, v in undescribed.items() if v} == {}
