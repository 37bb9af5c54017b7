"""The DuckDB engine: one database file, one writer process at a time.

DuckDB refuses a second process while any connection to the file is open, so our processes take
an exclusive inter-process lock (``<file>.lock``) before opening it. Opening and closing the file
costs ~13 ms (the close checkpoints the write-ahead log), and a sync step runs a few dozen short
sessions: so each process keeps its one connection open between sessions (``_HeldFile``) and
hands the file over when another process asks for it (``<file>.want``) or after a second of
idleness (a DuckDB shell or a notebook, which do not ask, then find the file free). Keep
transactions short (one page of rows); other processes wait up to ``lock_timeout`` seconds.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import duckdb
import pandas as pd

from centra_pipelines.warehouse.errors import UpsertError, WarehouseConnectionError, WarehouseLockTimeout
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
        held = _held_file(self.path)
        with held.use(self.lock) as con:
            self.catalog = held.catalog
            if not transaction:
                yield DuckDBSession(con, held.ensured)
                return
            con.begin()
            try:
                yield DuckDBSession(con, held.ensured)
            except BaseException:
                con.rollback()
                raise
            con.commit()

    def close(self) -> None:
        """The file stays open for this process's next session (see ``_HeldFile``)."""


class _HeldFile:
    """This process's one connection to a DuckDB file, kept between sessions and handed over on demand.

    A process that waits for the file holds a shared ``flock`` on ``<file>.want`` while it waits;
    the holder looks for one after each session and every ``_LOOK_SECONDS`` while idle, and closes
    the file when it finds one or when it has been idle ``IDLE_SECONDS``. Threads of this process
    share the connection one session at a time. A killed process's locks go with it (kernel).
    """

    IDLE_SECONDS = 1.0
    _LOOK_SECONDS = 0.05

    def __init__(self, path: Path) -> None:
        self.path = path
        self.catalog: str | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock: FileLock | None = None
        self._want_fd: int | None = None
        self._busy = threading.Lock()  # one session at a time on the connection
        self._last_used = 0.0
        self._opened = 0  # which opening a watcher thread belongs to
        self._opened_file: tuple[int, int] | None = None  # (device, inode) of the file the connection has
        self.ensured: set = set()  # see DuckDBSession.ensured; emptied whenever the file is let go

    @contextmanager
    def use(self, lock: FileLock) -> Iterator[duckdb.DuckDBPyConnection]:
        # Another thread's session (or an enclosing one of another Warehouse on this thread) has it:
        # wait as long as for another process.
        if not self._busy.acquire(timeout=max(lock.timeout, 0.0)):
            raise WarehouseLockTimeout(
                f"Timed out after {lock.timeout:g} s waiting for {lock.what}: another session of this process "
                f"(pid {os.getpid()}) is using it. {lock.advice}")
        try:
            if self._con is not None and self._file_id() != self._opened_file:
                self._close()  # the file was deleted or replaced since: the connection holds the old one
            if self._con is None:
                self._open(lock)
            try:
                yield self._con
            except BaseException:
                self._close()  # a failed session may leave the connection unusable: start clean next time
                raise
            self._last_used = time.monotonic()
            if self._wanted():
                self._close()
        finally:
            self._busy.release()

    def _open(self, lock: FileLock) -> None:
        want = self.path.with_name(self.path.name + ".want")
        fd = os.open(want, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # "I am waiting": the holder sees it and hands over
            lock.acquire()
        finally:
            os.close(fd)  # closing drops the shared lock
        try:
            con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            lock.release()
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
        except BaseException:
            con.close()
            lock.release()
            raise
        self._con, self._lock = con, lock
        self._opened_file = self._file_id()
        self._want_fd = os.open(want, os.O_RDWR | os.O_CREAT, 0o644)
        self._last_used = time.monotonic()
        self._opened += 1
        threading.Thread(target=self._watch, args=(self._opened,), name=f"duckdb-hand-over {self.path.name}",
                         daemon=True).start()

    def _file_id(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def _wanted(self) -> bool:
        """Whether a process is waiting for the file (it holds a shared lock on the .want file)."""
        try:
            fcntl.flock(self._want_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._want_fd, fcntl.LOCK_UN)
        return False

    def _watch(self, opened: int) -> None:
        """While the file is open and no session runs: close it when asked for or idle."""
        while True:
            time.sleep(self._LOOK_SECONDS)
            if not self._busy.acquire(blocking=False):
                continue
            try:
                if self._con is None or self._opened != opened:
                    return
                if time.monotonic() - self._last_used >= self.IDLE_SECONDS or self._wanted():
                    self._close()
                    return
            finally:
                self._busy.release()

    def _close(self) -> None:
        self.ensured = set()  # once let go, another program may change the tables
        con, self._con = self._con, None
        if con is not None:
            with suppress(duckdb.Error):
                con.close()
        if self._want_fd is not None:
            os.close(self._want_fd)
            self._want_fd = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        # at exit a daemon thread may be inside a session: leave its file to the kernel then
        if self._busy.acquire(timeout=5.0):
            try:
                self._close()
            finally:
                self._busy.release()


_HELD: dict[Path, _HeldFile] = {}
_HELD_LOCK = threading.Lock()


def _held_file(path: Path) -> _HeldFile:
    with _HELD_LOCK:
        held = _HELD.get(path)
        if held is None:
            held = _HELD[path] = _HeldFile(path)
        return held


@atexit.register
def _close_held_files() -> None:
    """Close (and checkpoint) every file this process still holds when it exits normally."""
    for held in list(_HELD.values()):
        held.close()


def _forget_held_files() -> None:
    # A forked child must not use (or close) its parent's connections; it opens its own.
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_held_files)


class DuckDBSession:
    def __init__(self, con: duckdb.DuckDBPyConnection, ensured: set | None = None) -> None:
        self.con = con
        # The tables this connection has created or checked (Warehouse.ensure_tables): the file was held
        # by this process since, so no other program changed them (it would have needed the file).
        self.ensured = ensured

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
