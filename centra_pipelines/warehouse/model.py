"""The warehouse data model: every synced table's spec (DESIGN.md section 4), in one place."""

from __future__ import annotations

from centra_pipelines.warehouse.tables import TableSpec

MONEY = "decimal(18,4)"

# --- markets group: reference data, full pulls (no change time: the last write wins) -------------
STORES = TableSpec(
    "stores", {"id": "bigint", "name": "text", "type": "text"}, key=("id",),
    descriptions={
        "id": "Centra store id.",
        "name": "Store name in Centra.",
        "type": "DIRECT_TO_CONSUMER or WHOLESALE.",
    },
)
MARKETS = TableSpec(
    "markets",
    {"id": "bigint", "name": "text", "comment": "text", "store_id": "bigint", "country_codes": "json",
     "allocation_rule_id": "bigint", "is_active": "boolean", "looks_like_test": "boolean", "selected": "boolean"},
    key=("id",),
    descriptions={
        "id": "Centra market id.",
        "name": "Market name in Centra.",
        "comment": "Free-text comment from the Centra admin.",
        "store_id": "Store the market belongs to (stores.id).",
        "country_codes": "ISO 3166 codes of the countries assigned to the market.",
        "allocation_rule_id": "Allocation rule that decides which warehouses serve the market.",
        'is_active': "Whether the market sells (it has an active pricelist), as judged from Centra's data.",
        "looks_like_test": "The name looks like a test market (test, demo, qa…); such markets are not synced "
                           "unless allowed.",
        'selected': "Whether this project syncs the market's prices and displays (configuration: CENTRA_MARKETS).",
    },
)
PRICELISTS = TableSpec(
    "pricelists",
    {"id": "bigint", "name": "text", "status": "text", "currency_code": "text", "store_id": "bigint",
     "country_codes": "json", "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
    descriptions={
        "id": "Centra pricelist id.",
        "name": "Pricelist name in Centra.",
        "status": "Pricelist status in Centra (ACTIVE, INACTIVE…).",
        'currency_code': "ISO 4217 currency of the pricelist's prices.",
        "store_id": "Store the pricelist belongs to (stores.id).",
        "country_codes": "ISO 3166 codes of the countries the pricelist serves.",
        'updated_at': "Centra's updatedAt of the pricelist (UTC).",
    },
)
WAREHOUSES = TableSpec(
    "warehouses",
    {"id": "bigint", "name": "text", "status": "text", "stock_master": "text", "allocation_policy": "text",
     "country_code": "text", "selected": "boolean"},
    key=("id",),
    descriptions={
        "id": "Centra warehouse id.",
        "name": "Warehouse name in Centra.",
        "status": "Warehouse status in Centra (ACTIVE, INACTIVE).",
        'stock_master': "Which system masters this warehouse's stock (Centra or an external one).",
        "allocation_policy": "How Centra allocates orders to this warehouse.",
        "country_code": "ISO 3166 country of the warehouse.",
        'selected': "Whether this project syncs the warehouse's stock (configuration: CENTRA_WAREHOUSES).",
    },
)
CURRENCIES = TableSpec(
    "currencies", {"id": "bigint", "code": "text", "name": "text", "is_base": "boolean"}, key=("id",),
    descriptions={
        "id": "Centra currency id.",
        "code": "ISO 4217 code.",
        "name": "Currency name.",
        'is_base': "Whether this is the store's base currency (the *_base amounts are in it).",
    },
)
LANGUAGES = TableSpec(
    "languages",
    {"id": "bigint", "name": "text", "code": "text", "language_code": "text", "country_code": "text",
     "is_active": "boolean"},
    key=("id",),
    descriptions={
        "id": "Centra language id.",
        "name": "Language name.",
        'code': "Centra's language code.",
        "language_code": "ISO 639 language code.",
        "country_code": "ISO 3166 country of the locale, if any.",
        "is_active": "Whether the language is active in Centra.",
    },
)
COUNTRIES = TableSpec(
    "countries", {"id": "bigint", "code": "text", "name": "text", "is_eu": "boolean"}, key=("id",),
    descriptions={
        "id": "Centra country id.",
        "code": "ISO 3166 alpha-2 code.",
        "name": "Country name.",
        "is_eu": "Whether the country is in the EU (VAT rules).",
    },
)

# --- catalog group -------------------------------------------------------------------------------
SIZE_CHARTS = TableSpec(
    "size_charts", {"id": "bigint", "name": "text", "sizes": "json"}, key=("id",),
    descriptions={
        "id": "Centra size chart id.",
        "name": "Size chart name.",
        'sizes': "The chart's sizes in order: [{id, name}].",
    },
)
PRODUCTS = TableSpec(
    "products",
    {"id": "bigint", "name": "text", "status": "text", "product_number": "text", "is_bundle": "boolean",
     "size_chart_id": "bigint", "brand_id": "bigint", "collection_id": "bigint", "folder_id": "bigint",
     "created_at": "timestamptz", "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
    descriptions={
        'brand_id': 'Brand (brands.id).',
        'collection_id': 'Collection (collections.id).',
        'folder_id': 'Folder (folders.id).',
        "id": "Centra product id.",
        "name": "Product name.",
        "status": "Product status in Centra (ACTIVE, INACTIVE, CANCELLED).",
        'product_number': "The brand's product number (the start of every SKU).",
        "is_bundle": "Whether the product is a bundle of other products.",
        "size_chart_id": "Size chart of the product (size_charts.id).",
        "created_at": "When the product was created in Centra (UTC).",
        'updated_at': "Centra's updatedAt of the product (UTC).",
    },
)
VARIANTS = TableSpec(
    "variants",
    {"id": "bigint", "product_id": "bigint", "name": "text", "status": "text", "variant_number": "text",
     "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
    descriptions={
        "id": "Centra variant id.",
        "product_id": "Product of the variant (products.id).",
        "name": "Variant name (usually the colour).",
        "status": "Variant status in Centra.",
        'variant_number': "The brand's variant number (the middle of the SKU).",
        'updated_at': "Centra's updatedAt of the variant (UTC).",
    },
)
SIZES = TableSpec(
    "sizes",
    {"id": "bigint", "variant_id": "bigint", "product_id": "bigint", "size_id": "bigint", "size_name": "text",
     "size_chart_id": "bigint", "size_number": "text", "sku": "text", "ean": "text", "updated_at": "timestamptz"},
    key=("id",), updated_at="updated_at",
    descriptions={
        "id": "Centra product size id (one size of one variant: the sellable item).",
        "variant_id": "Variant of the size (variants.id).",
        "product_id": "Product of the size (products.id).",
        'size_id': "Size in the size chart (the chart's size id).",
        "size_name": "Size name (S, M, 42…).",
        "size_chart_id": "Size chart the size comes from (size_charts.id).",
        'size_number': "The brand's size number (the end of the SKU).",
        "sku": "Stock keeping unit: product number + variant number + size number.",
        "ean": "EAN/GTIN barcode (check digit validated by the contract).",
        'updated_at': "Centra's updatedAt of the size, or of its variant (UTC).",
    },
)
DISPLAYS = TableSpec(
    "displays",
    {"market_id": "bigint", "id": "bigint", "product_id": "bigint", "name": "text", "status": "text",
     "updated_at": "timestamptz", "category_id": "bigint", "category_name": "text"},
    key=("market_id", "id"), updated_at="updated_at",
    descriptions={
        'market_id': "Market the display is shown in (markets.id); a display shown in several has a row for each.",
        "category_id": "The display's canonical category (categories.id).",
        "category_name": "Name of the canonical category.",
        "id": "Centra display id.",
        "product_id": "Product shown (products.id).",
        "name": "Display name (what the shop shows).",
        "status": "Display status in Centra.",
        'updated_at': "Centra's updatedAt of the display (UTC).",
    },
)
PRICES = TableSpec(  # one row per pricelist, not per market showing it (docs/warehouse.md)
    "prices",
    {"display_id": "bigint", "product_id": "bigint", "pricelist_id": "bigint",
     "price": MONEY, "currency_code": "text", "updated_at": "timestamptz"},
    key=("display_id", "pricelist_id"), updated_at="updated_at",
    descriptions={
        "display_id": "Display the price is for (displays.id).",
        "product_id": "Product priced (products.id).",
        "pricelist_id": "Pricelist the price comes from (pricelists.id).",
        "price": "Price in the pricelist currency, quantised to its minor units.",
        "currency_code": "ISO 4217 currency of the price.",
        'updated_at': "Centra's updatedAt of the display the price was read with (UTC).",
    },
)

# Images and translations ride on their product's page and carry its updatedAt (the conflict rule).
PRODUCT_MEDIA = TableSpec(
    "product_media",
    {"id": "bigint", "product_id": "bigint", "position": "integer", "url": "text", "mime_type": "text",
     "size_name": "text", "max_width": "integer", "max_height": "integer", "product_updated_at": "timestamptz"},
    key=("id",), updated_at="product_updated_at",
    descriptions={
        'id': 'Centra media id.',
        'product_id': 'Product (products.id).',
        'position': 'Order of the image on the product.',
        'url': 'Image URL.',
        'mime_type': 'MIME type.',
        'size_name': 'Media size name.',
        'max_width': 'Width in pixels.',
        'max_height': 'Height in pixels.',
        'product_updated_at': 'updatedAt of the product (UTC).',
    },
)
TRANSLATIONS = TableSpec(
    "translations",
    {"object_type": "text", "object_id": "bigint", "field": "text", "language_code": "text", "value": "text",
     "object_updated_at": "timestamptz"},
    key=("object_type", "object_id", "field", "language_code"), updated_at="object_updated_at",
    descriptions={
        'object_type': 'What is translated (product).',
        'object_id': 'Its Centra id.',
        'field': 'Translated field (name, description…).',
        'language_code': 'Language code.',
        'value': 'Translated text.',
        'object_updated_at': 'updatedAt of the object (UTC).',
    },
)
# A display's categories (Centra links categories to displays, not to products), with its market's partition.
PRODUCT_CATEGORIES = TableSpec(
    "product_categories",
    {"display_id": "bigint", "category_id": "bigint", "product_id": "bigint", "is_canonical": "boolean",
     "display_updated_at": "timestamptz"},
    key=("display_id", "category_id"), updated_at="display_updated_at",
    descriptions={
        'display_id': 'Display the category is linked to (displays.id).',
        'category_id': 'Category (categories.id).',
        'product_id': 'Product of the display.',
        'is_canonical': "The display's canonical category.",
        'display_updated_at': 'updatedAt of the display (UTC).',
    },
)

# --- catalog structure: full pulls of small lists (no change time: the last write wins) ----------
BRANDS = TableSpec("brands", {"id": "bigint", "name": "text"}, key=("id",),
    descriptions={
        'id': 'Centra brand id.',
        'name': 'Brand name.',
    },
)
COLLECTIONS = TableSpec("collections", {"id": "bigint", "name": "text", "uri": "text", "status": "text"}, key=("id",),
    descriptions={
        'id': 'Centra collection id.',
        'name': 'Collection name.',
        'uri': 'Collection URI.',
        'status': 'Collection status.',
    },
)
# Trees: Centra lists every node flat with its children; parent, path (names from the root, " > ") and
# depth are derived. A node in a cycle has no path.
FOLDERS = TableSpec(
    "folders", {"id": "bigint", "name": "text", "parent_id": "bigint", "path": "text", "depth": "integer"},
    key=("id",),
    descriptions={
        'id': 'Centra folder id.',
        'name': 'Folder name.',
        'parent_id': 'Parent folder (derived); NULL for a root.',
        'path': "Names from the root, ' > '-separated.",
        'depth': '0 for a root.',
    },
)
CATEGORIES = TableSpec(
    "categories",
    {"id": "bigint", "name": "text", "uri": "text", "meta_description": "text", "parent_id": "bigint",
     "path": "text", "depth": "integer"},
    key=("id",),
    descriptions={
        'id': 'Centra category id.',
        'name': 'Category name.',
        'uri': 'Category URI.',
        'meta_description': 'Meta description.',
        'parent_id': 'Parent category (derived from childCategories); NULL for a root.',
        'path': "Names from the root, ' > '-separated; NULL in a cycle.",
        'depth': '0 for a root; NULL in a cycle.',
    },
)

# --- wholesale: accounts (full pull), buyers (from wholesale orders, newest order wins) -----------
ACCOUNTS = TableSpec(
    "accounts",
    {"id": "bigint", "name": "text", "website_url": "text", "sales_representative_id": "bigint",
     "sales_representative_name": "text", "payment_terms": "text", "shipping_terms": "text"},
    key=("id",),
    descriptions={
        'id': 'Centra wholesale account id.',
        'name': 'Account (customer company) name.',
        'website_url': "The account's website.",
        'sales_representative_id': 'Sales representative of the account (Centra id).',
        'sales_representative_name': "Sales representative's name.",
        'payment_terms': 'Payment terms agreed with the account.',
        'shipping_terms': 'Shipping terms agreed with the account.',
    },
)
BUYERS = TableSpec(
    "buyers",
    {"id": "bigint", "account_id": "bigint", "first_name": "text", "last_name": "text", "email": "text",
     "order_updated_at": "timestamptz"},
    key=("id",), updated_at="order_updated_at",
    descriptions={
        'id': 'Centra buyer id.',
        'account_id': 'Wholesale account the buyer orders for (accounts.id).',
        'first_name': "Buyer's first name (personal data).",
        'last_name': "Buyer's last name (personal data).",
        'email': "Buyer's e-mail (personal data).",
        'order_updated_at': 'updatedAt of the newest order the buyer was read from (UTC).',
    },
)

# --- stock group: snapshots; a later snapshot replaces an earlier one ----------------------------
STOCK_LEVELS = TableSpec(
    "stock_levels",
    {"warehouse_id": "bigint", "size_id": "bigint", "physical": "bigint", "allocated": "bigint",
     "free_to_allocate": "bigint", "observed_at": "timestamptz"},
    key=("warehouse_id", "size_id"), updated_at="observed_at",
    descriptions={
        'warehouse_id': "Warehouse (warehouses.id); the table's Dagster partition.",
        "size_id": "Product size (sizes.id).",
        "physical": "Units physically in the warehouse.",
        "allocated": "Units allocated to orders not yet shipped.",
        "free_to_allocate": "Units that can still be sold: physical minus allocated.",
        "observed_at": "When this snapshot was read from Centra (UTC).",
    },
)

# --- customers group: daily change windows by updatedAt (partition = UTC day of updated_at) -------
CUSTOMERS = TableSpec(
    "customers",
    {"id": "bigint", "store_id": "bigint", "status": "text", "email": "text", "first_name": "text",
     "last_name": "text", "total_orders": "bigint", "created_at": "timestamptz",
     "updated_at": "timestamptz", "partition": "text"},
    key=("id",), updated_at="updated_at", partition="partition",
    descriptions={
        "id": "Centra customer id (one e-mail may belong to two customers: guest and registered).",
        "store_id": "Store of the customer (stores.id).",
        "status": "Customer status in Centra.",
        "email": "Current e-mail address (personal data).",
        "first_name": "First name (personal data).",
        "last_name": "Last name (personal data).",
        "total_orders": "Number of orders Centra counts for the customer.",
        "created_at": "When the customer was created in Centra (UTC).",
        'updated_at': "Centra's updatedAt of the customer (UTC).",
        "partition": "Dagster partition: the UTC day (YYYY-MM-DD) of the change window the row was synced in.",
    },
)
CUSTOMER_IDENTITIES = TableSpec(
    "customer_identities",
    {"customer_id": "bigint", "identity_id": "bigint", "store_id": "bigint"},
    key=("customer_id",),
    descriptions={
        "customer_id": "Customer (customers.id).",
        "identity_id": "The person: the lowest customer id of the customers resolved to be one.",
        "store_id": "Store of the customer (stores.id).",
    },
)
IDENTITY_MERGES = TableSpec(
    "customer_identity_merges",
    {"identity_id": "bigint", "customer_id": "bigint", "linked_customer_id": "bigint", "reason": "text",
     "evidence_email": "text", "decided_at": "timestamptz"},
    key=("customer_id", "linked_customer_id", "reason"),
    descriptions={
        "identity_id": "The identity the decision is about (customer_identities.identity_id).",
        "customer_id": "Customer linked (customers.id).",
        "linked_customer_id": "The other customer (customers.id).",
        "reason": "Why they were linked: same_email (both hold the address now) or order_email (an order carried it).",
        "evidence_email": "The e-mail address the decision rests on (personal data).",
        "decided_at": "When the decision was made (UTC).",
    },
)

# --- orders group: daily change windows by the order's updatedAt ---------------------------------
# Money: decimals in the order currency, quantised to its minor units (SEK 2, JPY 0); `*_base` in the
# base currency from Centra's currencyBaseRate, each amount converted and rounded on its own (sums of
# them are what reports add up). Child rows carry their order's updated_at, so a stale
# page never overwrites rows of a newer order snapshot.
ORDERS = TableSpec(
    "orders",
    {"id": "text", "number": "bigint", "order_type": "text", "centra_status": "text", "status": "text",
     "is_on_hold": "boolean", "store_id": "bigint", "market_id": "bigint",
     "pricelist_id": "bigint", "customer_id": "bigint", "account_id": "bigint", "country": "text",
     "billing_email": "text", "currency": "text", "lines_total": MONEY, "shipping": MONEY, "handling": MONEY, "discounts": MONEY,
     "grand_total": MONEY, "base_currency": "text", "grand_total_base": MONEY, "currency_base_rate": "double",
     "order_date": "timestamptz", "created_at": "timestamptz", "updated_at": "timestamptz", "partition": "text",
     "tax_included": MONEY, "tax_added": MONEY, "lines_total_base": MONEY, "shipping_base": MONEY,
     "handling_base": MONEY, "discounts_base": MONEY, "tax_included_base": MONEY, "tax_added_base": MONEY},
    key=("id",), updated_at="updated_at", partition="partition",
    descriptions={
        'tax_included': 'Tax included in the prices (order currency).',
        'tax_added': 'Tax added on top of the prices (order currency).',
        'lines_total_base': 'lines_total in the base currency.',
        'shipping_base': 'shipping in the base currency.',
        'handling_base': 'handling in the base currency.',
        'discounts_base': 'discounts in the base currency.',
        'tax_included_base': 'tax_included in the base currency.',
        'tax_added_base': 'tax_added in the base currency.',
        "id": "Centra order id (32 hex characters).",
        "number": "Order number as the customer and the Centra admin see it.",
        "order_type": "DirectToConsumerOrder or WholesaleOrder.",
        "centra_status": "Order status as Centra has it.",
        "status": "Status after the mapping file (NULL: unmapped, reported by a check).",
        "is_on_hold": "Whether the order is on hold.",
        "billing_email": "E-mail on the order's billing address at checkout (personal data; links e-mail changes).",
        "store_id": "Store (stores.id).",
        "market_id": "Market the order was placed in (markets.id).",
        "pricelist_id": "Pricelist of the order (pricelists.id).",
        "customer_id": "Customer (customers.id); NULL for wholesale.",
        "account_id": "Wholesale account id; NULL for DTC.",
        "country": "ISO 3166 country of the order (shipping address); required by the contract.",
        'currency': "ISO 4217 currency of the order's amounts.",
        "lines_total": "Sum of the lines, in the order currency.",
        "shipping": "Shipping charged, in the order currency.",
        "handling": "Handling charged, in the order currency.",
        "discounts": "Discounts, in the order currency.",
        "grand_total": "What the customer pays, in the order currency.",
        'base_currency': "The store's base currency (ISO 4217).",
        'grand_total_base': "grand_total in the base currency (Centra's conversion rate).",
        'currency_base_rate': "Centra's rate from the order currency to the base currency.",
        "order_date": "When the order was placed (UTC).",
        "created_at": "When the order was created in Centra (UTC).",
        'updated_at': "Centra's updatedAt of the order (UTC).",
        "partition": "Dagster partition: the UTC day (YYYY-MM-DD) of the change window the row was synced in.",
    },
)
ORDER_LINES = TableSpec(
    "order_lines",
    {"id": "bigint", "order_id": "text", "order_number": "bigint", "product_id": "bigint", "variant_id": "bigint",
     "size_id": "bigint", "sku": "text", "quantity": "bigint", "cancelled_quantity": "bigint",
     "shipped_quantity": "bigint", "returned_quantity": "bigint", "currency": "text", "unit_price": MONEY,
     "unit_original_price": MONEY, "line_value": MONEY, "line_value_base": MONEY, "tax_percent": "double",
     "discount_percent": "double", "taxable_value": MONEY, "tax_amount": MONEY,
     "order_updated_at": "timestamptz", "partition": "text"},
    key=("id",), updated_at="order_updated_at", partition="partition",
    descriptions={
        'taxable_value': 'Line value without tax (order currency).',
        'tax_amount': 'Line tax: value with tax minus taxable value.',
        "id": "Centra order line id.",
        "order_id": "Order (orders.id).",
        "order_number": "Order number (orders.number).",
        "product_id": "Product (products.id).",
        "variant_id": "Variant (variants.id).",
        "size_id": "Product size (sizes.id).",
        "sku": "SKU of the item sold.",
        "quantity": "Units ordered.",
        "cancelled_quantity": "Units cancelled.",
        "shipped_quantity": "Units shipped.",
        "returned_quantity": "Units returned.",
        "currency": "ISO 4217 currency of the amounts.",
        "unit_price": "Price per unit paid, in the order currency.",
        "unit_original_price": "Price per unit before discounts, in the order currency.",
        "line_value": "Value of the line, in the order currency.",
        "line_value_base": "line_value in the base currency.",
        "tax_percent": "Tax rate of the line, in percent.",
        "discount_percent": "Discount of the line, in percent.",
        "order_updated_at": "updatedAt of the order this row was read with (UTC); the conflict rule compares it.",
        "partition": "Dagster partition: the UTC day (YYYY-MM-DD) of the change window the row was synced in.",
    },
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
    descriptions={
        "id": "Centra shipment id.",
        "number": "Shipment number (order number and a suffix).",
        "order_id": "Order (orders.id).",
        "order_number": "Order number (orders.number).",
        "status": "Shipment status after the mapping file.",
        "is_good_to_go": "Whether the shipment is ready to ship.",
        "is_shipped": "Whether it has shipped.",
        "is_paid": "Whether it is paid.",
        "is_captured": "Whether the payment was captured.",
        "is_on_hold": "Whether it is on hold.",
        "tracking_number": "Carrier tracking number.",
        "currency": "ISO 4217 currency of the amounts.",
        "grand_total": "Value of the shipment, in the order currency.",
        "grand_total_base": "grand_total in the base currency.",
        'currency_base_rate': "Centra's rate from the order currency to the base currency.",
        "shipped_at": "When it shipped (UTC).",
        "created_at": "When the shipment was created (UTC).",
        'updated_at': "Centra's updatedAt of the shipment (UTC).",
        "order_updated_at": "updatedAt of the order this row was read with (UTC); the conflict rule compares it.",
        "partition": "Dagster partition: the UTC day (YYYY-MM-DD) of the change window the row was synced in.",
    },
)
APPLIED_VOUCHERS = TableSpec(
    "applied_vouchers",
    {"order_id": "text", "position": "integer", "order_number": "bigint", "kind": "text", "voucher_id": "bigint",
     "voucher_name": "text", "code": "text", "currency": "text", "amount": MONEY, "amount_base": MONEY,
     "applied_at": "timestamptz", "order_updated_at": "timestamptz", "partition": "text"},
    key=("order_id", "position"), updated_at="order_updated_at", partition="partition",
    descriptions={
        "order_id": "Order (orders.id).",
        'position': "Position of the voucher among the order's discounts (1, 2…).",
        "order_number": "Order number (orders.number).",
        "kind": "What the voucher applied to (order, line, shipping…).",
        "voucher_id": "Voucher (vouchers.id).",
        "voucher_name": "Voucher name.",
        "code": "Code the customer entered, if any.",
        "currency": "ISO 4217 currency of the amount.",
        "amount": "Discount given, in the order currency.",
        "amount_base": "amount in the base currency.",
        "applied_at": "When the voucher was applied (UTC).",
        "order_updated_at": "updatedAt of the order this row was read with (UTC); the conflict rule compares it.",
        "partition": "Dagster partition: the UTC day (YYYY-MM-DD) of the change window the row was synced in.",
    },
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
    descriptions={
        "id": "Centra return id.",
        "return_type": "Kind of return in Centra.",
        "order_id": "Order (orders.id).",
        "order_number": "Order number (orders.number).",
        "shipment_id": "Shipment returned from (shipments.id).",
        "store_id": "Store (stores.id).",
        "centra_status": "Return status as Centra has it.",
        'centra_return_status': "Centra's return-processing status.",
        "status": "Return status after the mapping file.",
        "refund_status": "Refund status after the mapping file.",
        "total_quantity": "Units returned.",
        "returned_to_stock": "Whether the units went back to stock.",
        "currency": "ISO 4217 currency of the amounts.",
        "grand_total": "Value returned, in the order currency.",
        "grand_total_base": "grand_total in the base currency.",
        "refunded": "Amount refunded, in the order currency.",
        "refunded_base": "refunded in the base currency.",
        "refunded_at": "When the refund was made (UTC).",
        'currency_base_rate': "Centra's rate from the order currency to the base currency.",
        "created_at": "When the return was created (UTC); returns are windowed by it.",
        "partition": "Dagster partition: the UTC day (YYYY-MM-DD) the return was created.",
    },
)

# A return's lines: which order line and shipment line each returns (ReturnLine's own id and quantity
# are unconfirmed in Centra's public schema, so a line is keyed by its position in the return).
RETURN_LINES = TableSpec(
    "return_lines",
    {"return_id": "bigint", "position": "integer", "order_line_id": "bigint", "shipment_line_id": "bigint",
     "partition": "text"},
    key=("return_id", "position"), partition="partition",
    descriptions={
        'return_id': 'Return (returns.id).',
        'position': "Position of the line in the return (its key: Centra's line id is unconfirmed).",
        'order_line_id': 'Order line returned (order_lines.id).',
        'shipment_line_id': 'Shipment line returned.',
        'partition': "UTC day of the return's createdAt.",
    },
)

# --- promotions group: full pull ------------------------------------------------------------------
VOUCHERS = TableSpec(
    "vouchers",
    {"id": "bigint", "status": "text", "name": "text", "code": "text", "store_id": "bigint",
     "start_at": "timestamptz", "stop_at": "timestamptz", "max_usages": "bigint", "successful_usages": "bigint"},
    key=("id",),
    descriptions={
        "id": "Centra voucher id.",
        "status": "Voucher status in Centra.",
        "name": "Voucher name.",
        "code": "Code customers enter, if any.",
        "store_id": "Store (stores.id).",
        "start_at": "When the voucher starts to apply (UTC).",
        "stop_at": "When it stops (UTC).",
        "max_usages": "How many times it may be used; NULL: unlimited.",
        "successful_usages": "How many times it was used.",
    },
)

# --- real time: ledgers of what the webhook and event-queue runs applied (defs/realtime) ---------
# Written in the transaction of the rows a call or event led to, so "in the ledger" means "applied":
# a redelivered call (same body) or event (same id) is recognised and not applied twice.
WEBHOOK_CALLS = TableSpec(
    "webhook_calls",
    {"file_name": "text", "body_sha256": "text", "received_at": "timestamptz", "outcome": "text",
     "reason": "text", "events": "json", "run_id": "text", "processed_at": "timestamptz"},
    key=("file_name",),
    descriptions={
        "file_name": "Landing file of the call (<receivedAt>-<uuid>.json).",
        "body_sha256": "SHA-256 of the raw body: a redelivered call is recognised by it.",
        "received_at": "When the receiver accepted the call (UTC).",
        "outcome": "What processing did: processed, duplicate or rejected.",
        "reason": "Why a call was rejected.",
        "events": "The Centra events the call carried.",
        "run_id": "Dagster run that processed the call.",
        "processed_at": "When it was processed (UTC).",
    },
)
CENTRA_EVENTS = TableSpec(
    "centra_events",
    {"id": "bigint", "object_type": "text", "change_type": "text", "reference": "bigint",
     "created_at": "timestamptz", "run_id": "text", "applied_at": "timestamptz"},
    key=("id",),
    descriptions={
        'id': "Centra event id (the event queue's).",
        "object_type": "Type of the changed object (Order, Customer, Product…).",
        "change_type": "CREATED, UPDATED or DELETED.",
        "reference": "Id of the changed object.",
        "created_at": "When Centra recorded the event (UTC).",
        "run_id": "Dagster run that applied the event.",
        "applied_at": "When it was applied (UTC).",
    },
)

# --- analytics: computed in the warehouse from the tables above (warehouse/analytics.py) ---------
# Money in the base currency unless the column names the order currency; days are UTC dates.
SALES_DAILY = TableSpec(
    "sales_daily",
    {"day": "date", "market_id": "bigint", "currency": "text", "channel": "text", "base_currency": "text",
     "orders": "bigint", "units": "bigint", "gross": MONEY, "discounts": MONEY, "tax": MONEY, "shipping": MONEY,
     "grand_total": MONEY, "returns": "bigint", "returned_units": "bigint", "returned": MONEY, "refunded": MONEY,
     "net": MONEY, "gross_base": MONEY, "discounts_base": MONEY, "tax_base": MONEY, "shipping_base": MONEY,
     "grand_total_base": MONEY, "returned_base": MONEY, "refunded_base": MONEY, "net_base": MONEY},
    key=("day", "market_id", "currency", "channel"),
    descriptions={
        'day': 'UTC day of the order.',
        'market_id': 'Market (markets.id).',
        'currency': 'Order currency.',
        'channel': 'dtc or wholesale.',
        'base_currency': "The store's base currency.",
        'orders': 'Counted orders.',
        'units': 'Units sold.',
        'gross': 'Line values (order currency).',
        'discounts': 'Discounts.',
        'tax': 'Tax.',
        'shipping': 'Shipping.',
        'grand_total': 'Grand totals.',
        'returns': 'Returns created that day.',
        'returned_units': 'Units returned.',
        'returned': 'Returned value.',
        'refunded': 'Refunds.',
        'net': 'Grand total minus refunds.',
        'gross_base': 'gross, base currency.',
        'discounts_base': 'discounts, base currency.',
        'tax_base': 'tax, base currency.',
        'shipping_base': 'shipping, base currency.',
        'grand_total_base': 'grand_total, base currency.',
        'returned_base': 'returned, base currency.',
        'refunded_base': 'refunded, base currency.',
        'net_base': 'net, base currency.',
    },
)
CUSTOMER_ORDER_HISTORY = TableSpec(
    "customer_order_history",
    {"identity_id": "bigint", "customers": "bigint", "first_order_at": "timestamptz",
     "last_order_at": "timestamptz", "orders": "bigint", "units": "bigint", "returned_units": "bigint",
     "returns_rate": "double", "base_currency": "text", "gross_base": MONEY, "refunded_base": MONEY,
     "net_base": MONEY, "market_count": "bigint", "markets": "text", "favourite_category_id": "bigint",
     "favourite_category": "text"},
    key=("identity_id",),
    descriptions={
        'identity_id': 'Resolved identity (customer_identities.identity_id).',
        'customers': 'Customer records in the identity.',
        'first_order_at': 'First counted order (UTC).',
        'last_order_at': 'Last counted order (UTC).',
        'orders': 'Counted orders (excluded statuses left out).',
        'units': 'Units bought, cancelled units left out.',
        'returned_units': 'Units returned.',
        'returns_rate': 'Returned units / units bought; NULL without units.',
        'base_currency': "The store's base currency.",
        'gross_base': 'Grand totals in the base currency.',
        'refunded_base': 'Refunds in the base currency.',
        'net_base': 'Gross minus refunds, base currency.',
        'market_count': 'Markets ordered in.',
        'markets': 'Market ids ordered in.',
        'favourite_category_id': 'Category with the most units bought (categories.id).',
        'favourite_category': 'Its name.',
    },
)
CUSTOMER_SEGMENTS = TableSpec(
    "customer_segments",
    {"identity_id": "bigint", "as_of": "date", "recency_days": "bigint", "frequency": "bigint",
     "monetary": MONEY, "r_score": "integer", "f_score": "integer", "m_score": "integer", "rfm": "text",
     "segment": "text", "cohort_month": "date"},
    key=("identity_id",),
    descriptions={
        'identity_id': 'Resolved identity.',
        'as_of': 'Moment the scores were computed for (UTC).',
        'recency_days': 'Days since the last order.',
        'frequency': 'Orders.',
        'monetary': 'Net revenue in the base currency.',
        'r_score': 'Recency score (1 lowest .. bins).',
        'f_score': 'Frequency score.',
        'm_score': 'Monetary score.',
        'rfm': 'The three scores as one code.',
        'segment': 'Named segment (mapping file analytics.segments).',
        'cohort_month': 'Month of the first order.',
    },
)
CUSTOMER_SEGMENT_CHANGES = TableSpec(
    "customer_segment_changes",
    {"identity_id": "bigint", "changed_at": "timestamptz", "as_of": "date", "previous_segment": "text",
     "segment": "text"},
    key=("identity_id", "changed_at"),
    descriptions={
        'identity_id': 'Resolved identity.',
        'changed_at': 'When the change was recorded (UTC).',
        'as_of': 'Scoring moment of the new segment.',
        'previous_segment': 'Segment before; NULL for a new identity.',
        'segment': 'Segment after.',
    },
)
# What each analytics table last computed from each source row (orders, returns, identities): the
# row's synced_at and deleted_at as seen then (an identity row: its identity), and the day and
# identity it counted in, so that the next refresh recomputes exactly the days and identities whose
# rows changed.
ANALYTICS_MARKS = TableSpec(
    "analytics_marks",
    {"consumer": "text", "source": "text", "key": "text", "row_synced_at": "timestamptz",
     "row_deleted_at": "timestamptz", "day": "date", "identity_id": "bigint"},
    key=("consumer", "source", "key"),
    descriptions={
        'consumer': 'Analytics table that counted the row.',
        'source': 'Source table of the row (orders, returns).',
        'key': 'Key of the source row.',
        'row_synced_at': 'synced_at of the row when it was counted.',
        'row_deleted_at': 'deleted_at of the row when it was counted.',
        'day': 'UTC day the row was counted in.',
        'identity_id': 'Identity the row was counted for.',
    },
)
ANALYTICS_TABLES = [SALES_DAILY, CUSTOMER_ORDER_HISTORY, CUSTOMER_SEGMENTS, CUSTOMER_SEGMENT_CHANGES, ANALYTICS_MARKS]
