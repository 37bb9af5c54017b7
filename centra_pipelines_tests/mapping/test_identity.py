"""Customer identity resolution: guests and registered customers, e-mail changes, stores, stable ids."""

from __future__ import annotations

import pandas as pd
import pytest

from centra_pipelines.mapping.config import Identity, load_mapping
from centra_pipelines.mapping.identity import resolve_identities
from centra_pipelines.sandbox.state import Sandbox


@pytest.fixture(scope="module")
def mapping():
    return load_mapping()


def customer(id, email, registered, created, store=1):
    return {"id": id, "store_id": store, "email": email, "registered": registered,
            "created_at": f"{created}T12:00:00Z", "updated_at": f"{created}T12:00:00Z"}


def history(customer_id, email, valid_from):
    return {"customer_id": customer_id, "email": email, "valid_from": f"{valid_from}T12:00:00Z"}


def resolve(customers, emails, mapping):
    frame = pd.DataFrame(customers)
    hist = pd.DataFrame(emails, columns=["customer_id", "email", "valid_from"])
    result = resolve_identities(frame, hist, mapping)
    return dict(zip(result.identities["customer_id"], result.identities["identity_id"])), result.merges


def test_guest_and_registered_with_same_email_in_a_store_are_one_identity(mapping):
    ids, merges = resolve([customer(10, "Anna@Example.com ", True, "2025-01-01"),
                           customer(11, " anna@example.COM", False, "2025-02-01"),
                           customer(12, "bo@example.com", False, "2025-02-01")], [], mapping)
    assert ids == {10: 10, 11: 10, 12: 12}
    row = merges.iloc[0]
    assert len(merges) == 1
    assert (row.identity_id, row.customer_id, row.linked_customer_id, row.reason, row.evidence_email) == (
        10, 11, 10, "guest_same_email", "anna@example.com")
    assert row.decided_at == pd.Timestamp("2025-02-01T12:00:00Z")


def test_email_change_links_old_and_new_address_of_the_same_customer(mapping):
    customers = [customer(20, "new@example.com", True, "2025-01-01"),   # changed old@ -> new@ in May
                 customer(21, "old@example.com", False, "2025-03-01"),  # guest checkout with the old address
                 customer(22, "new@example.com", False, "2025-08-01")]  # guest checkout with the new address
    emails = [history(20, "old@example.com", "2025-01-01"), history(20, "new@example.com", "2025-05-01"),
              history(21, "old@example.com", "2025-03-01"), history(22, "new@example.com", "2025-08-01")]
    ids, merges = resolve(customers, emails, mapping)
    assert ids == {20: 20, 21: 20, 22: 20}
    reasons = dict(zip(merges["customer_id"], merges["reason"]))
    assert reasons == {21: "guest_email_history", 22: "guest_same_email"}
    assert set(merges["evidence_email"]) == {"old@example.com", "new@example.com"}


def test_two_registered_customers_sharing_an_address_are_never_merged(mapping):
    # 30 leaves the address; 31 registers with it later; guests before and after follow the holder of the time
    customers = [customer(30, "moved@example.com", True, "2025-01-01"),
                 customer(31, "shared@example.com", True, "2025-06-01"),
                 customer(32, "shared@example.com", False, "2025-03-01"),
                 customer(33, "shared@example.com", False, "2025-09-01")]
    emails = [history(30, "shared@example.com", "2025-01-01"), history(30, "moved@example.com", "2025-04-01")]
    ids, merges = resolve(customers, emails, mapping)
    assert ids == {30: 30, 31: 31, 32: 30, 33: 31}
    kept = merges[merges["reason"] == "kept_apart_registered"]
    assert kept[["customer_id", "linked_customer_id", "identity_id"]].values.tolist() == [[31, 30, 31]]


def test_a_guest_cannot_bridge_two_registered_customers(mapping):
    customers = [customer(40, "a@example.com", True, "2025-01-01"),
                 customer(41, "b@example.com", True, "2025-01-02"),
                 customer(42, "b@example.com", False, "2025-03-01")]
    emails = [history(42, "a@example.com", "2025-02-01"), history(42, "b@example.com", "2025-03-01")]
    ids, merges = resolve(customers, emails, mapping)
    assert ids[40] != ids[41]
    assert ids[42] == 40  # the earlier evidence (a@ in February) was applied first
    refused = merges[merges["reason"] == "kept_apart_registered"]
    assert refused[["customer_id", "linked_customer_id"]].values.tolist() == [[42, 41]]


def test_guests_sharing_an_address_are_one_identity_and_null_emails_stay_alone(mapping):
    ids, merges = resolve([customer(50, "g@example.com", False, "2025-01-01"),
                           customer(51, "G@example.com", False, "2025-02-01"),
                           customer(52, None, False, "2025-02-01"),
                           customer(53, "  ", True, "2025-02-01")], [], mapping)
    assert ids == {50: 50, 51: 50, 52: 52, 53: 53}
    assert merges["reason"].tolist() == ["guests_same_email"]


def test_stores_are_kept_apart_unless_configured(mapping):
    customers = [customer(60, "x@example.com", True, "2025-01-01", store=1),
                 customer(61, "x@example.com", False, "2025-02-01", store=2)]
    ids, _ = resolve(customers, [], mapping)
    assert ids == {60: 60, 61: 61}
    across = mapping.model_copy(update={"identity": Identity(merge_across_stores=True)})
    ids, _ = resolve(customers, [], across)
    assert ids == {60: 60, 61: 60}


def test_merge_across_stores_from_the_mapping_file(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("identity:\n  merge_across_stores: true\n")
    ids, _ = resolve([customer(70, "y@example.com", True, "2025-01-01", store=1),
                      customer(71, "y@example.com", False, "2025-02-01", store=2)], [], load_mapping(path))
    assert ids == {70: 70, 71: 70}


def test_identity_ids_are_stable_when_new_customers_join(mapping):
    before = [customer(80, "p@example.com", False, "2025-01-01"),   # guest first
              customer(81, "q@example.com", True, "2025-01-05"),
              customer(82, "p@example.com", True, "2025-02-01")]    # then registers
    ids_before, _ = resolve(before, [], mapping)
    assert ids_before == {80: 80, 81: 81, 82: 80}
    after = before + [customer(83, "p@example.com", False, "2025-06-01"),   # another guest checkout
                      customer(84, "q@example.com", False, "2025-06-02"),
                      customer(85, "p@example.com", True, "2025-07-01")]    # a second account re-using p@
    ids_after, merges = resolve(after, [], mapping)
    assert {k: ids_after[k] for k in ids_before} == ids_before
    assert ids_after[83] == 80 and ids_after[84] == 81 and ids_after[85] == 85


def test_resolution_is_deterministic_whatever_the_row_order(mapping):
    customers = [customer(i, f"c{i % 7}@example.com", i % 3 == 0, f"2025-0{1 + i % 9}-01") for i in range(1, 40)]
    first = resolve_identities(pd.DataFrame(customers), pd.DataFrame(columns=["customer_id", "email", "valid_from"]),
                               mapping)
    shuffled = resolve_identities(pd.DataFrame(customers).sample(frac=1, random_state=3),
                                  pd.DataFrame(columns=["customer_id", "email", "valid_from"]), mapping)
    pd.testing.assert_frame_equal(first.identities, shuffled.identities)
    pd.testing.assert_frame_equal(first.merges, shuffled.merges)
    assert first.identities.groupby("identity_id")["customer_id"].min().eq(
        first.identities.groupby("identity_id")["customer_id"].min().index).all()


def test_missing_input_columns_are_named(mapping):
    with pytest.raises(ValueError, match="registered"):
        resolve_identities(pd.DataFrame({"id": [1], "store_id": [1], "email": ["a@b"], "created_at": ["2025-01-01"],
                                         "updated_at": ["2025-01-01"]}),
                           pd.DataFrame(columns=["customer_id", "email", "valid_from"]), mapping)


def test_sandbox_customers_twins_merge_and_registered_stay_apart(mapping):
    truth = Sandbox(seed=7, scale="small").truth()
    customers = pd.DataFrame(truth["customers"]).rename(columns={"is_registered": "registered"})
    emails = pd.DataFrame(truth["customer_email_history"])
    result = resolve_identities(customers, emails, mapping)
    ids = dict(zip(result.identities["customer_id"], result.identities["identity_id"]))
    assert len(ids) == len(customers)

    # every guest/registered pair sharing a current address in one store is one identity
    with_email = customers.assign(key=customers["email"].str.strip().str.lower()).dropna(subset=["key"])
    pairs = 0
    for _, group in with_email.groupby(["store_id", "key"]):
        if group["registered"].sum() == 1 and len(group) > 1:
            assert len({ids[c] for c in group["id"]}) == 1
            pairs += 1
    assert pairs > 0
    # no identity holds two registered customers
    registered = customers.set_index("id")["registered"]
    per_identity = result.identities.assign(reg=result.identities["customer_id"].map(registered))
    assert per_identity.groupby("identity_id")["reg"].sum().max() <= 1
    # every merge row points at the final identity of its customer
    assert all(ids[c] == i for c, i in zip(result.merges["customer_id"], result.merges["identity_id"]))
