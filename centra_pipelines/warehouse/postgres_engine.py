"""The PostgreSQL engine (psycopg 3): one connection per Warehouse, bulk loads through COPY.

A batch is cast and de-duplicated by an in-memory DuckDB, written as CSV to a temporary file and
COPYed into a TEMP staging table; one INSERT … ON CONFLICT then applies it. DuckDB writes NULL as
an empty field and an empty string as "", which is exactly how PostgreSQL's CSV COPY reads them.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

import duckdb
import pandas as pd
import psycopg

from centra_pipelines.warehouse.errors import UpsertError, WarehouseConnectionError
from centra_pipelines.warehouse.frames import cast_select, prepare
from centra_pipelines.redaction import redact_url
from centra_pipelines.warehouse.url import WarehouseURL

_COPY_CHUNK = 1 << 20
_KINDS = {20: "int", 21: "int", 23: "int", 700: "float", 701: "float", 1700: "decimal", 1184: "timestamptz",
          1114: "timestamp", 16: "bool", 114: "json", 3802: "json"}


class PostgresEngine:
    name = "postgresql"
    param = "%s"
    index_partitions = True

    def __init__(self, url: WarehouseURL, *, connect_timeout: float) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in url.raw:
            kwargs["connect_timeout"] = max(1, round(connect_timeout))
        try:
            self.conn = psycopg.connect(url.conninfo, **kwargs)
        except psycopg.Error as exc:
            raise WarehouseConnectionError(
                f"Cannot connect to the PostgreSQL warehouse at {url.location} ({url.redacted}): "
                f"{_scrub(str(exc), url.password).strip()}. Check that the server is running and "
                "that CENTRA_WAREHOUSE_URL names the right host, port, database and user."
            ) from None
        self.conn.execute("SET TIME ZONE 'UTC'")
        self._duck: duckdb.DuckDBPyConnection | None = None

    def sql_type(self, logical: str) -> str:
        return {
            "bigint": "BIGINT",
            "integer": "INTEGER",
            "text": "TEXT",
            "boolean": "BOOLEAN",
            "double": "DOUBLE PRECISION",
            "date": "DATE",
            "timestamptz": "TIMESTAMPTZ",
            "json": "JSONB",
        }.get(logical) or logical.upper().replace("DECIMAL", "NUMERIC")

    def schema_ref(self, schema: str) -> str:
        return f'"{schema}"'

    @property
    def caster(self) -> duckdb.DuckDBPyConnection:
        if self._duck is None:
            self._duck = duckdb.connect()
            self._duck.execute("SET TimeZone = 'UTC'")
        return self._duck

    @contextmanager
    def session(self, *, transaction: bool) -> Iterator["PostgresSession"]:
        if not transaction:
            yield PostgresSession(self)
            return
        with self.conn.transaction():
            yield PostgresSession(self)

    def close(self) -> None:
        self.conn.close()
        if self._duck is not None:
            self._duck.close()
            self._duck = None


class PostgresSession:
    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine
        self.conn = engine.conn
        self.ensured = None  # other sessions may change the tables at any time: checked every time

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, tuple(params) or None)

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple], list[str]]:
        cur = self.conn.execute(sql, tuple(params) or None)
        if cur.description is None:
            return [], [], []
        columns = [d.name for d in cur.description]
        kinds = [_KINDS.get(d.type_code, "other") for d in cur.description]
        return columns, cur.fetchall(), kinds

    def stage(self, name: str, df: pd.DataFrame, types: Mapping[str, str], key: Sequence[str] | None,
              newest: str | None) -> None:
        duck = self.engine.caster
        source = f"{name}_source"
        fd, csv_path = tempfile.mkstemp(prefix="centra_stage_", suffix=".csv")
        os.close(fd)
        try:
            duck.register(source, prepare(df, types))
            try:
                duck.execute(f"COPY ({cast_select(source, types, key, newest)}) TO '{csv_path}' (FORMAT csv, HEADER false)")
            except duckdb.ConversionException as exc:
                raise UpsertError(f"a value does not convert to its column type: {exc}") from None
            finally:
                duck.unregister(source)
            columns = ", ".join(f'"{c}" {self.engine.sql_type(t)}' for c, t in types.items())
            self.conn.execute(f"CREATE TEMP TABLE {name} ({columns})")
            with self.conn.cursor().copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy, open(csv_path, "rb") as f:
                while chunk := f.read(_COPY_CHUNK):
                    copy.write(chunk)
        finally:
            os.unlink(csv_path)

    def drop_stage(self, name: str) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {name}")


def _scrub(text: str, password: str | None) -> str:
    text = redact_url(text)
    return text.replace(password, "***") if password else text
