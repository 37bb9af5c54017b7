"""Customer identity resolution from what Centra serves: current e-mails, stores, and the billing
e-mails of each customer's orders (e-mail changes); stable ids; missing values."""

from __future__ import annotations

import pandas as pd
import pytest

from centra_pipelines.mapping.config import Identity, load_mapping
from centra_pipelines.mapping.identity import normalise_email, resolve_identities
from centra_pipelines.sandbox.state import Sandbox


@pytest.fixture(scope="module")
def mapping():
    return load_mapping()


def customer(id, email, created, store=1):
    return {"id": id, "store_id": store, "email": email,
            "created_at": None if created is None else f"{created}T12:00:00Z"}


def ordered(customer_id, email, day):
    return {"customer_id": customer_id, "email": email, "first_used": f"{day}T12:00:00Z"}


def resolve(customers, order_emails, mapping):
    result = resolve_identities(pd.DataFrame(customers),
                                pd.DataFrame(order_emails, columns=["customer_id", "email", "first_used"]), mapping)
    return dict(zip(result.identities["customer_id"], result.identities["identity_id"])), result.merges


def test_two_customers_with_one_email_in_a_store_are_one_identity(mapping):
    ids, merges = resolve([customer(10, "Anna@Example.com ", "2025-01-01"),
                           customer(11, " anna@example.COM", "2025-02-01"),
                           customer(12, "bo@example.com", "2025-02-01")], [], mapping)
    assert ids == {10: 10, 11: 10, 12: 12}
    assert len(merges) == 1
    row = merges.iloc[0]
    assert (row.identity_id, row.customer_id, row.linked_customer_id, row.reason, row.evidence_email) == (
        10, 11, 10, "same_email", "anna@example.com")
    assert row.decided_at == pd.Timestamp("2025-02-01T12:00:00Z")


def test_email_change_is_linked_through_the_orders_placed_with_the_old_address(mapping):
    customers = [customer(20, "new@example.com", "2025-01-01"),   # changed old@ -> new@ in May
                 customer(21, "old@example.com", "2025-03-01"),   # guest checkout with the old address
                 customer(22, "new@example.com", "2025-08-01")]   # guest checkout with the new address
    orders = [ordered(20, "old@example.com", "2025-02-01"), ordered(20, "OLD@example.com", "2025-04-01"),
              ordered(20, "new@example.com", "2025-06-01"), ordered(21, "old@example.com", "2025-03-01")]
    ids, merges = resolve(customers, orders, mapping)
    assert ids == {20: 20, 21: 20, 22: 20}
    by_customer = {r.customer_id: (r.linked_customer_id, r.reason, r.evidence_email, r.decided_at)
                   for r in merges.itertuples()}
    assert by_customer == {
        21: (20, "order_email", "old@example.com", pd.Timestamp("2025-03-01T12:00:00Z")),
        22: (20, "same_email", "new@example.com", pd.Timestamp("2025-08-01T12:00:00Z")),
    }


def test_without_orders_an_email_change_links_nothing(mapping):
    ids, merges = resolve([customer(30, "new@example.com", "2025-01-01"),
                           customer(31, "old@example.com", "2025-03-01")], [], mapping)
    assert ids == {30: 30, 31: 31} and merges.empty


def test_missing_values_give_no_evidence_and_never_fail(mapping):
    ids, merges = resolve([customer(50, "g@example.com", "2025-01-01"),
                           customer(51, "G@example.com", None),
                           customer(52, None, "2025-02-01"),
                           customer(53, "  ", "2025-02-01"),
                           customer(54, None, None)],
                          [ordered(52, None, "2025-02-02"), {"customer_id": None, "email": "g@example.com",
                                                             "first_used": None}], mapping)
    assert ids == {50: 50, 51: 50, 52: 52, 53: 53, 54: 54}
    assert merges["reason"].tolist() == ["same_email"]
    assert merges["decided_at"].tolist() == [pd.Timestamp("2025-01-01T12:00:00Z")]


def test_stores_are_kept_apart_unless_configured(mapping):
    customers = [customer(60, "x@example.com", "2025-01-01", store=1),
                 customer(61, "x@example.com", "2025-02-01", store=2)]
    ids, _ = resolve(customers, [], mapping)
    assert ids == {60: 60, 61: 61}
    across = mapping.model_copy(update={"identity": Identity(merge_across_stores=True)})
    ids, _ = resolve(customers, [], across)
    assert ids == {60: 60, 61: 60}


def test_merge_across_stores_from_the_mapping_file(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("identity:\n  merge_across_stores: true\n")
    ids, _ = resolve([customer(70, "y@example.com", "2025-01-01", store=1),
                      customer(71, "y@example.com", "2025-02-01", store=2)], [], load_mapping(path))
    assert ids == {70: 70, 71: 70}


def test_identity_ids_are_stable_when_new_customers_join(mapping):
    before = [customer(80, "p@example.com", "2025-01-01"),
              customer(81, "q@example.com", "2025-01-05"),
              customer(82, "p@example.com", "2025-02-01")]
    ids_before, _ = resolve(before, [], mapping)
    assert ids_before == {80: 80, 81: 81, 82: 80}
    after = before + [customer(83, "p@example.com", "2025-06-01"), customer(84, "q@example.com", "2025-06-02")]
    ids_after, _ = resolve(after, [], mapping)
    assert {k: ids_after[k] for k in ids_before} == ids_before
    assert ids_after[83] == 80 and ids_after[84] == 81
    # new evidence (84 ordered with p@) joins q@'s identity (81) to p@'s (80): the smaller id survives
    ids_joined, merges = resolve(after, [ordered(84, "p@example.com", "2025-07-01")], mapping)
    assert {ids_joined[k] for k in (80, 81, 82, 83, 84)} == {80}
    assert set(merges.loc[merges["customer_id"] == 84, "reason"]) == {"same_email", "order_email"}


def test_resolution_is_deterministic_whatever_the_row_order(mapping):
    customers = [customer(i, f"c{i % 7}@example.com", f"2025-0{1 + i % 9}-01") for i in range(1, 40)]
    orders = [ordered(i, f"c{(i + 1) % 11}@example.com", f"2025-0{1 + i % 9}-15") for i in range(1, 40, 3)]
    first = resolve_identities(pd.DataFrame(customers), pd.DataFrame(orders), mapping)
    shuffled = resolve_identities(pd.DataFrame(customers).sample(frac=1, random_state=3),
                                  pd.DataFrame(orders).sample(frac=1, random_state=5), mapping)
    pd.testing.assert_frame_equal(first.identities, shuffled.identities)
    pd.testing.assert_frame_equal(first.merges, shuffled.merges)
    assert (first.identities.groupby("identity_id")["customer_id"].min()
            == first.identities.groupby("identity_id")["customer_id"].min().index).all()


def test_missing_input_columns_are_named(mapping):
    with pytest.raises(ValueError, match="customers lacks column.s. created_at"):
        resolve_identities(pd.DataFrame({"id": [1], "store_id": [1], "email": ["a@b"]}),
                           pd.DataFrame(columns=["customer_id", "email", "first_used"]), mapping)
    with pytest.raises(ValueError, match="order_emails lacks column.s. first_used"):
        resolve_identities(pd.DataFrame(columns=["id", "store_id", "email", "created_at"]),
                           pd.DataFrame(columns=["customer_id", "email"]), mapping)


def test_sandbox_customers_twins_and_email_changes_resolve(mapping):
    """On the sandbox's truth: every guest/registered pair sharing an address is one identity, and every
    customer who changed e-mail after ordering with the old address is linked to its other users."""
    truth = Sandbox(seed=7, scale="small").truth()
    customers = pd.DataFrame(truth["customers"])
    orders = pd.DataFrame(truth["orders"])
    order_emails = orders.dropna(subset=["customer_id"]).rename(
        columns={"billing_email": "email", "created_at": "first_used"})[["customer_id", "email", "first_used"]]
    result = resolve_identities(customers, order_emails, mapping)
    ids = dict(zip(result.identities["customer_id"], result.identities["identity_id"]))
    assert len(ids) == len(customers)

    keyed = customers.assign(key=customers["email"].map(normalise_email)).dropna(subset=["key"])
    pairs = [g for _, g in keyed.groupby(["store_id", "key"]) if len(g) > 1]
    assert pairs and all(len({ids[c] for c in g["id"]}) == 1 for g in pairs)
    # an address used on an order by one customer and held by another joins them
    holders = dict(zip(zip(keyed["store_id"], keyed["key"]), keyed["id"]))
    store = dict(zip(customers["id"], customers["store_id"]))
    linked = 0
    for cid, email in zip(order_emails["customer_id"], order_emails["email"]):
        other = holders.get((store.get(int(cid)), normalise_email(email)))
        if other is not None and other != cid:
            assert ids[int(cid)] == ids[other]
            linked += 1
    assert linked > 0
    assert all(ids[c] == i for c, i in zip(result.merges["customer_id"], result.merges["identity_id"]))
