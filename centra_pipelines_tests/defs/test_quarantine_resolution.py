"""The one write path (StreamWriter): failing rows are named by Centra ids and rule, and their
quarantine rows are resolved when a valid version of the row loads."""

from datetime import datetime, timezone

import pandas as pd

from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.warehouse.model import ORDERS
from centra_pipelines.warehouse import connect

ORDER_ID = "0123456789abcdef0123456789abcdef"


def order(number: int, country: str | None, at: str, order_id: str | None = None) -> dict:
    stamp = pd.Timestamp(at, tz="UTC")
    return {"id": order_id or f"{number:032x}", "number": number, "order_type": "DirectToConsumerOrder",
            "centra_status": "CONFIRMED", "status": "confirmed", "store_id": 1, "pricelist_id": 1,
            "country": country, "currency": "SEK", "grand_total": 100, "currency_base_rate": 1.0,
            "created_at": stamp, "updated_at": stamp, "partition": at[:10]}


def open_quarantine(wh) -> list[tuple[str, str]]:
    frame = wh.read(f"SELECT key, reason FROM {wh.table_ref('quarantine')} WHERE resolved_at IS NULL ORDER BY key")
    return list(frame.itertuples(index=False, name=None))


def test_failures_name_order_ids_and_rules_and_a_valid_version_resolves_them(warehouse_url):
    with connect(warehouse_url) as wh:
        writer = StreamWriter(wh, "orders", "2026-03-01", [ORDERS])
        writer.write({"orders": pd.DataFrame([order(1001, None, "2026-03-01T10:00:00"),
                                              order(1002, "SE", "2026-03-01T11:00:00"),
                                              order(1003, "Sweden", "2026-03-01T12:00:00")])})
        totals = writer.totals["orders"]
        assert totals.quarantined == 2
        assert totals.rule_counts == {"country: not_nullable": 1, "country: str_matches('^[A-Z]{2}$')": 1}
        assert totals.first_failures == [
            {"id": f"{1001:032x}", "number": 1001, "rule": "country: not_nullable", "value": None},
            {"id": f"{1003:032x}", "number": 1003, "rule": "country: str_matches('^[A-Z]{2}$')", "value": "Sweden"},
        ]
        # The printed query runs as it is and lists what waits.
        assert "resolved_at is null" in totals.quarantine_query
        assert sorted(wh.read(totals.quarantine_query)["key"]) == [f"{1001:032x}", f"{1003:032x}"]

        # Order 1001 comes back valid (Centra fixed it): its quarantine row is resolved, 1003 still waits.
        writer.write({"orders": pd.DataFrame([order(1001, "DK", "2026-03-01T13:00:00")])})
        assert writer.totals["orders"].resolved == 1
        assert [k for k, _ in open_quarantine(wh)] == [f"{1003:032x}"]
        resolved = wh.read(f"SELECT resolved_at FROM {wh.table_ref('quarantine')} WHERE key = '{1001:032x}'")
        assert resolved["resolved_at"][0] <= datetime.now(timezone.utc)
        assert wh.read(f"SELECT country FROM {wh.table_ref('orders')} WHERE number = 1001")["country"][0] == "DK"

        # Spoiled again later: the same quarantine row opens again.
        writer.write({"orders": pd.DataFrame([order(1001, None, "2026-03-01T14:00:00")])})
        assert [k for k, _ in open_quarantine(wh)] == [f"{1001:032x}", f"{1003:032x}"]
