"""Value formats several tables share: money, ISO codes, Centra order ids and daily partitions."""

MONEY = "decimal(18,4)"  # amounts in their currency, quantised to its minor units (SEK 2, JPY 0)
CURRENCY_CODE = r"^[A-Z]{3}$"  # ISO 4217
COUNTRY_CODE = r"^[A-Z]{2}$"  # ISO 3166 alpha-2
ORDER_ID = r"^[0-9a-f]{32}$"  # Centra's order id (32 hex characters)
DAY = r"^\d{4}-\d{2}-\d{2}$"  # a daily partition key: the UTC day of a change window
CHANGE_WINDOW = "Dagster partition: the UTC day (YYYY-MM-DD) of the change window the row was synced in."
