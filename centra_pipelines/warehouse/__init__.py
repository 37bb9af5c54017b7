"""Where synced data lives: one interface over a DuckDB file and PostgreSQL (plain Python)."""

from centra_pipelines.warehouse.engine import DEFAULT_SCHEMA, Transaction, UpsertResult, Warehouse, connect
from centra_pipelines.warehouse.errors import (
    UpsertError,
    WarehouseConnectionError,
    WarehouseError,
    WarehouseLockTimeout,
    WarehouseURLError,
)
from centra_pipelines.warehouse.tables import TableSpec
from centra_pipelines.warehouse.url import DEFAULT_URL, ENV_VAR, WarehouseURL, duckdb_url, parse_url

__all__ = [
    "DEFAULT_SCHEMA",
    "DEFAULT_URL",
    "ENV_VAR",
    "Transaction",
    "TableSpec",
    "UpsertError",
    "UpsertResult",
    "Warehouse",
    "WarehouseConnectionError",
    "WarehouseError",
    "WarehouseLockTimeout",
    "WarehouseURL",
    "WarehouseURLError",
    "connect",
    "duckdb_url",
    "parse_url",
]
