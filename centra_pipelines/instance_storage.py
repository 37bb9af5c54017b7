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

import time
from contextlib import contextmanager
from functools import cache
from typing import Iterator

import sqlalchemy as db
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from dagster._core.events import DagsterEventType
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (INDEX_SHARD_NAME, SqlEventLogStorageMetadata,
                                                                      SqliteEventLogStorage)
from dagster._core.storage.sql import get_alembic_config
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from dagster_shared.serdes import serialize_value

CHECKPOINT_SECONDS = 1.0
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
        self._tables: set[str] = set()
        self._asset_key_index_cols = False
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> db.Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = db.create_engine(self.conn_string_for_shard(shard),
                                      connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            db.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
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

    def store_event_batch(self, events) -> None:
        """A range run's materializations of one asset (Dagster hands them over together when
        DAGSTER_EVENT_BATCH_SIZE is set, as `sync` does): one insert per shard, and the asset's
        latest-materialization row written once, from the last event, instead of once per partition
        with the event serialized again each time (as dagster-postgres does for its batches)."""
        if not events or any(e.dagster_event_type != DagsterEventType.ASSET_MATERIALIZATION
                             or e.run_id != events[0].run_id for e in events):
            super().store_event_batch(events)  # one by one, as Dagster would
            return
        rows = [self._event_to_row(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        with self.index_transaction() as conn:
            ids = conn.execute(SqlEventLogStorageTable.insert().returning(SqlEventLogStorageTable.c.id,
                                                                           sort_by_parameter_order=True), rows)
            ids = [row[0] for row in ids]
            self._store_asset_event_tags(conn, events, ids)
            self._store_asset_event(conn, events[-1], ids[-1])

    def _has_asset_key_index_cols_on_connection(self, conn: db.Connection) -> bool:
        """Dagster inspects the asset table's columns for every asset event; a column once there stays."""
        if not self._asset_key_index_cols:
            self._asset_key_index_cols = super()._has_asset_key_index_cols_on_connection(conn)
        return self._asset_key_index_cols

    def has_table(self, table_name: str) -> bool:
        """Dagster asks before every asset event whether the optional tables exist, with a new engine
        each time; a table once there stays (migrations only add them)."""
        if table_name not in self._tables:
            if not super().has_table(table_name):
                return False
            self._tables.add(table_name)
        return True

    def _store_asset_check_evaluation_planned(self, event, event_id) -> None:
        """Dagster's insert of one PLANNED row per partition, with the event serialized once for all
        rows instead of once per row (a range run over 800 days re-serialized it 800 times per check)."""
        planned = event.dagster_event.event_specific_data
        keys = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        row = dict(asset_key=planned.asset_key.to_string(), check_name=planned.check_name, run_id=event.run_id,
                   execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                   evaluation_event=serialize_value(event),
                   evaluation_event_timestamp=self._event_insert_timestamp(event),
                   evaluation_event_storage_id=event_id)
        with self.index_connection() as conn:
            conn.execute(AssetCheckExecutionsTable.insert(), [{**row, "partition": key} for key in keys])

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


class LocalSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage in `base_dir` (DAGSTER_HOME) with the event log above."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = LocalSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> LocalSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)

    @property
    def event_storage_data(self) -> ConfigurableClassData:
        return ConfigurableClassData(__name__, LocalSqliteEventLogStorage.__name__,
                                     f"base_dir: {_event_logs_directory(self.base_dir)}\n")
