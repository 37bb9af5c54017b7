"""Tables of the customers group: customers (daily change windows by updatedAt) and the identities
resolved from them (mapping/identity.py)."""

from centra_pipelines.warehouse.model.formats import CHANGE_WINDOW, DAY
from centra_pipelines.warehouse.tables import Column, Rule, TableSpec

MERGE_REASONS = ["same_email", "order_email"]

CUSTOMERS = TableSpec("customers", key="id", updated_at="updated_at", partition="partition", columns={
    "id": Column("bigint", "Centra customer id (one e-mail may belong to two customers: guest and "
                           "registered).", gt=0, unique=True),
    "store_id": Column("bigint", "Store of the customer (stores.id).", gt=0),
    "status": Column("text", "Customer status in Centra.", nullable=False),
    # A customer without an address cannot be told apart from others or contacted: quarantined.
    "email": Column("text", "Current e-mail address (personal data).", str_contains="@"),
    "first_name": Column("text", "First name (personal data)."),
    "last_name": Column("text", "Last name (personal data)."),
    "total_orders": Column("bigint", "Number of orders Centra counts for the customer."),
    "created_at": Column("timestamptz", "When the customer was created in Centra (UTC).", nullable=False),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the customer (UTC).", nullable=False),
    "partition": Column("text", CHANGE_WINDOW, str_matches=DAY),
})

CUSTOMER_IDENTITIES = TableSpec("customer_identities", key="customer_id", columns={
    "customer_id": Column("bigint", "Customer (customers.id).", gt=0, unique=True),
    "identity_id": Column("bigint", "The person: the lowest customer id of the customers resolved to be one.", gt=0),
    "store_id": Column("bigint", "Store of the customer (stores.id)."),
}, rules=[Rule("identity_id_is_a_member", lambda f: f["identity_id"] <= f["customer_id"])])

IDENTITY_MERGES = TableSpec("customer_identity_merges", key=("customer_id", "linked_customer_id", "reason"), columns={
    "identity_id": Column("bigint", "The identity the decision is about (customer_identities.identity_id).", gt=0),
    "customer_id": Column("bigint", "Customer linked (customers.id).", gt=0),
    "linked_customer_id": Column("bigint", "The other customer (customers.id).", gt=0),
    "reason": Column("text", "Why they were linked: same_email (both hold the address now) or order_email (an order "
                             "carried it).", isin=MERGE_REASONS),
    "evidence_email": Column("text", "The e-mail address the decision rests on (personal data)."),
    # NULL only when neither use of the address has a time (a customer without created_at).
    "decided_at": Column("timestamptz", "When the decision was made (UTC).", nullable=True),
})
