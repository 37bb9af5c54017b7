"""The Warehouse: one interface over the DuckDB and PostgreSQL engines.

    wh = connect()                          # CENTRA_WAREHOUSE_URL, default duckdb:///data/warehouse.duckdb
    wh.ensure_tables([PRODUCTS, VARIANTS])
    with wh.transaction() as tx:            # one database transaction
        result = tx.upsert(PRODUCTS, page_df)
        tx.save_cursor("products", None, page.cursor)
    wh.load_cursor("products", None)

Upserts follow the conflict rule (docs/warehouse.md): a row replaces the stored row only if its
updated_at is newer or equal; older rows are skipped and counted as ``skipped_stale``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import pandas as pd

from centra_pipelines.warehouse import state
from centra_pipelines.warehouse.duckdb_engine import DuckDBEngine
from centra_pipelines.warehouse.errors import UpsertError, WarehouseError
from centra_pipelines.warehouse.frames import to_frame
from centra_pipelines.warehouse.tables import DELETED_AT, IDENTIFIER, SYNCED_AT, TableSpec, check_identifier
from centra_pipelines.warehouse.url import WarehouseURL, parse_url

if TYPE_CHECKING:
    from centra_pipelines.warehouse.postgres_engine import PostgresEngine

DEFAULT_SCHEMA = "centra"
DEFAULT_LOCK_TIMEOUT = 120.0


@dataclass(frozen=True)
class UpsertResult:
    """What one upsert did. Rows dropped as in-batch duplicates are in none of the counts."""

    inserted: int = 0
    updated: int = 0
    skipped_stale: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.updated

    def __add__(self, other: "UpsertResult") -> "UpsertResult":
        return UpsertResult(
            self.inserted + other.inserted, self.updated + other.updated, self.skipped_stale + other.skipped_stale
        )


def connect(
    url: str | None = None,
    *,
    schema: str = DEFAULT_SCHEMA,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    connect_timeout: float = 10.0,
) -> "Warehouse":
    """Open the warehouse named by ``url`` (None: CENTRA_WAREHOUSE_URL, else the DuckDB default).

    Creates ``schema`` and the ``sync_state`` and ``quarantine`` tables if missing.
    lock_timeout: DuckDB only, seconds to wait for another process's writer lock.
    connect_timeout: PostgreSQL only, seconds to wait for the server.
    """
    parsed = parse_url(url)
    check_identifier(schema, "warehouse schema")
    if parsed.engine == "duckdb":
        engine: DuckDBEngine | PostgresEngine = DuckDBEngine(parsed, lock_timeout=lock_timeout)
    else:  # imported here: psycopg costs a DuckDB warehouse's every process start ~0.1 s
        from centra_pipelines.warehouse.postgres_engine import PostgresEngine

        engine = PostgresEngine(parsed, connect_timeout=connect_timeout)
    wh = Warehouse(engine, parsed, schema)
    try:
        wh._ensure_state_tables()
    except BaseException:
        wh.close()
        raise
    return wh


class Warehouse:
    """Synced tables plus sync state. Not thread-safe: use one per thread or process."""

    def __init__(self, engine: DuckDBEngine | PostgresEngine, url: WarehouseURL, schema: str) -> None:
        self._engine = engine
        self.url = url
        self.schema = schema
        self._tx: Transaction | None = None
        self._names = count()

    @property
    def engine(self) -> str:
        """"duckdb" or "postgresql"."""
        return self._engine.name

    def __repr__(self) -> str:
        return f"Warehouse({self.url.redacted!r}, schema={self.schema!r})"

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.close()

    @property
    def param(self) -> str:
        """This engine's placeholder for a bound parameter in read()'s queries ("?" or "%s")."""
        return self._engine.param

    def query_ref(self, name: str) -> str:
        """How a person names a table in a query (`centra.orders`), for the queries we print; with the
        catalog in front when a DuckDB file is named like the schema (`centra.centra.orders`)."""
        ref = f"{self.schema}.{check_identifier(name, 'table name')}"
        if self._engine.name == "duckdb":
            self._engine.schema_ref(self.schema)  # learns the catalog (the file's stem) once
            if self._engine.catalog == self.schema:
                ref = f"{self.schema}.{ref}"
        return ref

    def table_ref(self, name: str) -> str:
        """The quoted, schema-qualified name of a table, for SQL passed to read().

        On DuckDB it also names the catalog (the file's stem), which a bare "centra"."t" would
        collide with when the file is centra.duckdb."""
        return f'{self._engine.schema_ref(self.schema)}."{check_identifier(name, "table name")}"'

    # -- schema ---------------------------------------------------------------------------------

    def ensure_tables(self, specs: Iterable[TableSpec]) -> None:
        """Create missing tables and add missing columns (nullable). Never drops or retypes."""
        with self._session(transaction=True) as s:
            known = s.ensured if s.ensured is not None else set()
            specs = [spec for spec in specs if self._signature(spec) not in known]
            if not specs:
                return
            self._ddl_lock(s)
            for spec in specs:
                types = spec.all_types
                cols = ", ".join(f'"{c}" {self._engine.sql_type(t)}' for c, t in types.items())
                s.execute(f"CREATE TABLE IF NOT EXISTS {self.table_ref(spec.name)} ({cols}, PRIMARY KEY ({_cols(spec.key)}))")
                p = self._engine.param
                _, rows, _ = s.query(
                    f"SELECT column_name FROM information_schema.columns WHERE table_schema = {p} AND table_name = {p}",
                    (self.schema, spec.name),
                )
                existing = {r[0] for r in rows}
                missing_key = [c for c in spec.key if c not in existing]
                if missing_key:
                    raise WarehouseError(
                        f"table {self.schema}.{spec.name} exists without key column(s) {missing_key}; "
                        "a key change needs a manual migration"
                    )
                for col, logical in types.items():
                    if col not in existing:
                        s.execute(
                            f'ALTER TABLE {self.table_ref(spec.name)} ADD COLUMN "{col}" {self._engine.sql_type(logical)}'
                        )
                if spec.partition and self._engine.index_partitions:
                    s.execute(
                        f'CREATE INDEX IF NOT EXISTS "{spec.name}_{spec.partition}_idx" '
                        f'ON {self.table_ref(spec.name)} ("{spec.partition}")'
                    )
            if s.ensured is not None:
                s.ensured.update(self._signature(spec) for spec in specs)

    def _signature(self, spec: TableSpec) -> tuple:
        """What ensure_tables made sure of for `spec`: a changed declaration is checked again."""
        return (self.schema, spec.name, tuple(spec.all_types.items()), tuple(spec.key), spec.partition)

    def _ensure_state_tables(self) -> None:
        with self._session(transaction=True) as s:
            if s.ensured is not None and (self.schema, "sync state") in s.ensured:
                return
            self._ddl_lock(s)
            for ddl in state.state_ddl(self.table_ref, self._engine.sql_type):
                s.execute(ddl)
            if s.ensured is not None:
                s.ensured.add((self.schema, "sync state"))

    def _ddl_lock(self, s: Any) -> None:
        # CREATE SCHEMA/TABLE IF NOT EXISTS race between PostgreSQL sessions; serialise them.
        # DuckDB sessions are already serialised by the file lock.
        if self._engine.name == "postgresql":
            s.execute("SELECT pg_advisory_xact_lock(hashtext('centra_pipelines.warehouse.ddl'))")
        s.execute(f"CREATE SCHEMA IF NOT EXISTS {self._engine.schema_ref(self.schema)}")

    # -- transactions and reads -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """One database transaction: everything written through it commits or rolls back together.

        On DuckDB the file's writer lock is held until the block ends.
        """
        if self._tx is not None:
            raise WarehouseError("a transaction is already open on this Warehouse; nest work inside it")
        with self._engine.session(transaction=True) as s:
            self._tx = Transaction(self, s)
            try:
                yield self._tx
            finally:
                self._tx = None

    @contextmanager
    def _session(self, *, transaction: bool = False) -> Iterator[Any]:
        # Inside an open transaction, reads go through it: they see its writes, and on DuckDB a
        # second connection would wait for the lock this process already holds.
        if self._tx is not None:
            yield self._tx._s
        else:
            with self._engine.session(transaction=transaction) as s:
                yield s

    def load_cursor(self, stream: str, partition: str | None = None) -> str | None:
        """The cursor last saved for (stream, partition), or None if none was committed."""
        p = self._engine.param
        with self._session() as s:
            _, rows, _ = s.query(state.load_cursor_sql(self.table_ref, p), (stream, _partition(partition)))
        return rows[0][0] if rows else None

    def read(self, table_or_sql: TableSpec | str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """A table (TableSpec: ordered by key; a bare name: unordered) or the result of a query.

        Queries name tables as table_ref(name) gives them (``"centra"."products"``) and use the
        engine's placeholder for params. Result dtypes are the same on both engines: Int64,
        float64, Decimal objects, datetime64[UTC], boolean, JSON as Python objects.
        """
        if isinstance(table_or_sql, TableSpec):
            sql = f"SELECT * FROM {self.table_ref(table_or_sql.name)} ORDER BY {_cols(table_or_sql.key)}"
        elif IDENTIFIER.match(table_or_sql):
            sql = f"SELECT * FROM {self.table_ref(table_or_sql)}"
        else:
            sql = table_or_sql
        with self._session() as s:
            columns, rows, kinds = s.query(sql, params)
        return to_frame(columns, rows, kinds)

    def sql(self, name: str, **values: object) -> list[str]:
        """The statements of ``warehouse/sql/<name>.sql``, written for both engines.

        Placeholders: ``{money}`` and ``{double}`` become this engine's column types, a name given in
        ``values`` its value (callers pass only validated literals: dates, integers, names checked by
        the mapping), and any other ``{name}`` the quoted table reference ``table_ref(name)``.
        """
        types = {"money": self._engine.sql_type("decimal(18,4)"), "double": self._engine.sql_type("double")}
        fill = _Placeholders({**types, **{k: str(v) for k, v in values.items()}}, self.table_ref)
        return [s.strip() for s in _sql_file(name).format_map(fill).split(";") if s.strip()]

    def read_sql(self, name: str, **values: object) -> pd.DataFrame:
        """The result of the one SELECT in ``warehouse/sql/<name>.sql`` (see sql())."""
        [statement] = self.sql(name, **values)
        return self.read(statement)

    def count(self, table: TableSpec | str) -> int:
        """Number of rows in a table, deleted ones included."""
        name = table.name if isinstance(table, TableSpec) else table
        with self._session() as s:
            _, rows, _ = s.query(f"SELECT count(*) FROM {self.table_ref(name)}")
        return int(rows[0][0])

    def _stage_name(self) -> str:
        return f"_centra_stage_{next(self._names)}"


class Transaction:
    """Writes inside one database transaction (see Warehouse.transaction)."""

    def __init__(self, warehouse: Warehouse, session: Any) -> None:
        self._wh = warehouse
        self._s = session

    def upsert(self, spec: TableSpec, df: pd.DataFrame) -> UpsertResult:
        """Upsert ``df`` into ``spec``'s table by its key, applying the conflict rule.

        Columns of df must be spec columns (a ``deleted_at`` column is also accepted); columns
        it lacks are NULL in new rows and left as they are in updated rows. Within the batch the
        newest row per key wins (the last one on equal updated_at). A winning row with a newer
        updated_at clears deleted_at (Centra returned it, so it exists); an equal one keeps it,
        so that a replayed snapshot does not undo a delete.
        """
        wh = self._wh
        table = f"{wh.schema}.{spec.name}"
        unknown = [c for c in df.columns if c not in spec.types and c != DELETED_AT]
        if unknown:
            raise UpsertError(f"{table}: columns {unknown} are not in the table spec")
        needed = list(spec.key) + ([spec.updated_at] if spec.updated_at else [])
        absent = [c for c in needed if c not in df.columns]
        if absent:
            raise UpsertError(f"{table}: the batch lacks required column(s) {absent}")
        nulls = int(df[needed].isna().any(axis=1).sum())
        if nulls:
            raise UpsertError(
                f"{table}: {nulls} row(s) have no value in {needed}; quarantine such rows before upserting"
            )
        if df.empty:
            return UpsertResult()

        types = {c: t for c, t in spec.all_types.items() if c in df.columns}
        stage = wh._stage_name()
        try:
            self._s.stage(stage, df, types, spec.key, spec.updated_at)
        except UpsertError as exc:
            raise UpsertError(f"{table}: {exc}") from None
        try:
            result = self._count_outcome(spec, stage)
            self._s.execute(self._upsert_sql(spec, stage, list(types)))
        finally:
            self._s.drop_stage(stage)
        return result

    def _count_outcome(self, spec: TableSpec, stage: str) -> UpsertResult:
        on = " AND ".join(f't."{k}" = s."{k}"' for k in spec.key)
        k0 = f't."{spec.key[0]}"'
        if spec.updated_at:
            u = spec.updated_at
            newer, older = f's."{u}" >= t."{u}"', f's."{u}" < t."{u}"'
        else:
            newer, older = "TRUE", "FALSE"
        _, rows, _ = self._s.query(
            f"SELECT count(*) FILTER (WHERE {k0} IS NULL), "
            f"count(*) FILTER (WHERE {k0} IS NOT NULL AND {newer}), "
            f"count(*) FILTER (WHERE {k0} IS NOT NULL AND {older}) "
            f"FROM {stage} s LEFT JOIN {self._wh.table_ref(spec.name)} t ON {on}"
        )
        ins, upd, stale = rows[0]
        return UpsertResult(int(ins), int(upd), int(stale))

    def _upsert_sql(self, spec: TableSpec, stage: str, columns: list[str]) -> str:
        u = spec.updated_at
        insert_cols = columns + [SYNCED_AT]
        select = _cols(columns) + ", now()"
        sets = [f'"{c}" = excluded."{c}"' for c in columns if c not in spec.key and c != DELETED_AT]
        sets.append(f'"{SYNCED_AT}" = excluded."{SYNCED_AT}"')
        if DELETED_AT in columns:
            sets.append(f'"{DELETED_AT}" = excluded."{DELETED_AT}"')
        elif u:
            sets.append(f'"{DELETED_AT}" = CASE WHEN excluded."{u}" > t."{u}" THEN NULL ELSE t."{DELETED_AT}" END')
        else:
            sets.append(f'"{DELETED_AT}" = NULL')
        where = f' WHERE excluded."{u}" >= t."{u}"' if u else ""
        return (
            f"INSERT INTO {self._wh.table_ref(spec.name)} AS t ({_cols(insert_cols)}) "
            f"SELECT {select} FROM {stage} "
            f"ON CONFLICT ({_cols(spec.key)}) DO UPDATE SET {', '.join(sets)}{where}"
        )

    def execute_sql(self, name: str, **values: object) -> None:
        """Run every statement of ``warehouse/sql/<name>.sql`` in this transaction (see Warehouse.sql)."""
        for statement in self._wh.sql(name, **values):
            self._s.execute(statement)

    def save_cursor(self, stream: str, partition: str | None, cursor: str) -> None:
        """Record the resume cursor of (stream, partition); it commits with this transaction's rows."""
        sql = state.save_cursor_sql(self._wh.table_ref, self._wh._engine.param)
        self._s.execute(sql, (stream, _partition(partition), cursor))

    def quarantine(self, table: str, rows: Iterable[tuple[Any, str, Any]]) -> int:
        """Store rejected rows of ``table``: each (key, reason, payload). Returns how many.

        key: the row's key (a tuple for composite keys); payload: the row as a dict (any JSON-able
        values; dates and Decimals become strings). A (table, key, reason) seen before is refreshed.
        """
        batch = pd.DataFrame(
            [(table, state.key_text(key), str(reason), payload) for key, reason, payload in rows],
            columns=list(state.QUARANTINE_BATCH),
        )
        if batch.empty:
            return 0
        stage = self._wh._stage_name()
        self._s.stage(stage, batch, state.QUARANTINE_BATCH, ["table_name", "key", "reason"], None)
        try:
            _, n, _ = self._s.query(f"SELECT count(*) FROM {stage}")
            self._s.execute(state.quarantine_sql(self._wh.table_ref, stage))
        finally:
            self._s.drop_stage(stage)
        return int(n[0][0])

    def resolve_quarantine(self, table: str, keys: Iterable[Any]) -> int:
        """Mark resolved the open quarantine rows of ``table`` with these keys (a valid version of the
        row loaded in this transaction); returns how many."""
        p = self._wh._engine.param
        _, open_rows, _ = self._s.query(state.open_quarantine_sql(self._wh.table_ref, p), (table,))
        if not open_rows:
            return 0
        batch = pd.DataFrame({"key": [state.key_text(k) for k in keys]})
        if batch.empty:
            return 0
        stage = self._wh._stage_name()
        self._s.stage(stage, batch.drop_duplicates(), {"key": "text"}, ["key"], None)
        count_sql, update_sql = state.resolve_quarantine_sql(self._wh.table_ref, stage, p)
        try:
            _, n, _ = self._s.query(count_sql, (table,))
            self._s.execute(update_sql, (table,))
        finally:
            self._s.drop_stage(stage)
        return int(n[0][0])

    def purge_quarantine(self, seen_before: datetime) -> int:
        """Delete quarantine rows last seen before ``seen_before`` (aware); returns how many (retention)."""
        if seen_before.tzinfo is None:
            raise ValueError("seen_before must be timezone-aware (UTC)")
        count_sql, delete_sql = state.purge_quarantine_sql(self._wh.table_ref, self._wh._engine.param)
        _, n, _ = self._s.query(count_sql, (seen_before,))
        self._s.execute(delete_sql, (seen_before,))
        return int(n[0][0])

    def mark_deleted(self, spec: TableSpec, keys: Iterable[Any], deleted_at: datetime) -> int:
        """Set deleted_at on the rows with these keys (scalars, or tuples for composite keys).

        Rows already marked keep their first deleted_at; unknown keys are ignored. Returns the
        number of rows newly marked.
        """
        keys = [k if isinstance(k, tuple) else (k,) for k in keys]
        if not keys:
            return 0
        if deleted_at.tzinfo is None:
            raise ValueError("deleted_at must be timezone-aware (UTC)")
        batch = pd.DataFrame(keys, columns=list(spec.key))
        stage = self._wh._stage_name()
        self._s.stage(stage, batch, {k: spec.types[k] for k in spec.key}, spec.key, None)
        target = self._wh.table_ref(spec.name)
        on = " AND ".join(f't."{k}" = s."{k}"' for k in spec.key)
        p = self._wh._engine.param
        try:
            _, n, _ = self._s.query(
                f'SELECT count(*) FROM {target} t JOIN {stage} s ON {on} WHERE t."{DELETED_AT}" IS NULL'
            )
            self._s.execute(
                f'UPDATE {target} AS t SET "{DELETED_AT}" = {p} FROM {stage} s WHERE {on} AND t."{DELETED_AT}" IS NULL',
                (deleted_at,),
            )
        finally:
            self._s.drop_stage(stage)
        return int(n[0][0])


SQL_DIR = Path(__file__).with_name("sql")


@lru_cache(maxsize=None)
def _sql_file(name: str) -> str:
    path = SQL_DIR / f"{check_identifier(name, 'SQL file name')}.sql"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarehouseError(f"no SQL file {path.name} in {SQL_DIR}") from None
    # `--` comments go first: they may hold semicolons and braces.
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


class _Placeholders(dict):
    def __init__(self, values: dict[str, str], table_ref) -> None:
        super().__init__(values)
        self._table_ref = table_ref

    def __missing__(self, name: str) -> str:
        return self._table_ref(name)


def _partition(partition: str | None) -> str:
    return state.UNPARTITIONED if partition is None else str(partition)



def _cols(names: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in names)
