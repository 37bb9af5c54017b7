"""The warehouse data model: every synced table's spec (DESIGN.md section 4), in one place."""

from __future__ import annotations

from centra_pipelines.warehouse.tables import TableSpec

MONEY = "decimal(18,4)"

# --- markets group: reference data, full pulls (no change time: the last write wins) -------------
STORES = TableSpec("stores", {"id": "bigint", "name": "text", "type": "text"}, key=("id",))
MARKETS = TableSpec(
    "markets",
    {"id": "bigint", "name": "text", "comment": "text", "store_id": "bigint", "country_codes": "json",
     "allocation_rule_id": "bigint", "is_active": "boolean", "looks_like_test": "boolean", "selected": "boolean"},
    key=("id",),
)
PRICELISTS = TableSpec(
    "pricelists",
    {"id": "bigint", "name": "text", "status": "text", "currency_code": "text", "store_id": "bigint",
     "country_codes": "json", "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
)
WAREHOUSES = TableSpec(
    "warehouses",
    {"id": "bigint", "name": "text", "status": "text", "stock_master": "text", "allocation_policy": "text",
     "country_code": "text", "selected": "boolean"},
    key=("id",),
)
CURRENCIES = TableSpec("currencies", {"id": "bigint", "code": "text", "name": "text", "is_base": "boolean"}, key=("id",))
LANGUAGES = TableSpec(
    "languages",
    {"id": "bigint", "name": "text", "code": "text", "language_code": "text", "country_code": "text",
     "is_active": "boolean"},
    key=("id",),
)
COUNTRIES = TableSpec("countries", {"id": "bigint", "code": "text", "name": "text", "is_eu": "boolean"}, key=("id",))

# --- catalog group -------------------------------------------------------------------------------
SIZE_CHARTS = TableSpec("size_charts", {"id": "bigint", "name": "text", "sizes": "json"}, key=("id",))
PRODUCTS = TableSpec(
    "products",
    {"id": "bigint", "name": "text", "status": "text", "product_number": "text", "is_bundle": "boolean",
     "size_chart_id": "bigint", "created_at": "timestamptz", "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
)
VARIANTS = TableSpec(
    "variants",
    {"id": "bigint", "product_id": "bigint", "name": "text", "status": "text", "variant_number": "text",
     "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
)
SIZES = TableSpec(
    "sizes",
    {"id": "bigint", "variant_id": "bigint", "product_id": "bigint", "size_id": "bigint", "size_name": "text",
     "size_chart_id": "bigint", "size_number": "text", "sku": "text", "ean": "text", "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
)
DISPLAYS = TableSpec(
    "displays",
    {"market_id": "bigint", "id": "bigint", "product_id": "bigint", "name": "text", "status": "text",
     "updated_at": "timestamptz"},
    key=("market_id", "id"), updated_at="updated_at",
)
PRICES = TableSpec(  # one row per pricelist, not per market showing it (docs/warehouse.md)
    "prices",
    {"display_id": "bigint", "product_id": "bigint", "pricelist_id": "bigint",
     "price": MONEY, "currency_code": "text", "updated_at": "timestamptz"},
    key=("display_id", "pricelist_id"), updated_at="updated_at",
)

# --- stock group: snapshots; a later snapshot replaces an earlier one ----------------------------
STOCK_LEVELS = TableSpec(
    "stock_levels",
    {"warehouse_id": "bigint", "size_id": "bigint", "physical": "bigint", "allocated": "bigint",
     "free_to_allocate": "bigint", "observed_at": "timestamptz"},
    key=("warehouse_id", "size_id"), updated_at="observed_at",
)

# --- customers group: daily change windows by updatedAt (partition = UTC day of updated_at) -------
CUSTOMERS = TableSpec(
    "customers",
    {"id": "bigint", "store_id": "bigint", "status": "text", "email": "text", "first_name": "text",
     "last_name": "text", "is_registered": "boolean", "total_orders": "bigint", "created_at": "timestamptz",
     "updated_at": "timestamptz", "partition": "text"},
    key=("id",), updated_at="updated_at", partition="partition",
)
CUSTOMER_EMAILS = TableSpec(
    "customer_emails",
    {"customer_id": "bigint", "email": "text", "valid_from": "timestamptz", "valid_to": "timestamptz",
     "updated_at": "timestamptz", "partition": "text"},
    key=("customer_id", "email", "valid_from"), updated_at="updated_at", partition="partition",
)
CUSTOMER_IDENTITIES = TableSpec(
    "customer_identities",
    {"customer_id": "bigint", "identity_id": "bigint", "store_id": "bigint"},
    key=("customer_id",),
)
IDENTITY_MERGES = TableSpec(
    "customer_identity_merges",
    {"identity_id": "bigint", "customer_id": "bigint", "linked_customer_id": "bigint", "reason": "text",
     "evidence_email": "text", "decided_at": "timestamptz"},
    key=("customer_id", "linked_customer_id", "reason"),
)

# --- orders group: daily change windows by the order's updatedAt ---------------------------------
# Money: decimals in the order currency, quantised to its minor units (SEK 2, JPY 0); `*_base` in the
# base currency from Centra's currencyBaseRate. Child rows carry their order's updated_at, so a stale
# page never overwrites rows of a newer order snapshot.
ORDERS = TableSpec(
    "orders",
    {"id": "text", "number": "bigint", "order_type": "text", "centra_status": "text", "status": "text",
     "is_on_hold": "boolean", "is_waiting_for_payment": "boolean", "store_id": "bigint", "market_id": "bigint",
     "pricelist_id": "bigint", "customer_id": "bigint", "account_id": "bigint", "country": "text",
     "currency": "text", "lines_total": MONEY, "shipping": MONEY, "handling": MONEY, "discounts": MONEY,
     "grand_total": MONEY, "base_currency": "text", "grand_total_base": MONEY, "currency_base_rate": "double",
     "order_date": "timestamptz", "created_at": "timestamptz", "updated_at": "timestamptz", "partition": "text"},
    key=("id",), updated_at="updated_at", partition="partition",
)
ORDER_LINES = TableSpec(
    "order_lines",
    {"id": "bigint", "order_id": "text", "order_number": "bigint", "product_id": "bigint", "variant_id": "bigint",
     "size_id": "bigint", "sku": "text", "quantity": "bigint", "cancelled_quantity": "bigint",
     "shipped_quantity": "bigint", "returned_quantity": "bigint", "currency": "text", "unit_price": MONEY,
     "unit_original_price": MONEY, "line_value": MONEY, "line_value_base": MONEY, "tax_percent": "double",
     "discount_percent": "double", "order_updated_at": "timestamptz", "partition": "text"},
    key=("id",), updated_at="order_updated_at", partition="partition",
)
SHIPMENTS = TableSpec(
    "shipments",
    {"id": "bigint", "number": "text", "order_id": "text", "order_number": "bigint", "status": "text",
     "is_good_to_go": "boolean", "is_shipped": "boolean", "is_paid": "boolean", "is_captured": "boolean",
     "is_on_hold": "boolean", "tracking_number": "text", "currency": "text", "grand_total": MONEY,
     "grand_total_base": MONEY, "currency_base_rate": "double", "shipped_at": "timestamptz",
     "created_at": "timestamptz", "updated_at": "timestamptz", "order_updated_at": "timestamptz",
     "partition": "text"},
    key=("id",), updated_at="order_updated_at", partition="partition",
)
APPLIED_VOUCHERS = TableSpec(
    "applied_vouchers",
    {"order_id": "text", "position": "integer", "order_number": "bigint", "kind": "text", "voucher_id": "bigint",
     "voucher_name": "text", "code": "text", "currency": "text", "amount": MONEY, "amount_base": MONEY,
     "applied_at": "timestamptz", "order_updated_at": "timestamptz", "partition": "text"},
    key=("order_id", "position"), updated_at="order_updated_at", partition="partition",
)
# Centra's Return has no updatedAt: returns are windowed by created_at (their partition), and a
# re-pull replaces the row (last write wins).
RETURNS = TableSpec(
    "returns",
    {"id": "bigint", "return_type": "text", "order_id": "text", "order_number": "bigint", "shipment_id": "bigint",
     "store_id": "bigint", "centra_status": "text", "centra_return_status": "text", "status": "text",
     "refund_status": "text", "total_quantity": "bigint", "returned_to_stock": "boolean", "currency": "text",
     "grand_total": MONEY, "grand_total_base": MONEY, "refunded": MONEY, "refunded_base": MONEY,
     "refunded_at": "timestamptz", "currency_base_rate": "double", "created_at": "timestamptz",
     "partition": "text"},
    key=("id",), partition="partition",
)

# --- promotions group: full pull ------------------------------------------------------------------
VOUCHERS = TableSpec(
    "vouchers",
    {"id": "bigint", "status": "text", "name": "text", "code": "text", "store_id": "bigint",
     "start_at": "timestamptz", "stop_at": "timestamptz", "max_usages": "bigint", "successful_usages": "bigint"},
    key=("id",),
)

# --- real time: ledgers of what the webhook and event-queue runs applied (defs/realtime) ---------
# Written in the transaction of the rows a call or event led to, so "in the ledger" means "applied":
# a redelivered call (same body) or event (same id) is recognised and not applied twice.
WEBHOOK_CALLS = TableSpec(
    "webhook_calls",
    {"file_name": "text", "body_sha256": "text", "received_at": "timestamptz", "outcome": "text",
     "reason": "text", "events": "json", "run_id": "text", "processed_at": "timestamptz"},
    key=("file_name",),
)
CENTRA_EVENTS = TableSpec(
    "centra_events",
    {"id": "bigint", "object_type": "text", "change_type": "text", "reference": "bigint",
     "created_at": "timestamptz", "run_id": "text", "applied_at": "timestamptz"},
    key=("id",),
)
