"""Where the shared rate budget lives: one small JSON state per Centra endpoint, changed atomically.

Every process and machine of a deployment that talks to one Centra must spend one budget, so its
state (what each window's slots hold, the pause after a 429, who is waiting in which lane) sits
where all of them reach it: a SQLite file (one machine: the Dagster instance's directory), PostgreSQL (production,
the Dagster instance's database) or Redis (``CENTRA_BUDGET_URL=redis://…``). A store offers one operation, ``update``: read the
state, let a pure function change it, write it back, as one atomic step across processes. The
budget arithmetic (``throttle.py``) is the same whatever the store.

Why not a rate-limit library: pyrate-limiter's SQLite and PostgreSQL buckets keep one row per unit
of weight (a 10 s complexity budget of 125,000 points would be 125,000 rows, and its weight column
is a SMALLINT), and neither it nor ``limits`` has priority lanes, a shared pause after a 429, or a
cost settled after the response; those are what this budget needs.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
#: state -> (new state, result); called inside the store's lock, must not block
Change = Callable[[dict[str, Any] | None], tuple[dict[str, Any], T]]

MEMORY = "memory"


def _host(url: str, default_port: int) -> str:
    """host:port of a store's URL, for messages: never the URL itself, which may carry a password."""
    where = urlsplit(url)
    return f"{where.hostname}:{where.port or default_port}"


class BudgetStore(Protocol):
    def update(self, key: str, change: Change) -> T: ...

    def close(self) -> None: ...


class MemoryStore:
    """This process only: the budget of a run on an ephemeral Dagster instance, and of tests."""

    def __init__(self) -> None:
        self._states: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def update(self, key: str, change: Change) -> T:
        with self._lock:
            self._states[key], result = change(self._states.get(key))
            return result

    def close(self) -> None:
        pass


class SqliteStore:
    """A SQLite file shared by the processes of one machine; ``BEGIN IMMEDIATE`` serialises writers."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN ourselves; the timeout covers a busy neighbour.
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # losing the last budget change on power loss is harmless
        self._conn.execute("CREATE TABLE IF NOT EXISTS centra_budget (key TEXT PRIMARY KEY, state TEXT NOT NULL)")
        self._lock = threading.Lock()

    def update(self, key: str, change: Change) -> T:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._conn.execute("SELECT state FROM centra_budget WHERE key = ?", (key,)).fetchone()
                state, result = change(json.loads(row[0]) if row else None)
                self._conn.execute("INSERT INTO centra_budget (key, state) VALUES (?, ?) "
                                   "ON CONFLICT (key) DO UPDATE SET state = excluded.state", (key, json.dumps(state)))
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    def close(self) -> None:
        self._conn.close()


class PostgresStore:
    """A row per budget in PostgreSQL, changed under ``SELECT … FOR UPDATE`` (any number of machines)."""

    _LOCK = "SELECT state FROM centra_budget WHERE key = %s FOR UPDATE"

    def __init__(self, url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        self._url = url
        self._lock = threading.Lock()
        self._conn = self._connect()
        with self._conn.transaction():
            # Concurrent first runs would race on CREATE TABLE IF NOT EXISTS; the advisory lock orders them.
            self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('centra_budget'))")
            self._conn.execute("CREATE TABLE IF NOT EXISTS centra_budget (key text PRIMARY KEY, state jsonb NOT NULL)")

    def _connect(self):
        try:
            return self._psycopg.connect(self._url, autocommit=True, connect_timeout=10)
        except self._psycopg.OperationalError:
            # psycopg's message may quote the URL with its password: name the host only.
            raise ConnectionError(f"the shared Centra budget's PostgreSQL at {_host(self._url, 5432)} "
                                  "is unreachable (CENTRA_BUDGET_URL or the Dagster instance storage)") from None

    def update(self, key: str, change: Change) -> T:
        from psycopg.types.json import Jsonb

        with self._lock:
            if self._conn.closed:
                self._conn = self._connect()
            try:
                with self._conn.transaction():
                    row = self._conn.execute(self._LOCK, (key,)).fetchone()
                    if row is None:  # the first use of this budget: create its row, then lock it like any other
                        self._conn.execute("INSERT INTO centra_budget (key, state) VALUES (%s, '{}') "
                                           "ON CONFLICT DO NOTHING", (key,))
                        row = self._conn.execute(self._LOCK, (key,)).fetchone()
                    state, result = change(row[0] or None)
                    self._conn.execute("UPDATE centra_budget SET state = %s WHERE key = %s", (Jsonb(state), key))
            except self._psycopg.OperationalError:
                # the server went away (restart, failover): the next update connects again; the URL stays out
                self._conn.close()
                raise ConnectionError(f"the shared Centra budget's PostgreSQL at {_host(self._url, 5432)} "
                                      "dropped the connection; the run can be retried") from None
            return result

    def close(self) -> None:
        self._conn.close()


class RedisStore:
    """A key per budget in Redis, changed in a WATCH/MULTI transaction (retried when another writer won)."""

    PREFIX = "centra_budget:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis
        self._client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        self._where = _host(url, 6379)

    def update(self, key: str, change: Change) -> T:
        name = self.PREFIX + key

        def attempt(pipe):
            stored = pipe.get(name)
            state, result = change(json.loads(stored) if stored else None)
            pipe.multi()
            pipe.set(name, json.dumps(state))
            return result

        try:
            return self._client.transaction(attempt, name, value_from_callable=True)
        except self._redis.ConnectionError:
            raise ConnectionError(f"the shared Centra budget's Redis at {self._where} is unreachable "
                                  "(CENTRA_BUDGET_URL); the run can be retried") from None

    def close(self) -> None:
        self._client.close()


def open_store(url: str | None) -> BudgetStore:
    """The store a budget URL names: ``memory``, ``sqlite:///path``, ``postgresql://…``, ``redis://…``."""
    if not url or url == MEMORY:
        return MemoryStore()
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        prefix = "sqlite:///"  # sqlite:///relative/file or sqlite:////absolute/file
        if not url.startswith(prefix) or len(url) == len(prefix):
            raise ValueError("a sqlite budget URL names a file: sqlite:///relative/path or sqlite:////absolute/path")
        return SqliteStore(url[len(prefix):])
    if scheme.split("+", 1)[0] in ("postgresql", "postgres"):
        # the Dagster instance's URL may name a SQLAlchemy driver (postgresql+psycopg2://); psycopg wants none
        return PostgresStore("postgresql" + url[url.index("://"):])
    if scheme in ("redis", "rediss"):
        return RedisStore(url)
    raise ValueError(f"unknown shared budget store {scheme!r} in CENTRA_BUDGET_URL: "
                     "use memory, sqlite:///path, postgresql://user@host:port/db or redis://host:port/db")
