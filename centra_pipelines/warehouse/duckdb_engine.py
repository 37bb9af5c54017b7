"""The DuckDB engine: one database file, one writer process at a time.

Every access opens the file under an exclusive inter-process lock (``<file>.lock``) and closes
it afterwards, because DuckDB refuses a second process while any connection is open. Keep
transactions short (one page of rows); other processes wait up to ``lock_timeout`` seconds.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress
from typing import Any, Iterator, Mapping, Sequence

import duckdb
import pandas as pd

from centra_pipelines.warehouse.errors import UpsertError, WarehouseConnectionError
from centra_pipelines.warehouse.frames import cast_select, duckdb_type, prepare
from centra_pipelines.warehouse.lock import FileLock, duckdb_lock_holder
from centra_pipelines.warehouse.url import WarehouseURL


class DuckDBEngine:
    name = "duckdb"
    param = "?"
    index_partitions = False  # an ART index would forbid ON CONFLICT from updating that column

    def __init__(self, url: WarehouseURL, *, lock_timeout: float) -> None:
        assert url.path is not None
        self.path = url.path
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseConnectionError(
                f"Cannot create the directory {self.path.parent} for the DuckDB warehouse: {exc.strerror}"
            ) from None
        # DuckDB names the database's catalog after the file (centra.duckdb -> "centra"), which
        # would make schema "centra" ambiguous; names are therefore qualified with the catalog.
        self.catalog: str | None = None
        self.lock = FileLock(
            self.path.with_name(self.path.name + ".lock"), lock_timeout, what=f"the DuckDB warehouse {self.path}"
        )

    def sql_type(self, logical: str) -> str:
        return duckdb_type(logical)

    def schema_ref(self, schema: str) -> str:
        if self.catalog is None:  # before the first session: open one to learn the catalog name
            with self.session(transaction=False):
                pass
        return f'"{self.catalog}"."{schema}"'

    @contextmanager
    def session(self, *, transaction: bool) -> Iterator["DuckDBSession"]:
        with self.lock:
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                holder = duckdb_lock_holder(str(exc))
                if holder is not None:
                    raise WarehouseConnectionError(
                        f"The DuckDB warehouse {self.path} is held open by another program, {holder}: close "
                        "it (a DuckDB shell, a notebook) and run again; DuckDB allows one writer process."
                    ) from None
                raise WarehouseConnectionError(
                    f"Cannot open the DuckDB warehouse {self.path}: {exc}. If another program (a DuckDB "
                    "shell, a notebook) has the file open, close it: DuckDB allows one writer process."
                ) from None
            try:
                con.execute("SET TimeZone = 'UTC'")
                self.catalog = con.execute("SELECT current_database()").fetchone()[0]
                if not transaction:
                    yield DuckDBSession(con)
                    return
                con.begin()
                try:
                    yield DuckDBSession(con)
                except BaseException:
                    con.rollback()
                    raise
                con.commit()
            finally:
                con.close()

    def close(self) -> None:
        """Nothing stays open between sessions."""


class DuckDBSession:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple], list[str]]:
        cur = self.con.execute(sql, list(params))
        if cur.description is None:
            return [], [], []
        columns = [d[0] for d in cur.description]
        kinds = [_kind(str(d[1])) for d in cur.description]
        return columns, cur.fetchall(), kinds

    def stage(self, name: str, df: pd.DataFrame, types: Mapping[str, str], key: Sequence[str] | None,
              newest: str | None) -> None:
        source = f"{name}_source"
        self.con.register(source, prepare(df, types))
        try:
            self.con.execute(f"CREATE TEMP TABLE {name} AS {cast_select(source, types, key, newest)}")
        except duckdb.ConversionException as exc:
            raise UpsertError(f"a value does not convert to its column type: {exc}") from None
        finally:
            # After a failed cast the transaction is aborted and unregister fails too; the
            # connection closes with the rollback anyway.
            with suppress(duckdb.Error):
                self.con.unregister(source)

    def drop_stage(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")


def _kind(type_name: str) -> str:
    t = type_name.upper()
    if t in {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}:
        return "int"
    if t in {"DOUBLE", "FLOAT", "REAL"}:
        return "float"
    if t.startswith("DECIMAL"):
        return "decimal"
    if t == "TIMESTAMP WITH TIME ZONE":
        return "timestamptz"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "BOOLEAN":
        return "bool"
    if t == "JSON":
        return "json_text"
    return "other"
