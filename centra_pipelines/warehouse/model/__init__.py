"""The warehouse data model: every table, declared once (docs/data-model.md).

A table is a `TableSpec` (warehouse/tables.py) in the module of its group: its columns with their
logical types, descriptions and rules, its key, its conflict column and its partition column. The
DDL, the pandera contract and the Dagster TableSchema are derived from it (docs/data-model.md).
"""

from centra_pipelines.warehouse.model.analytics import (
    ANALYTICS_MARKS,
    ANALYTICS_TABLES,
    CUSTOMER_ORDER_HISTORY,
    CUSTOMER_SEGMENT_CHANGES,
    CUSTOMER_SEGMENTS,
    SALES_DAILY,
)
from centra_pipelines.warehouse.model.catalog import (
    BRANDS,
    CATEGORIES,
    COLLECTIONS,
    DISPLAYS,
    FOLDERS,
    PRICES,
    PRODUCT_CATEGORIES,
    PRODUCT_MEDIA,
    PRODUCTS,
    SIZE_CHARTS,
    SIZES,
    TRANSLATIONS,
    VARIANTS,
)
from centra_pipelines.warehouse.model.customers import CUSTOMER_IDENTITIES, CUSTOMERS, IDENTITY_MERGES
from centra_pipelines.warehouse.model.markets import COUNTRIES, CURRENCIES, LANGUAGES, MARKETS, PRICELISTS, STORES, WAREHOUSES
from centra_pipelines.warehouse.model.orders import APPLIED_VOUCHERS, ORDER_LINES, ORDERS, RETURN_LINES, RETURNS, SHIPMENTS
from centra_pipelines.warehouse.model.promotions import VOUCHERS
from centra_pipelines.warehouse.model.realtime import CENTRA_EVENTS, WEBHOOK_CALLS
from centra_pipelines.warehouse.model.stock import STOCK_LEVELS
from centra_pipelines.warehouse.model.wholesale import ACCOUNTS, BUYERS

