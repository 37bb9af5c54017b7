from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import quarantine


def test_quarantined_rows_open_or_all(warehouse_url):
    with connect(warehouse_url) as wh:
        with wh.transaction() as tx:
            tx.quarantine("sizes", [(1, "no EAN", {"id": 1, "variant_id": 7}), (2, "bad EAN", {"id": 2})])
            tx.quarantine("products", [(3, "no name", {"id": 3})])
        with wh.transaction() as tx:
            tx.resolve_quarantine("sizes", [2])
        every = quarantine.quarantined(wh, "sizes")
        assert sorted(every["key"]) == ["1", "2"]
        held = quarantine.quarantined(wh, "sizes", open_only=True)
        assert list(held.columns) == ["key", "reason", "payload"]
        assert held.to_dict("records") == [{"key": "1", "reason": "no EAN", "payload": {"id": 1, "variant_id": 7}}]
        assert quarantine.quarantined(wh, "orders").empty


def test_the_open_quarantine_query_a_person_reads_runs(warehouse_url):
    with connect(warehouse_url) as wh:
        with wh.transaction() as tx:
            tx.quarantine("orders", [("a", "bad currency", {"id": "a"}), ("b", "no lines", {"id": "b"})])
        with wh.transaction() as tx:
            tx.resolve_quarantine("orders", ["b"])
        query = quarantine.open_quarantine_query(wh, model.ORDERS.name)
        assert "resolved_at is null" in query
        assert wh.read(query)["key"].tolist() == ["a"]
