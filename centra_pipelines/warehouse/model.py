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
PRICES = TableSpec(
    "prices",
    {"market_id": "bigint", "display_id": "bigint", "product_id": "bigint", "pricelist_id": "bigint",
     "price": MONEY, "currency_code": "text", "updated_at": "timestamptz"},
    key=("market_id", "display_id", "pricelist_id"), updated_at="updated_at",
)

# --- stock group: snapshots; a later snapshot replaces an earlier one ----------------------------
STOCK_LEVELS = TableSpec(
    "stock_levels",
    {"warehouse_id": "bigint", "size_id": "bigint", "physical": "bigint", "allocated": "bigint",
     "free_to_allocate": "bigint", "observed_at": "timestamptz"},
    key=("warehouse_id", "size_id"), updated_at="observed_at",
)
