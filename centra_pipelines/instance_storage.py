"""The storage of the embedded Dagster instance (`storage: custom:` in the dagster.yaml that
`centra-pipelines sync` and `ui` write into DAGSTER_HOME: centra_pipelines/home.py).

Dagster's SQLite event log opens a new engine and connection for every event it stores and closes
it afterwards; in WAL mode the close of the last connection checkpoints the file, so each event
costs a connect, a commit fsync and a checkpoint fsync (the profile of a sync: over half its wall
time; `bench/sync_cost.py --profile`). This storage is Dagster's SQLite storage in DAGSTER_HOME (the
same files, so an existing home keeps its history) with an event log that keeps one engine open per
recent shard and commits with synchronous=NORMAL. In WAL mode that loses nothing when a process is
killed; only a power loss may drop the last commits, as it may drop a run's last events anyway.

A run's shard is checkpointed at most every CHECKPOINT_SECONDS: the UI's live view of a run is
woken by changes to the run's `.db` file (watchdog), not to its `-wal`, so the UI follows a running
sync within that delay. PostgreSQL instances (docs/deploy.md) do not use this module.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from functools import cache
from typing import Iterator

import sqlalchemy as db
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS, EVENT_TYPE_TO_PIPELINE_RUN_STATUS, DagsterEventType
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import (AssetCheckExecutionsTable, AssetKeyTable,
                                                    SqlEventLogStorageTable)
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (INDEX_SHARD_NAME, SqlEventLogStorageMetadata,
                                                                      SqliteEventLogStorage)
from dagster._core.storage.sql import get_alembic_config
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (DagsterSqliteStorage, _event_logs_directory, _runs_directory,
                                                  _schedule_directory)
from dagster._serdes import ConfigurableClassData
from dagster_shared.serdes import serialize_value

CHECKPOINT_SECONDS = 1.0
#: what store_event_batch writes itself: the batches Dagster makes of materializations and planned events
BATCHED = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
           DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED}
OPEN_RUN_SHARDS = 4  # run shards kept open besides the index: the runs being written and read now


@cache
def _migrations() -> ScriptDirectory:
    """Dagster's event-log migration scripts, read once per process (alembic re-reads every script
    file each time it is asked, twice for every new run's file: ~0.1 s a run)."""
    return ScriptDirectory.from_config(get_alembic_config(sqlite_event_log.__file__))


class LocalSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log, its shards kept open and committed with synchronous=NORMAL."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, db.Engine] = {}  # shard -> engine, least recently used first
        self._checkpointed: dict[str, float] = {}
        self._tables: set[str] = set()  # what once exists stays (migrations only add): has_table etc.
        self._asset_key_cols: set[str] = set()
        self._secondary_indexes: set[str] = set()
        self._asset_key_index_cols = False
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> db.Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = _kept_engine(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        runs = [s for s in self._engines if s != INDEX_SHARD_NAME]
        for old in runs[:-OPEN_RUN_SHARDS]:
            self._engines.pop(old).dispose()  # closing its last connection checkpoints that run's file
            self._checkpointed.pop(old, None)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME and time.monotonic() - self._checkpointed.get(shard, 0.0) \
                        > CHECKPOINT_SECONDS:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                    self._checkpointed[shard] = time.monotonic()

    def _initdb(self, engine: db.Engine, for_index_shard: bool = False) -> None:
        """A run's new file gets Dagster's tables stamped at the head revision, as Dagster's own
        _initdb does, with the migration scripts read once; the index and any file not empty or not
        at the head go through Dagster's _initdb (its legacy and concurrency handling)."""
        if not for_index_shard:
            head = _migrations().get_current_head()
            with engine.connect() as conn:
                context = MigrationContext.configure(conn)
                current = context.get_current_revision()
                if current == head:
                    return
                if current is None and not db.inspect(conn).get_table_names():
                    try:
                        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                        SqlEventLogStorageMetadata.create_all(conn)
                        context.stamp(_migrations(), head)
                        conn.commit()
                        return
                    except db.exc.OperationalError:
                        conn.rollback()  # another process created it meanwhile: Dagster's _initdb retries
        super()._initdb(engine, for_index_shard)

    def store_event(self, event) -> None:
        """Dagster's SQLite store_event (the same rows in the same shards, in the same order), with
        the row built once and inserted as parameters of one compiled statement: Dagster builds a
        new `insert().values(...)` statement per event and shard, which SQLAlchemy re-keys for its
        cache each time (a third of an event's cost on a re-run, profiled)."""
        row = self._event_to_row(event)
        with self.run_connection(event.run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), row)
        kind = event.dagster_event_type
        if kind in ASSET_EVENTS:  # mirrored in the index shard for cross-run asset queries
            with self.index_transaction() as conn:
                event_id = conn.execute(SqlEventLogStorageTable.insert(), row).inserted_primary_key[0]
                self._store_asset_event_tags(conn, [event], [event_id])
                self._store_asset_event(conn, event, event_id)
        elif kind in ASSET_CHECK_EVENTS:
            with self.index_connection() as conn:
                event_id = conn.execute(SqlEventLogStorageTable.insert(), row).inserted_primary_key[0]
            self.store_asset_check_event(event, event_id)
        elif kind in EVENT_TYPE_TO_PIPELINE_RUN_STATUS:
            with self.index_connection() as conn:
                conn.execute(SqlEventLogStorageTable.insert(), row)

    def _store_asset_event(self, conn: db.Connection, event, event_id: int) -> None:
        """The asset's row updated first and inserted only when missing: Dagster inserts first and
        updates on the IntegrityError, so every event of an asset already known (all of them after
        the first sync) paid for a failed insert and SQLAlchemy's exception handling."""
        if not (event.dagster_event and event.dagster_event.asset_key):
            return
        values = self._get_asset_entry_values(event, event_id, self._has_asset_key_index_cols_on_connection(conn))
        if not values:
            return
        key = event.dagster_event.asset_key.to_string()
        update = AssetKeyTable.update().where(AssetKeyTable.c.asset_key == key).values(**values)
        if conn.execute(update).rowcount:
            return
        try:
            conn.execute(AssetKeyTable.insert().values(asset_key=key, **values))
        except db.exc.IntegrityError:  # another process inserted it meanwhile
            conn.execute(update)

    def store_event_batch(self, events) -> None:
        """The batches Dagster hands over when DAGSTER_EVENT_BATCH_SIZE is set (as `sync` does): a
        range run's materializations of an asset, and a new run's planned materializations and
        checks. One insert per shard and one index transaction, instead of two or three per event;
        each asset's row written once per kind of event, from its last one (the row each event
        would have left in turn), instead of once per partition with the event serialized again
        (as dagster-postgres does for its batches)."""
        if not events or any(e.dagster_event_type not in BATCHED or e.run_id != events[0].run_id for e in events):
            super().store_event_batch(events)  # one by one, as Dagster would
            return
        rows = [self._event_to_row(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        with self.index_transaction() as conn:
            ids = conn.execute(SqlEventLogStorageTable.insert().returning(SqlEventLogStorageTable.c.id,
                                                                           sort_by_parameter_order=True), rows)
            ids = [row[0] for row in ids]
            assets = [(event, event_id) for event, event_id in zip(events, ids) if event.dagster_event_type in ASSET_EVENTS]
            self._store_asset_event_tags(conn, [event for event, _ in assets], [event_id for _, event_id in assets])
            last = {(event.dagster_event.asset_key, event.dagster_event_type): (event, event_id)
                    for event, event_id in assets}
            for event, event_id in sorted(last.values(), key=lambda pair: pair[1]):
                self._store_asset_event(conn, event, event_id)
            checks = [row for event, event_id, text in zip(events, ids, (r["event"] for r in rows))
                      if event.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
                      for row in self._planned_check_rows(event, event_id, text)]
            if checks:
                conn.execute(AssetCheckExecutionsTable.insert(), checks)

    def _has_asset_key_index_cols_on_connection(self, conn: db.Connection) -> bool:
        """Dagster inspects the asset table's columns for every asset event; a column once there stays."""
        if not self._asset_key_index_cols:
            self._asset_key_index_cols = super()._has_asset_key_index_cols_on_connection(conn)
        return self._asset_key_index_cols

    def has_asset_key_col(self, column_name: str) -> bool:
        """Asked with a new inspection of the table for every asset record read (the data-version
        lookups of every step); a column once there stays."""
        return _once_true(self._asset_key_cols, column_name, super().has_asset_key_col)

    def has_secondary_index(self, name: str) -> bool:
        """Asked with a query for every asset record read; a data migration once completed stays so."""
        return _once_true(self._secondary_indexes, name, super().has_secondary_index)

    def has_table(self, table_name: str) -> bool:
        """Dagster asks before every asset event whether the optional tables exist, with a new engine
        each time; a table once there stays (migrations only add them)."""
        return _once_true(self._tables, table_name, super().has_table)

    def _store_asset_check_evaluation_planned(self, event, event_id) -> None:
        with self.index_connection() as conn:
            conn.execute(AssetCheckExecutionsTable.insert(), self._planned_check_rows(event, event_id))

    def _planned_check_rows(self, event, event_id, text: str | None = None) -> list[dict]:
        """Dagster's PLANNED rows of a check, one per partition, with the event serialized once for all
        rows (`text`: already serialized) instead of once per row (a range run over 800 days
        re-serialized it 800 times per check)."""
        planned = event.dagster_event.event_specific_data
        keys = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        row = dict(asset_key=planned.asset_key.to_string(), check_name=planned.check_name, run_id=event.run_id,
                   execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                   evaluation_event=text if text is not None else serialize_value(event),
                   evaluation_event_timestamp=self._event_insert_timestamp(event),
                   evaluation_event_storage_id=event_id)
        return [{**row, "partition": key} for key in keys]

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_engines()  # before Dagster deletes the run shards' files under them
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


class LocalSqliteRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage (runs.db) with one engine kept open, committed with synchronous=NORMAL.

    Dagster opens a new engine and connection for every read and write of a run, tag or snapshot
    (~80 in an unchanged re-run of two runs) and closes it, which checkpoints the WAL; runs.db is in
    WAL mode, so the kept connections lose nothing when the process is killed, as for the event log.
    """

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None):
        self._engine: db.Engine | None = None
        self._engine_lock = threading.Lock()
        super().__init__(conn_string, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> LocalSqliteRunStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

    @contextmanager
    def connect(self) -> Iterator[db.Connection]:
        with self._engine_lock:
            if self._engine is None:
                self._engine = _kept_engine(self._conn_string)
            engine = self._engine
        with engine.connect() as conn:
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()  # closing the last connection checkpoints runs.db
                self._engine = None
        super().dispose()


def _kept_engine(conn_string: str) -> db.Engine:
    """An engine whose pooled connections stay open and commit with synchronous=NORMAL. Five stay
    open; more threads at once (the UI's server) get extra connections closed after use, never a
    wait for a free one (SQLAlchemy's default would block the sixteenth for 30 s)."""
    engine = db.create_engine(conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                              pool_size=5, max_overflow=-1)
    db.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
    return engine


class LocalSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage in `base_dir` (DAGSTER_HOME) with the event log and run storage above."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # DagsterSqliteStorage.__init__ as it is, with our two storages: calling it would open (and check
        # the migrations of) Dagster's own run storage and event log only for them to be replaced.
        self.base_dir = base_dir
        self._run_storage = LocalSqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = LocalSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> LocalSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

    @property
    def event_storage_data(self) -> ConfigurableClassData:
        return ConfigurableClassData(__name__, LocalSqliteEventLogStorage.__name__,
                                     f"base_dir: {_event_logs_directory(self.base_dir)}\n")

    @property
    def run_storage_data(self) -> ConfigurableClassData:
        return ConfigurableClassData(__name__, LocalSqliteRunStorage.__name__,
                                     f"base_dir: {_runs_directory(self.base_dir)}\n")


def _once_true(known: set[str], name: str, ask) -> bool:
    """`ask(name)`, remembered in `known` once it is true (what a migration adds is never taken away)."""
    if name in known:
        return True
    if not ask(name):
        return False
    known.add(name)
    return True
