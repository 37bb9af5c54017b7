"""Customer identity resolution: which Centra customer records are one person.

Centra keeps a guest checkout and a registered account with the same e-mail as two customers, and
after an e-mail change the old address lives on only in the orders placed with it. Centra's public
schema serves neither a registration flag nor an e-mail history on customers, so the resolution
uses what it does serve: each customer's current e-mail, store and creation time, and the billing
e-mail of each of its orders. We never key on e-mail; we link customer ids, by these rules:

1. Addresses are compared trimmed and lower-cased. A customer's addresses are its current e-mail
   (first used at the customer's `created_at`) and every billing e-mail on its orders (first used
   at the earliest such order). So an e-mail change links the old and the new address to the same
   customer id, as soon as an order was placed with the old one.
2. Only customers in the same store are compared, unless `identity.merge_across_stores` is true.
3. Customers who used one address are one person. Each joins the customer who used the address
   first (then the lower id). Reason `same_email` when the address is the current e-mail of both
   (Centra's guest + registered pair: Centra allows one registered account per address), else
   `order_email` (the link exists because an order carried an address the customer no longer has).

What it cannot know: whether a customer is registered. Two registered accounts that used the same
address at different times (one gave it up, the other took it later) are merged; Centra's API gives
no way to tell them apart.

Identity id = the smallest customer id in the identity. Centra customer ids only grow, so a new
customer joining an identity never changes its id; an id changes only when new evidence joins two
existing identities, and then the smaller one survives (the audit table says why).

`decided_at` is the moment the evidence existed (the later of the two uses of the address), not
the wall clock, so resolving the same input twice gives the same tables. Missing values (no
e-mail, no created_at, orders without a customer) never fail: such rows simply give no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from centra_pipelines.mapping.config import Mapping

CUSTOMER_COLUMNS = ("id", "store_id", "email", "created_at")
ORDER_EMAIL_COLUMNS = ("customer_id", "email", "first_used")
MERGE_COLUMNS = ("identity_id", "customer_id", "linked_customer_id", "reason", "evidence_email", "decided_at")


@dataclass(frozen=True)
class IdentityResolution:
    identities: pd.DataFrame
    """customer_id, identity_id, store_id — one row per customer."""
    merges: pd.DataFrame
    """identity_id, customer_id, linked_customer_id, reason, evidence_email, decided_at — one row
    per link made (identity_id is customer_id's final identity)."""


def normalise_email(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value or None


def resolve_identities(customers: pd.DataFrame, order_emails: pd.DataFrame, mapping: Mapping) -> IdentityResolution:
    """Resolve customers into identities (see the module docstring for the rules).

    `customers`: id, store_id, email, created_at. `order_emails`: customer_id, email, first_used —
    the billing e-mails of each customer's orders (any number of rows per pair; the earliest counts).
    """
    _require(customers, CUSTOMER_COLUMNS, "customers")
    _require(order_emails, ORDER_EMAIL_COLUMNS, "order_emails")
    people = customers[list(CUSTOMER_COLUMNS)].copy()
    people["id"] = people["id"].astype("int64")
    people["created_at"] = pd.to_datetime(people["created_at"], utc=True)
    people = people.drop_duplicates("id", keep="last").set_index("id", drop=False).sort_index()

    uses = _address_uses(people, order_emails)
    current = {(cid, normalise_email(email)) for cid, email in zip(people["id"], people["email"])}
    keys = ["address"] if mapping.identity.merge_across_stores else ["store_id", "address"]
    uses = uses.assign(store_id=uses["customer_id"].map(people["store_id"]))

    parent = {cid: cid for cid in people["id"].tolist()}

    def find(cid: int) -> int:
        while parent[cid] != cid:
            parent[cid] = parent[parent[cid]]
            cid = parent[cid]
        return cid

    links = []
    for _, group in uses[uses.duplicated(keys, keep=False)].groupby(keys, sort=True, dropna=False):
        group = group.sort_values(["first_used", "customer_id"], na_position="last")
        first = group.iloc[0]
        for later in group.iloc[1:].itertuples(index=False):
            both_current = ((later.customer_id, later.address) in current
                            and (first.customer_id, first.address) in current)
            links.append({"customer_id": int(later.customer_id), "linked_customer_id": int(first.customer_id),
                          "reason": "same_email" if both_current else "order_email",
                          "evidence_email": later.address,
                          "decided_at": _later(first.first_used, later.first_used)})
    made = []
    for link in sorted(links, key=lambda l: (pd.Timestamp.min.tz_localize("UTC") if pd.isna(l["decided_at"])
                                             else l["decided_at"], l["customer_id"], l["linked_customer_id"])):
        a, b = find(link["customer_id"]), find(link["linked_customer_id"])
        if a == b:
            continue
        root, other = (a, b) if a < b else (b, a)  # the smaller id is the identity id
        parent[other] = root
        made.append(link)

    identities = pd.DataFrame({
        "customer_id": people["id"].to_numpy(),
        "identity_id": [find(cid) for cid in people["id"].tolist()],
        "store_id": people["store_id"].to_numpy(),
    })
    merges = pd.DataFrame([{**row, "identity_id": find(row["customer_id"])} for row in made],
                          columns=list(MERGE_COLUMNS))
    merges = merges.astype({"identity_id": "int64", "customer_id": "int64", "linked_customer_id": "int64"})
    merges["decided_at"] = pd.to_datetime(merges["decided_at"], utc=True)
    return IdentityResolution(identities.reset_index(drop=True), merges[list(MERGE_COLUMNS)].reset_index(drop=True))


def _later(a, b):
    if pd.isna(a):
        return b
    if pd.isna(b):
        return a
    return max(a, b)


def _address_uses(people: pd.DataFrame, order_emails: pd.DataFrame) -> pd.DataFrame:
    """customer_id, address, first_used: every address each known customer used, first use."""
    ordered = pd.DataFrame({
        "customer_id": pd.to_numeric(order_emails["customer_id"], errors="coerce"),
        "address": order_emails["email"].map(normalise_email),
        "first_used": pd.to_datetime(order_emails["first_used"], utc=True),
    })
    current = pd.DataFrame({
        "customer_id": people["id"].to_numpy(),
        "address": people["email"].map(normalise_email).to_numpy(),
        "first_used": people["created_at"].to_numpy(),
    })
    # an empty frame is left out of the concat: pandas is changing how it decides the dtypes with one
    uses = pd.concat([f for f in (ordered, current) if len(f)] or [current], ignore_index=True) \
        .dropna(subset=["customer_id", "address"])
    uses["customer_id"] = uses["customer_id"].astype("int64")
    uses = uses[uses["customer_id"].isin(people.index)]
    return uses.groupby(["customer_id", "address"], as_index=False, dropna=False)["first_used"].min()


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)} (needs {', '.join(columns)})")


__all__ = ["IdentityResolution", "normalise_email", "resolve_identities"]
