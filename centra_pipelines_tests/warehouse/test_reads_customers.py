from datetime import datetime, timezone

from centra_pipelines.warehouse import connect, model
from centra_pipelines.warehouse.reads import customers
from centra_pipelines_tests.warehouse.reads_data import store


def test_customers_and_the_emails_they_ordered_with(warehouse_url):
    with connect(warehouse_url) as wh:
        store(wh, model.CUSTOMERS, [{"id": i, "store_id": 1, "email": e, "created_at": "2026-01-01T00:00:00Z"}
                                    for i, e in [(3, "c@x.se"), (1, "a@x.se"), (2, None)]], deleted=[2])
        store(wh, model.ORDERS, [{"id": o, "customer_id": c, "billing_email": e, "created_at": t}
                                 for o, c, e, t in [("o1", 1, "a@x.se", "2026-02-02T00:00:00Z"),
                                                    ("o2", 1, "a@x.se", "2026-02-01T00:00:00Z"),
                                                    ("o3", 1, "b@x.se", "2026-02-03T00:00:00Z"),
                                                    ("o4", None, "z@x.se", "2026-02-03T00:00:00Z"),
                                                    ("o5", 3, None, "2026-02-03T00:00:00Z")]])
        people = customers.customers_by_id(wh)
        assert list(people.columns) == ["id", "store_id", "email", "created_at"]
        assert people["id"].tolist() == [1, 2, 3]
        emails = customers.customer_order_emails(wh)
        assert sorted(zip(emails["customer_id"], emails["email"], emails["first_used"])) == [
            (1, "a@x.se", datetime(2026, 2, 1, tzinfo=timezone.utc)),
            (1, "b@x.se", datetime(2026, 2, 3, tzinfo=timezone.utc))]
