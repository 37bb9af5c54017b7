"""The warehouse's own tables: ``sync_state`` (cursors) and ``quarantine`` (rejected rows).

``sync_state`` has one row per (stream, partition): the resume cursor of the last committed page,
written in the same transaction as that page's rows, so a cursor never runs ahead of the data.
``quarantine`` keeps rows a contract rejected, keyed by (table_name, key, reason): re-running a
sync refreshes ``payload`` and ``seen_at`` instead of piling up copies. When a valid version of a
row loads, its quarantine rows get ``resolved_at`` (kept, for the record, until retention).
"""

from __future__ import annotations

from typing import Callable

SYNC_STATE = "sync_state"
QUARANTINE = "quarantine"
UNPARTITIONED = ""  # the partition value of streams that have no partitions

# Column types of the staging batch a quarantine() call loads.
QUARANTINE_BATCH = {"table_name": "text", "key": "text", "reason": "text", "payload": "json"}


def state_ddl(table: Callable[[str], str], sql_type: Callable[[str], str]) -> list[str]:
    ts, text, js = sql_type("timestamptz"), sql_type("text"), sql_type("json")
    return [
        f"CREATE TABLE IF NOT EXISTS {table(SYNC_STATE)} ("
        f'"stream" {text} NOT NULL, "partition" {text} NOT NULL, "cursor" {text}, "updated_at" {ts} NOT NULL, '
        f'PRIMARY KEY ("stream", "partition"))',
        f"CREATE TABLE IF NOT EXISTS {table(QUARANTINE)} ("
        f'"table_name" {text} NOT NULL, "key" {text} NOT NULL, "reason" {text} NOT NULL, "payload" {js}, '
        f'"seen_at" {ts} NOT NULL, "resolved_at" {ts}, PRIMARY KEY ("table_name", "key", "reason"))',
        # Warehouses made before quarantine rows could be resolved.
        f'ALTER TABLE {table(QUARANTINE)} ADD COLUMN IF NOT EXISTS "resolved_at" {ts}',
    ]


def save_cursor_sql(table: Callable[[str], str], p: str) -> str:
    return (
        f'INSERT INTO {table(SYNC_STATE)} ("stream", "partition", "cursor", "updated_at") '
        f"VALUES ({p}, {p}, {p}, now()) "
        'ON CONFLICT ("stream", "partition") DO UPDATE SET "cursor" = excluded."cursor", '
        '"updated_at" = excluded."updated_at"'
    )


def load_cursor_sql(table: Callable[[str], str], p: str) -> str:
    return f'SELECT "cursor" FROM {table(SYNC_STATE)} WHERE "stream" = {p} AND "partition" = {p}'


def quarantine_sql(table: Callable[[str], str], stage: str) -> str:
    cols = '"table_name", "key", "reason", "payload"'
    return (
        f'INSERT INTO {table(QUARANTINE)} ({cols}, "seen_at") SELECT {cols}, now() FROM {stage} '
        'ON CONFLICT ("table_name", "key", "reason") DO UPDATE SET "payload" = excluded."payload", '
        '"seen_at" = excluded."seen_at", "resolved_at" = NULL'
    )


def open_quarantine_sql(table: Callable[[str], str], p: str) -> str:
    """Whether a table has unresolved quarantine rows (a cheap test before resolving any)."""
    return f'SELECT 1 FROM {table(QUARANTINE)} WHERE "table_name" = {p} AND "resolved_at" IS NULL LIMIT 1'


def resolve_quarantine_sql(table: Callable[[str], str], stage: str, p: str) -> tuple[str, str]:
    """Count and mark resolved the open quarantine rows of a table whose key is in `stage`."""
    where = (f'WHERE "table_name" = {p} AND "resolved_at" IS NULL AND "key" IN (SELECT "key" FROM {stage})')
    return (f"SELECT count(*) FROM {table(QUARANTINE)} {where}",
            f'UPDATE {table(QUARANTINE)} SET "resolved_at" = now() {where}')


def key_text(key: object) -> str:
    """A row key as quarantine stores it: the value, or values joined by '|' for composite keys.
    Integral floats (an int column pandas widened for a null elsewhere) read as ints."""
    if isinstance(key, tuple):
        return "|".join(_part(k) for k in key)
    return _part(key)


def _part(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def purge_quarantine_sql(table: Callable[[str], str], p: str) -> tuple[str, str]:
    """Count and delete quarantine rows last seen before a moment (retention)."""
    where = f'WHERE "seen_at" < {p}'
    return f"SELECT count(*) FROM {table(QUARANTINE)} {where}", f"DELETE FROM {table(QUARANTINE)} {where}"
