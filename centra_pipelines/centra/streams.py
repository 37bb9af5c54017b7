"""The list streams the client knows: which document, root field and schema types each relies on."""

from __future__ import annotations

from dataclasses import dataclass

from centra_pipelines.centra import queries


@dataclass(frozen=True)
class Stream:
    name: str
    query: str  # a constant of centra.queries taking $where, $sort, $limit, $page
    field: str  # field holding the rows: a root list, or a dotted path ("warehouse.stock")
    filter_type: str | None  # None: the stream takes no `where`
    sort_type: str | None  # None: the list takes no `sort` (then `whole_query` is set)
    object_type: str
    id_sorts: tuple[str, ...]  # stable id orders, best first (for the id-ordered full pull)
    page_cap: int = 200  # Centra: "Limit must be in range 1 - 200" (orders 1 - 100)
    event_object_type: str | None = None  # event queue object type covering changes in full mode
    incremental: bool = True  # False: always a full pull (small reference lists, vouchers)
    id_key: str = "id"
    # Lists whose limit/page arguments are unconfirmed: the document without them, used when the served
    # schema lacks them (`query` then takes only $limit and $page).
    whole_query: str | None = None
    # A token may lack this list's permission: its asset then warns and loads nothing, the sync goes on.
    optional: bool = False


def _structure(name: str, field: str, object_type: str, paged: str, whole: str) -> Stream:
    return Stream(name, paged, field, None, None, object_type, (), incremental=False, whole_query=whole,
                  optional=True)


STREAMS: dict[str, Stream] = {
    s.name: s
    for s in (
        Stream("products", queries.PRODUCTS_PAGE, "products", "ProductFilter", "ProductSort", "Product",
               ("id_ASC",), event_object_type="Product"),
        Stream("product_ids", queries.PRODUCT_IDS_PAGE, "products", "ProductFilter", "ProductSort", "Product",
               ("id_ASC",), incremental=False),
        Stream("displays", queries.DISPLAYS_PAGE, "displays", "DisplayFilter", "DisplaySort", "Display",
               ("id_ASC",), event_object_type="Display"),
        Stream("customers", queries.CUSTOMERS_PAGE, "customers", "CustomerFilter", "CustomerSort", "Customer",
               ("id_ASC",), event_object_type="Customer"),
        Stream("orders", queries.ORDERS_PAGE, "orders", "OrderFilter", "OrderSort", "Order",
               ("number_ASC", "id_ASC"), page_cap=100, event_object_type="Order"),
        Stream("returns", queries.RETURNS_PAGE, "returns", "ReturnFilter", "ReturnSort", "Return",
               ("id_ASC",), event_object_type="Return"),
        Stream("vouchers", queries.VOUCHERS_PAGE, "vouchers", "VoucherFilter", "VoucherSort", "Voucher",
               ("id_ASC",), incremental=False),
        Stream("markets", queries.MARKETS_PAGE, "markets", "MarketFilter", "MarketSort", "Market",
               ("id_ASC",), incremental=False),
        Stream("pricelists", queries.PRICELISTS_PAGE, "pricelists", "PricelistFilter", "PricelistSort",
               "Pricelist", ("id_ASC",), incremental=False),
        Stream("warehouses", queries.WAREHOUSES_PAGE, "warehouses", "WarehouseFilter", "WarehouseSort",
               "Warehouse", ("id_ASC",), incremental=False),
        Stream("stores", queries.STORES_PAGE, "stores", "StoreFilter", "StoreSort", "Store", ("id_ASC",),
               incremental=False),
        Stream("currencies", queries.CURRENCIES_PAGE, "currencies", "CurrencyFilter", "CurrencySort", "Currency",
               ("id_ASC",), incremental=False),
        Stream("languages", queries.LANGUAGES_PAGE, "languages", "LanguageFilter", "LanguageSort", "Language",
               ("id_ASC", "code_ASC"), incremental=False),
        Stream("countries", queries.COUNTRIES_PAGE, "countries", None, "CountrySort", "Country",
               ("name_ASC",), incremental=False),
        Stream("size_charts", queries.SIZE_CHARTS_PAGE, "sizeCharts", "SizeChartFilter", "SizeChartSort",
               "SizeChart", ("id_ASC",), incremental=False),
        _structure("accounts", "accounts", "Account", queries.ACCOUNTS_PAGE, queries.ACCOUNTS_ALL),
        _structure("brands", "brands", "Brand", queries.BRANDS_PAGE, queries.BRANDS_ALL),
        _structure("collections", "collections", "Collection", queries.COLLECTIONS_PAGE, queries.COLLECTIONS_ALL),
        _structure("categories", "categories", "Category", queries.CATEGORIES_PAGE, queries.CATEGORIES_ALL),
        _structure("folders", "folders", "Folder", queries.FOLDERS_PAGE, queries.FOLDERS_ALL),
        # One warehouse's stock ($id); Centra documents only warehouseId_ASC as its order.
        Stream("stock", queries.WAREHOUSE_STOCK_PAGE, "warehouse.stock", None, "StockSort", "Stock",
               ("warehouseId_ASC",), incremental=False),
    )
}
