from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import ledgers
from centra_pipelines_tests.warehouse.reads_data import store


def test_processed_bodies(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.WEBHOOK_CALLS, [{"file_name": f, "body_sha256": h, "outcome": o} for f, h, o in
                                        [("1.json", "aa", "processed"), ("2.json", "bb", "duplicate"),
                                         ("3.json", "it's", "processed")]])
        assert ledgers.processed_bodies(wh, ["aa", "bb", "cc", "it's"]) == {"aa", "it's"}
        assert ledgers.processed_bodies(wh, []) == set()


def test_recorded_events(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.CENTRA_EVENTS, [{"id": 1}, {"id": 5}])
        assert ledgers.recorded_events(wh, [1, 2, 5]) == {1, 5}
        assert ledgers.recorded_events(wh, []) == set()
