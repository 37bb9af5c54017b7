"""Exceptions raised by the warehouse. Their text never contains a database password."""

from __future__ import annotations


class WarehouseError(Exception):
    """Base class for every warehouse error."""


class WarehouseURLError(WarehouseError, ValueError):
    """CENTRA_WAREHOUSE_URL (or the URL passed to connect) cannot be used."""


class WarehouseConnectionError(WarehouseError):
    """The database named by the URL cannot be opened or reached."""


class WarehouseLockTimeout(WarehouseError):
    """Another process kept a lock (the DuckDB writer lock, a sync's instance lock) for longer than
    the timeout; the message names the holder."""


class UpsertError(WarehouseError, ValueError):
    """A batch cannot be loaded: unknown columns, missing keys or values that do not convert."""
