from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import orders
from centra_pipelines_tests.warehouse.reads_data import store


def test_pricelists_and_shipments(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.PRICELISTS, [{"id": 1, "currency_code": "SEK"}, {"id": 2, "currency_code": "EUR"}])
        store(wh, model.SHIPMENTS, [{"id": 7, "order_id": "a1", "order_number": 101, "partition": "2026-03-01"},
                                    {"id": 8, "order_id": "b2", "order_number": 102, "partition": "2026-03-01"}])
        assert orders.pricelist_currencies(wh) == {1: "SEK", 2: "EUR"}
        assert orders.shipment_orders(wh) == {7: ("a1", 101), 8: ("b2", 102)}
