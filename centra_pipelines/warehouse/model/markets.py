"""Tables of the markets group: reference data, full pulls (no change time: the last write wins)."""

from centra_pipelines.warehouse.model.formats import COUNTRY_CODE, CURRENCY_CODE
from centra_pipelines.warehouse.tables import Column, TableSpec

STORES = TableSpec("stores", key="id", columns={
    "id": Column("bigint", "Centra store id.", gt=0, unique=True),
    "name": Column("text", "Store name in Centra.", nullable=False),
    "type": Column("text", "DIRECT_TO_CONSUMER or WHOLESALE.", isin=["DIRECT_TO_CONSUMER", "WHOLESALE"]),
})

MARKETS = TableSpec("markets", key="id", columns={
    "id": Column("bigint", "Centra market id.", gt=0, unique=True),
    "name": Column("text", "Market name in Centra.", nullable=False),
    "comment": Column("text", "Free-text comment from the Centra admin."),
    "store_id": Column("bigint", "Store the market belongs to (stores.id).", gt=0),
    "country_codes": Column("json", "ISO 3166 codes of the countries assigned to the market."),
    "allocation_rule_id": Column("bigint", "Allocation rule that decides which warehouses serve the market."),
    "is_active": Column("boolean", "Whether the market sells (it has an active pricelist), as judged from Centra's "
                                   "data."),
    "looks_like_test": Column("boolean", "The name looks like a test market (test, demo, qa…); such markets are not "
                                         "synced unless allowed."),
    "selected": Column("boolean", "Whether this project syncs the market's prices and displays (configuration: "
                                  "CENTRA_MARKETS)."),
})

PRICELISTS = TableSpec("pricelists", key="id", updated_at="updated_at", columns={
    "id": Column("bigint", "Centra pricelist id.", gt=0, unique=True),
    "name": Column("text", "Pricelist name in Centra.", nullable=False),
    "status": Column("text", "Pricelist status in Centra (ACTIVE, INACTIVE…).", nullable=False),
    "currency_code": Column("text", "ISO 4217 currency of the pricelist's prices.", str_matches=CURRENCY_CODE),
    "store_id": Column("bigint", "Store the pricelist belongs to (stores.id).", gt=0),
    "country_codes": Column("json", "ISO 3166 codes of the countries the pricelist serves."),
    "updated_at": Column("timestamptz", "Centra's updatedAt of the pricelist (UTC)."),
})

WAREHOUSES = TableSpec("warehouses", key="id", columns={
    "id": Column("bigint", "Centra warehouse id.", gt=0, unique=True),
    "name": Column("text", "Warehouse name in Centra.", nullable=False),
    "status": Column("text", "Warehouse status in Centra (ACTIVE, INACTIVE).", nullable=True),
    "stock_master": Column("text", "Which system masters this warehouse's stock (Centra or an external one)."),
    "allocation_policy": Column("text", "How Centra allocates orders to this warehouse."),
    "country_code": Column("text", "ISO 3166 country of the warehouse."),
    "selected": Column("boolean", "Whether this project syncs the warehouse's stock (configuration: "
                                  "CENTRA_WAREHOUSES)."),
})

CURRENCIES = TableSpec("currencies", key="id", columns={
    "id": Column("bigint", "Centra currency id.", gt=0, unique=True),
    "code": Column("text", "ISO 4217 code.", str_matches=CURRENCY_CODE),
    "name": Column("text", "Currency name."),
    "is_base": Column("boolean", "Whether this is the store's base currency (the *_base amounts are in it)."),
})

LANGUAGES = TableSpec("languages", key="id", columns={
    "id": Column("bigint", "Centra language id.", gt=0, unique=True),
    "name": Column("text", "Language name."),
    "code": Column("text", "Centra's language code.", nullable=False),
    "language_code": Column("text", "ISO 639 language code."),
    "country_code": Column("text", "ISO 3166 country of the locale, if any."),
    "is_active": Column("boolean", "Whether the language is active in Centra."),
})

COUNTRIES = TableSpec("countries", key="id", columns={
    "id": Column("bigint", "Centra country id.", gt=0, unique=True),
    "code": Column("text", "ISO 3166 alpha-2 code.", str_matches=COUNTRY_CODE),
    "name": Column("text", "Country name.", nullable=False),
    "is_eu": Column("boolean", "Whether the country is in the EU (VAT rules)."),
})
