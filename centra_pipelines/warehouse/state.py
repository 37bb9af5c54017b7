"""The warehouse's own tables: ``sync_state`` (cursors) and ``quarantine`` (rejected rows).

``sync_state`` has one row per (stream, partition): the resume cursor of the last committed page,
written in the same transaction as that page's rows, so a cursor never runs ahead of the data.
``quarantine`` keeps rows a contract rejected, keyed by (table_name, key, reason): re-running a
sync refreshes ``payload`` and ``seen_at`` instead of piling up copies.
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
        f'"seen_at" {ts} NOT NULL, PRIMARY KEY ("table_name", "key", "reason"))',
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
        '"seen_at" = excluded."seen_at"'
    )


def key_text(key: object) -> str:
    """A row key as quarantine stores it: the value, or values joined by '|' for composite keys."""
    if isinstance(key, tuple):
        return "|".join("" if k is None else str(k) for k in key)
    return str(key)


def purge_quarantine_sql(table: Callable[[str], str], p: str) -> tuple[str, str]:
    """Count and delete quarantine rows last seen before a moment (retention)."""
    where = f'WHERE "seen_at" < {p}'
    return f"SELECT count(*) FROM {table(QUARANTINE)} {where}", f"DELETE FROM {table(QUARANTINE)} {where}"
