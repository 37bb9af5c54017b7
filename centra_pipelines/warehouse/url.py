"""Parse and redact warehouse URLs.

Two forms are accepted, chosen by scheme:

- ``duckdb:///data/warehouse.duckdb`` — a DuckDB file. As with SQLite URLs in SQLAlchemy, the path
  after the third slash is relative to the working directory; a fourth slash makes it absolute
  (``duckdb:////var/lib/centra/warehouse.duckdb``).
- ``postgresql://user[:password]@host:port/db[?sslmode=…]`` (``postgres://`` and the SQLAlchemy
  spellings ``postgresql+psycopg://`` / ``postgresql+psycopg2://`` are read the same way) — passed to
  libpq as is.

Passwords are masked (``***``, `centra_pipelines.redaction`) in everything this package prints or raises.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from centra_pipelines.redaction import redact_url
from centra_pipelines.warehouse.errors import WarehouseURLError

ENV_VAR = "CENTRA_WAREHOUSE_URL"
DEFAULT_URL = "duckdb:///data/warehouse.duckdb"

_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}


@dataclass(frozen=True)
class WarehouseURL:
    """A parsed warehouse URL. ``str()`` and ``repr()`` show it with the password masked."""

    engine: str  # "duckdb" or "postgresql"
    raw: str = ""
    path: Path | None = None  # DuckDB: absolute path of the database file
    host: str | None = None
    port: int | None = None
    database: str | None = None
    user: str | None = None
    password: str | None = None

    @property
    def redacted(self) -> str:
        return redact_url(self.raw)

    @property
    def conninfo(self) -> str:
        """The libpq connection string (PostgreSQL only), normalised to the postgresql scheme."""
        return "postgresql" + self.raw[self.raw.index("://") :]

    @property
    def location(self) -> str:
        """Where the database is, for error messages: a file path or host:port/db."""
        if self.engine == "duckdb":
            return str(self.path)
        return f"{self.host or 'local socket'}:{self.port or 5432}/{self.database or self.user or ''}"

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"WarehouseURL({self.redacted!r})"


def url_from_env() -> str:
    """The configured warehouse URL: CENTRA_WAREHOUSE_URL, else the embedded DuckDB default."""
    return os.environ.get(ENV_VAR, "").strip() or DEFAULT_URL


def duckdb_url(path: str | os.PathLike[str]) -> str:
    """The URL of a DuckDB file, for callers holding a path (tests, CLI)."""
    return f"duckdb:///{os.fspath(path)}"


def parse_url(url: str | None = None) -> WarehouseURL:
    """Parse a warehouse URL (``None`` reads CENTRA_WAREHOUSE_URL, then the default)."""
    raw = url_from_env() if url is None else url.strip()
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise WarehouseURLError(
            f"Warehouse URL {redact_url(raw)!r} has no scheme; expected "
            "duckdb:///path/to/file.duckdb or postgresql://user@host:port/db"
        )
    scheme = scheme.lower()
    if scheme == "duckdb":
        return _parse_duckdb(raw, rest)
    if scheme in _POSTGRES_SCHEMES:
        return _parse_postgres(raw)
    raise WarehouseURLError(
        f"Unsupported warehouse URL scheme {scheme!r} in {redact_url(raw)!r}; expected "
        "duckdb:///path/to/file.duckdb or postgresql://user@host:port/db"
    )


def _parse_duckdb(raw: str, rest: str) -> WarehouseURL:
    host, slash, path = rest.partition("/")
    if host or not slash or not path or "?" in path:
        raise WarehouseURLError(
            f"DuckDB warehouse URL {redact_url(raw)!r} must look like duckdb:///relative/file.duckdb "
            "or duckdb:////absolute/file.duckdb (no host, no query)"
        )
    if path == ":memory:":
        raise WarehouseURLError("An in-memory DuckDB cannot be shared between runs; give a file path")
    return WarehouseURL(engine="duckdb", raw=raw, path=Path(unquote(path)).expanduser().absolute())


def _parse_postgres(raw: str) -> WarehouseURL:
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        # The message of a ValueError from urlsplit may quote the netloc: do not chain it.
        raise WarehouseURLError(f"PostgreSQL warehouse URL {redact_url(raw)!r} is malformed: bad host or port") from None
    query = dict(parse_qsl(parts.query))
    return WarehouseURL(
        engine="postgresql",
        raw=raw,
        host=parts.hostname or query.get("host"),
        port=port or (int(query["port"]) if query.get("port", "").isdigit() else None),
        database=unquote(parts.path.lstrip("/")) or query.get("dbname"),
        user=unquote(parts.username) if parts.username else query.get("user"),
        password=unquote(parts.password) if parts.password else query.get("password"),
    )
