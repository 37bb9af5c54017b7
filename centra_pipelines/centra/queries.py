"""Every GraphQL document the Centra client sends, as module constants.

Kept in one module so a test can collect them all and validate them against the schema the
sandbox serves, strict (confirmed names only) and full. List documents take where/sort as
variables, so the same document serves keyset, id-ordered and windowed pulls; fields whose names
public sources do not confirm are never selected here.
"""

import textwrap

from graphql import get_introspection_query


def _list_page(operation: str, field: str, type_name: str, selection: str) -> str:
    """One page of a plain root list, `where` and `sort` as variables: the same document serves keyset,
    id-ordered and windowed pulls."""
    body = textwrap.dedent(selection).strip()
    body = f"\n{textwrap.indent(body, '    ')}\n  " if "\n" in body else f" {body} "
    return (f"\nquery {operation}($where: {type_name}Filter, $sort: [{type_name}Sort!], $limit: Int, $page: Int) {{\n"
            f"  {field}(where: $where, sort: $sort, limit: $limit, page: $page) {{{body}}}\n}}\n")


def _count(operation: str, field: str, type_name: str) -> str:
    """How many rows of a list match `where` (Centra's `counters`)."""
    return f"\nquery {operation}($where: {type_name}Filter) {{\n  counters {{ {field}(where: $where) }}\n}}\n"


RATE_LIMITS = """
query RateLimits {
  rateLimits { type intervalSeconds quota usedQuota remainingQuota }
}
"""

# One introspection request per client: what each stream's filter, sort and type offer.
CAPABILITIES = """
query Capabilities {
  ProductFilter: __type(name: "ProductFilter") { inputFields { name } }
  ProductSort: __type(name: "ProductSort") { enumValues { name } }
  Product: __type(name: "Product") { fields { name } }
  DisplayFilter: __type(name: "DisplayFilter") { inputFields { name } }
  DisplaySort: __type(name: "DisplaySort") { enumValues { name } }
  Display: __type(name: "Display") { fields { name } }
  CustomerFilter: __type(name: "CustomerFilter") { inputFields { name } }
  CustomerSort: __type(name: "CustomerSort") { enumValues { name } }
  Customer: __type(name: "Customer") { fields { name } }
  OrderFilter: __type(name: "OrderFilter") { inputFields { name } }
  OrderSort: __type(name: "OrderSort") { enumValues { name } }
  Order: __type(name: "Order") { fields { name } }
  ReturnFilter: __type(name: "ReturnFilter") { inputFields { name } }
  ReturnSort: __type(name: "ReturnSort") { enumValues { name } }
  Return: __type(name: "Return") { fields { name } }
  VoucherFilter: __type(name: "VoucherFilter") { inputFields { name } }
  VoucherSort: __type(name: "VoucherSort") { enumValues { name } }
  Voucher: __type(name: "Voucher") { fields { name } }
  MarketFilter: __type(name: "MarketFilter") { inputFields { name } }
  MarketSort: __type(name: "MarketSort") { enumValues { name } }
  Market: __type(name: "Market") { fields { name } }
  PricelistFilter: __type(name: "PricelistFilter") { inputFields { name } }
  PricelistSort: __type(name: "PricelistSort") { enumValues { name } }
  Pricelist: __type(name: "Pricelist") { fields { name } }
  WarehouseFilter: __type(name: "WarehouseFilter") { inputFields { name } }
  WarehouseSort: __type(name: "WarehouseSort") { enumValues { name } }
  Warehouse: __type(name: "Warehouse") { fields { name } }
  StoreFilter: __type(name: "StoreFilter") { inputFields { name } }
  StoreSort: __type(name: "StoreSort") { enumValues { name } }
  Store: __type(name: "Store") { fields { name } }
  CurrencyFilter: __type(name: "CurrencyFilter") { inputFields { name } }
  CurrencySort: __type(name: "CurrencySort") { enumValues { name } }
  Currency: __type(name: "Currency") { fields { name } }
  LanguageFilter: __type(name: "LanguageFilter") { inputFields { name } }
  LanguageSort: __type(name: "LanguageSort") { enumValues { name } }
  Language: __type(name: "Language") { fields { name } }
  CountryFilter: __type(name: "CountryFilter") { inputFields { name } }
  CountrySort: __type(name: "CountrySort") { enumValues { name } }
  Country: __type(name: "Country") { fields { name } }
  SizeChartFilter: __type(name: "SizeChartFilter") { inputFields { name } }
  SizeChartSort: __type(name: "SizeChartSort") { enumValues { name } }
  SizeChart: __type(name: "SizeChart") { fields { name } }
  StockSort: __type(name: "StockSort") { enumValues { name } }
  Stock: __type(name: "Stock") { fields { name } }
  Query: __type(name: "Query") { fields { name args { name } } }
}
"""

# The whole served schema (standard introspection): the doctor and the centra_schema asset compare it
# with what the documents here use.
SCHEMA = get_introspection_query(descriptions=False)

PRODUCT_COUNT = _count("ProductCount", "products", "Product")

# Products nested with variants and sizes, their brand, collection and folder, images (in Centra's order,
# the default source) and translations: one page is one request.
PRODUCTS_PAGE = _list_page("ProductsPage", "products", "Product", """
  id name status productNumber isBundle createdAt updatedAt
  brand { id } collection { id } folder { id }
  media { id source { url mimeType mediaSize { name maxWidth maxHeight } } }
  translations { language { code } fields { field value } }
  variants {
    id name status variantNumber updatedAt
    productSizes { id SKU EAN sizeNumber updatedAt size { id name sizeChart { id } } }
  }
""")

# Ids only: what the id reconciliation compares with the warehouse (cheap: one object per row).
PRODUCT_IDS_PAGE = _list_page("ProductIdsPage", "products", "Product", "id")

DISPLAYS_PAGE = _list_page("DisplaysPage", "displays", "Display", """
  id name status updatedAt
  product { id }
  canonicalCategory { id name }
  categories { id }
  markets { id }
  prices { pricelist { id } price { value currency { code } } }
""")

CUSTOMERS_PAGE = _list_page("CustomersPage", "customers", "Customer", """
  id status email firstName lastName createdAt updatedAt totalOrders
  store { id }
""")

# Order windows: orders with their lines, shipments, applied discounts and payment history, nested,
# so one page of (at most 100) orders is one request. Money carries its currency; dates the store offset.
ORDERS_PAGE = _list_page("OrdersPage", "orders", "Order", """
  __typename id number status isOnHold currencyBaseRate createdAt updatedAt orderDate
  store { id } market { id } pricelist { id } country { code } billingAddress { email }
  grandTotal { value currency { code } }
  totals {
    lineValues { value } shipping { value } handling { value } discounts { value }
    taxIncluded { value } taxAdded { value }
  }
  ... on DirectToConsumerOrder { customer { id } }
  ... on WholesaleOrder { account { id } buyer { id firstName lastName email } }
  lines(includeFullyCancelled: true) {
    id quantity cancelledQuantity shippedQuantity returnedQuantity taxPercent discountPercent
    product { id } productVariant { id } productSize { id SKU }
    unitPrice { value } unitOriginalPrice { value } lineValue { value }
    taxableValue: lineValue(includingTax: false) { value }
  }
  shipments {
    id number isGoodToGo isShipped isPaid isCaptured isOnHold trackingNumber currencyBaseRate
    createdAt updatedAt shippedAt
    grandTotal { value currency { code } }
  }
  discountsApplied {
    __typename date value { value }
    ... on AppliedVoucher { voucherName code voucher { id } }
  }
""")

ORDER_COUNT = _count("OrderCount", "orders", "Order")

CUSTOMER_COUNT = _count("CustomerCount", "customers", "Customer")

# Return has no updatedAt in Centra's schema: returns are windowed by createdAt (ReturnFilter.createdAt),
# and counted through the connection's totalCount (Counters.returns is not confirmed). Return.order is
# confirmed on DirectToConsumerReturn only; a wholesale return names its order through its shipment.
RETURNS_PAGE = _list_page("ReturnsPage", "returns", "Return", """
  __typename id status totalQuantity returnedToStock currencyBaseRate createdAt
  store { id }
  shipment { id }
  ... on DirectToConsumerReturn { order { id number } }
  grandTotal { value currency { code } }
  refundPaymentHistory { id status entryType createdAt value { value } }
  lines { orderLine { id } shipmentLine { id } }
""")

RETURN_COUNT = """
query ReturnCount($where: ReturnFilter) {
  returnConnection(where: $where, first: 1) { totalCount }
}
"""

# The base currency order amounts are converted into (CurrencyFilter.isBase is confirmed).
BASE_CURRENCY = """
query BaseCurrency {
  currencies(where: {isBase: true}) { code }
}
"""

VOUCHERS_PAGE = _list_page("VouchersPage", "vouchers", "Voucher", """
  id status name code startAt stopAt maxUsages successfulUsages
  store { id }
""")

MARKETS_PAGE = _list_page("MarketsPage", "markets", "Market", """
  id name comment
  store { id name }
  assignedToCountries { code }
  allocationRule { id }
""")

PRICELISTS_PAGE = _list_page("PricelistsPage", "pricelists", "Pricelist", """
  id name status updatedAt
  currency { code }
  store { id }
  assignedToCountries { code }
""")

WAREHOUSES_PAGE = _list_page("WarehousesPage", "warehouses", "Warehouse", """
  id name status stockMaster allocationPolicy
  country { code }
""")

# --- wholesale accounts and catalogue structure ------------------------------------------------
# The root lists' names are confirmed, their limit/page arguments are not: each has a paged document,
# used when the served Query field offers both arguments (centra/capabilities.py), and a whole-list one.
# Account has no updatedAt and Centra's public schema no buyers list: buyers come with wholesale orders.
_account_fields = """
  id name websiteUrl
  salesRepresentative { id name email } paymentTerms { id description } shippingTerms { id description }
"""
ACCOUNTS_PAGE = f"""
query AccountsPage($limit: Int, $page: Int) {{ accounts(limit: $limit, page: $page) {{ {_account_fields} }} }}
"""
ACCOUNTS_ALL = f"""
query AccountsAll {{ accounts {{ {_account_fields} }} }}
"""
BRANDS_PAGE = """
query BrandsPage($limit: Int, $page: Int) { brands(limit: $limit, page: $page) { id name } }
"""
BRANDS_ALL = """
query BrandsAll { brands { id name } }
"""
COLLECTIONS_PAGE = """
query CollectionsPage($limit: Int, $page: Int) { collections(limit: $limit, page: $page) { id name uri status } }
"""
COLLECTIONS_ALL = """
query CollectionsAll { collections { id name uri status } }
"""
# Every category, flat; the tree is only in childCategories (a child names no parent).
CATEGORIES_PAGE = """
query CategoriesPage($limit: Int, $page: Int) {
  categories(limit: $limit, page: $page) { id name uri metaDescription childCategories { id } }
}
"""
CATEGORIES_ALL = """
query CategoriesAll { categories { id name uri metaDescription childCategories { id } } }
"""
FOLDERS_PAGE = """
query FoldersPage($limit: Int, $page: Int) { folders(limit: $limit, page: $page) { id name childFolders { id } } }
"""
FOLDERS_ALL = """
query FoldersAll { folders { id name childFolders { id } } }
"""


STORES_PAGE = _list_page("StoresPage", "stores", "Store", "id name type")

CURRENCIES_PAGE = _list_page("CurrenciesPage", "currencies", "Currency", "id code name")

LANGUAGES_PAGE = _list_page("LanguagesPage", "languages", "Language", """
  id name code languageCode countryCode isActive
""")

# No `where`: every CountryFilter field is unconfirmed (absent from a strict schema).
COUNTRIES_PAGE = """
query CountriesPage($sort: [CountrySort!], $limit: Int, $page: Int) {
  countries(sort: $sort, limit: $limit, page: $page) { id name code isEU }
}
"""

SIZE_CHARTS_PAGE = _list_page("SizeChartsPage", "sizeCharts", "SizeChart", "id name sizes { id name }")

# Stock of one warehouse, paged (Warehouse.stock). No `where`: StockFilter's fields are unconfirmed.
WAREHOUSE_STOCK_PAGE = """
query WarehouseStockPage($id: Int!, $sort: [StockSort!], $limit: Int, $page: Int) {
  warehouse(id: $id) {
    stock(sort: $sort, limit: $limit, page: $page) {
      productSize { id }
      physicalQuantity allocatedQuantity freeToAllocateQuantity
    }
  }
}
"""

# --- event queue (Event:read / Event:write) -------------------------------------------------
SET_EVENT_LISTENERS = """
mutation SetEventListeners($input: [EventListenerSetInput!]!) {
  setEventListeners(input: $input) {
    eventListeners { objectType changeTypes }
    userErrors { message path }
  }
}
"""

EVENTS = """
query Events($where: EventFilter, $limit: Int!) {
  events(where: $where, limit: $limit) { id objectType changeType objectReference createdAt }
}
"""

CONFIRM_EVENTS = """
mutation ConfirmEvents($input: EventsConfirmInput!) {
  confirmEvents(input: $input) { userErrors { message path } }
}
"""


# --- real time: re-fetching what a webhook or an event names (defs/realtime) ------------------
# Event object types the served schema knows (several, e.g. Customer and ProductSize, are unconfirmed
# and absent from a strict schema): the consumer listens only to those.
EVENT_OBJECT_TYPES = """
query EventObjectTypes {
  EventObjectType: __type(name: "EventObjectType") { enumValues { name } }
}
"""

# A shipment's order: Shipment.number is "<order number>-<n>" (confirmed); Shipment.order is not.
SHIPMENT_NUMBER = """
query ShipmentNumber($id: Int!) {
  shipment(id: $id) { id number }
}
"""

# One customer by id: `customer(id:)` is confirmed, CustomerFilter.id is not. Same fields as CUSTOMERS_PAGE.
CUSTOMER_BY_ID = """
query CustomerById($id: Int!) {
  customer(id: $id) {
    id status email firstName lastName createdAt updatedAt totalOrders
    store { id }
  }
}
"""

# Stock of some sizes in every warehouse (ProductSizeFilter.id and ProductSize.stock are confirmed).
SIZES_STOCK = """
query SizesStock($where: ProductSizeFilter, $limit: Int, $page: Int) {
  productSizes(where: $where, limit: $limit, page: $page) {
    id
    stock(limit: 200) { warehouse { id } physicalQuantity allocatedQuantity freeToAllocateQuantity }
  }
}
"""


def all_documents() -> dict[str, str]:
    """Every document above, by constant name (for the schema validation test)."""
    return {name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)}
