"""Tables of wholesale: accounts (full pull) and buyers (from wholesale orders, the newest order wins)."""

from centra_pipelines.warehouse.tables import Column, TableSpec

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

ACCOUNTS = TableSpec("accounts", key="id", columns={
    "id": Column("bigint", "Centra wholesale account id.", gt=0, unique=True),
    "name": Column("text", "Account (customer company) name.", nullable=False),
    "website_url": Column("text", "The account's website."),
    "sales_representative_id": Column("bigint", "Sales representative of the account (Centra id)."),
    "sales_representative_name": Column("text", "Sales representative's name."),
    "payment_terms": Column("text", "Payment terms agreed with the account."),
    "shipping_terms": Column("text", "Shipping terms agreed with the account."),
})

BUYERS = TableSpec("buyers", key="id", updated_at="order_updated_at", columns={
    "id": Column("bigint", "Centra buyer id.", gt=0, unique=True),
    "account_id": Column("bigint", "Wholesale account the buyer orders for (accounts.id).", gt=0, nullable=True),
    "first_name": Column("text", "Buyer's first name (personal data)."),
    "last_name": Column("text", "Buyer's last name (personal data)."),
    "email": Column("text", "Buyer's e-mail (personal data).", str_matches=EMAIL, nullable=True),
    "order_updated_at": Column("timestamptz", "updatedAt of the newest order the buyer was read from (UTC).",
                                              nullable=False),
})
