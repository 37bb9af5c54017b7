"""Customer identity resolution: which Centra customer records are one person.

Centra keeps a guest checkout and a registered account with the same e-mail as two customers,
and an e-mail change leaves the old address only in the customer's e-mail history. We never key
on e-mail; we link customer ids, by these rules:

1. Addresses are compared trimmed and lower-cased. A customer's addresses are its current e-mail
   and every address in its e-mail history, each with the moment it was first used (history
   `valid_from`, else the customer's `created_at`). So an e-mail change links the old and the
   new address to the same customer id, and through it to whoever else used either address.
2. Only customers in the same store are compared, unless `identity.merge_across_stores` is true.
3. Two registered customers are never merged, even when they shared an address (an address
   re-used later by another registered account is another account); the audit records them as
   `kept_apart_registered`. Hence an identity holds at most one registered customer.
4. A guest who used an address joins the registered customer that held it at the guest's time:
   the holder whose use of the address started most recently at or before the guest's use; if
   none had started yet, the first who took it afterwards. Later arrivals never change that
   choice. Reason `guest_same_email`, or `guest_email_history` when the address is no longer the
   current e-mail of one of the two (the link exists because of an e-mail change).
5. Guests sharing an address that no registered customer used are one person
   (`guests_same_email`).
Links are applied in time order (then by ids); a link that would put two registered customers in
one identity is refused and audited as `kept_apart_registered`.

Identity id = the smallest customer id in the identity. Centra customer ids only grow, so a new
customer joining an identity never changes its id; an id changes only when new evidence joins
two existing identities, and then the smaller one survives (the audit table says why). Deleted
customers should stay in the input (soft-deleted) for ids to stay put.

`decided_at` is the moment the evidence existed (the later of the two uses of the address), not
the wall clock, so resolving the same input twice gives the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from centra_pipelines.mapping.config import Mapping

CUSTOMER_COLUMNS = ("id", "store_id", "email", "registered", "created_at", "updated_at")
HISTORY_COLUMNS = ("customer_id", "email", "valid_from")
MERGE_COLUMNS = ("identity_id", "customer_id", "linked_customer_id", "reason", "evidence_email", "decided_at")


@dataclass(frozen=True)
class IdentityResolution:
    identities: pd.DataFrame
    """customer_id, identity_id, store_id — one row per customer."""
    merges: pd.DataFrame
    """identity_id, customer_id, linked_customer_id, reason, evidence_email, decided_at — one row
    per link made or refused (identity_id is customer_id's final identity)."""


def normalise_email(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip().lower()
    return value or None


def resolve_identities(customers: pd.DataFrame, email_history: pd.DataFrame, mapping: Mapping) -> IdentityResolution:
    """Resolve customers into identities (see the module docstring for the rules)."""
    _require(customers, CUSTOMER_COLUMNS, "customers")
    _require(email_history, HISTORY_COLUMNS, "email_history")
    across_stores = mapping.identity.merge_across_stores

    people = customers[list(CUSTOMER_COLUMNS)].copy()
    people["id"] = people["id"].astype("int64")
    people["registered"] = [bool(v) and not pd.isna(v) for v in people["registered"].tolist()]
    people["created_at"] = pd.to_datetime(people["created_at"], utc=True)
    people = people.drop_duplicates("id", keep="last").set_index("id", drop=False).sort_index()

    uses = _address_uses(people, email_history)
    current = {(cid, normalise_email(email)) for cid, email in zip(people["id"], people["email"])}
    links, refused = _candidate_links(uses, people, current, across_stores)

    parent = {cid: cid for cid in people["id"].tolist()}
    registered_of = {cid: (cid if reg else None) for cid, reg in zip(people["id"], people["registered"])}

    def find(cid: int) -> int:
        while parent[cid] != cid:
            parent[cid] = parent[parent[cid]]
            cid = parent[cid]
        return cid

    made = []
    for link in sorted(links, key=lambda l: (l["decided_at"], l["customer_id"], l["linked_customer_id"])):
        a, b = find(link["customer_id"]), find(link["linked_customer_id"])
        if a == b:
            continue
        ra, rb = registered_of[a], registered_of[b]
        if ra is not None and rb is not None:
            refused.append({**link, "reason": "kept_apart_registered"})
            continue
        root, other = (a, b) if a < b else (b, a)  # the smaller id is the identity id
        parent[other] = root
        registered_of[root] = ra if ra is not None else rb
        made.append(link)

    identities = pd.DataFrame({
        "customer_id": people["id"].to_numpy(),
        "identity_id": [find(cid) for cid in people["id"].tolist()],
        "store_id": people["store_id"].to_numpy(),
    })
    unique_refused = list({(r["customer_id"], r["linked_customer_id"]): r for r in reversed(refused)}.values())[::-1]
    rows = [{**row, "identity_id": find(row["customer_id"])} for row in made + unique_refused]
    merges = pd.DataFrame(rows, columns=list(MERGE_COLUMNS))
    if len(merges):
        merges = merges.sort_values(["decided_at", "customer_id", "linked_customer_id"], kind="stable")
    merges = merges.astype({"identity_id": "int64", "customer_id": "int64", "linked_customer_id": "int64"})
    merges["decided_at"] = pd.to_datetime(merges["decided_at"], utc=True)
    return IdentityResolution(identities.reset_index(drop=True), merges[list(MERGE_COLUMNS)].reset_index(drop=True))


def _address_uses(people: pd.DataFrame, email_history: pd.DataFrame) -> pd.DataFrame:
    """customer_id, address, first_seen: every address each known customer used, first use."""
    history = pd.DataFrame({
        "customer_id": email_history["customer_id"].astype("int64"),
        "address": email_history["email"].map(normalise_email),
        "first_seen": pd.to_datetime(email_history["valid_from"], utc=True),
    })
    current = pd.DataFrame({
        "customer_id": people["id"].to_numpy(),
        "address": people["email"].map(normalise_email).to_numpy(),
        "first_seen": people["created_at"].to_numpy(),
    })
    uses = pd.concat([history, current], ignore_index=True).dropna(subset=["address"])
    uses = uses[uses["customer_id"].isin(people.index)]
    uses["first_seen"] = uses["first_seen"].fillna(
        uses["customer_id"].map(people["created_at"]))
    return uses.groupby(["customer_id", "address"], as_index=False)["first_seen"].min()


def _candidate_links(uses: pd.DataFrame, people: pd.DataFrame, current: set, across_stores: bool):
    uses = uses.assign(store_id=uses["customer_id"].map(people["store_id"]),
                       registered=uses["customer_id"].map(people["registered"]))
    keys = ["address"] if across_stores else ["store_id", "address"]
    shared = uses[uses.duplicated(keys, keep=False)]
    links: list[dict] = []
    refused: list[dict] = []
    for _, group in shared.groupby(keys, sort=True, dropna=False):
        group = group.sort_values(["first_seen", "customer_id"])
        address = group["address"].iloc[0]
        holders = list(group[group["registered"]].itertuples(index=False))
        guests = list(group[~group["registered"]].itertuples(index=False))
        for earlier, later in zip(holders, holders[1:]):
            refused.append(_row(later, earlier, "kept_apart_registered", address))
        if holders:
            for guest in guests:
                before = [h for h in holders if h.first_seen <= guest.first_seen]
                holder = before[-1] if before else holders[0]
                both_current = (guest.customer_id, address) in current and (holder.customer_id, address) in current
                reason = "guest_same_email" if both_current else "guest_email_history"
                links.append(_row(guest, holder, reason, address))
        else:
            for guest in guests[1:]:
                links.append(_row(guest, guests[0], "guests_same_email", address))
    return links, refused


def _row(customer, linked, reason: str, address: str) -> dict:
    return {"customer_id": int(customer.customer_id), "linked_customer_id": int(linked.customer_id),
            "reason": reason, "evidence_email": address,
            "decided_at": max(customer.first_seen, linked.first_seen)}


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {', '.join(missing)} (needs {', '.join(columns)})")


__all__ = ["IdentityResolution", "normalise_email", "resolve_identities"]
