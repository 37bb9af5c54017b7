from datetime import datetime, timedelta, timezone

from centra_pipelines.warehouse import connect


def test_purge_quarantine_deletes_only_rows_seen_before_the_cutoff(warehouse_url):
    with connect(warehouse_url) as wh:
        with wh.transaction() as tx:
            tx.quarantine("orders", [(1, "bad currency", {"id": 1}), ((2, "SE"), "no price", {"id": 2})])
        now = datetime.now(timezone.utc)
        with wh.transaction() as tx:
            assert tx.purge_quarantine(now - timedelta(hours=1)) == 0  # both were seen just now
        assert wh.count("quarantine") == 2
        with wh.transaction() as tx:
            assert tx.purge_quarantine(now + timedelta(hours=1)) == 2
        assert wh.count("quarantine") == 0
