from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import keys
from centra_pipelines_tests.warehouse.reads_data import store


def test_live_ids_leave_out_deleted_rows(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.VOUCHERS, [{"id": 1}, {"id": 2}, {"id": 3}], deleted=[2])
        assert keys.live_ids(wh, model.VOUCHERS) == {1, 3}


def test_partition_reads_keep_to_the_range_and_live_rows(warehouse_url):
    lines = [{"return_id": r, "position": 1, "partition": day}
             for r, day in [(1, "2026-03-01"), (2, "2026-03-01"), (3, "2026-03-02"), (4, "2026-03-03"),
                            (5, "2026-02-28"), (6, "2026-03-02")]]
    with connect(warehouse_url) as wh:
        store(wh, model.RETURN_LINES, lines, deleted=[(6, 1)])
        live = keys.live_keys_in_partitions(wh, model.RETURN_LINES, "2026-03-01", "2026-03-02")
        assert list(live.columns) == ["partition", "return_id", "position"]
        assert sorted(zip(live["partition"], live["return_id"])) == [
            ("2026-03-01", 1), ("2026-03-01", 2), ("2026-03-02", 3)]
        assert keys.live_rows_per_partition(wh, model.RETURN_LINES, "2026-03-01", "2026-03-03") == {
            "2026-03-01": 2, "2026-03-02": 1, "2026-03-03": 1}
        every = keys.all_keys(wh, model.RETURN_LINES)  # deleted rows too
        assert list(every.columns) == ["return_id", "position"]
        assert sorted(every["return_id"]) == [1, 2, 3, 4, 5, 6]


def test_a_quoted_value_is_data_not_sql(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.RETURN_LINES, [{"return_id": 1, "position": 1, "partition": "2026-03-05"}])
        # Spliced into the SQL text this bound would read `... <= '2026-03-02' OR 'x'='x'` and match every row.
        assert keys.live_rows_per_partition(wh, model.RETURN_LINES, "2026-03-01", "2026-03-02' OR 'x'='x") == {}
