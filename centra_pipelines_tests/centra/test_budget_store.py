"""The budget stores: one atomic read-modify-write per update, across connections (processes)."""

import threading

import psycopg
import pytest

from centra_pipelines.centra.budget_store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'budget.sqlite'}"
    return request.getfixturevalue("pg_url")


def test_concurrent_updates_from_separate_connections_lose_nothing(store_url):
    stores = [open_store(store_url) for _ in range(4)]

    def count(store):
        for _ in range(50):
            store.update("k", lambda state: ({"n": (state or {}).get("n", 0) + 1}, None))

    threads = [threading.Thread(target=count, args=(store,)) for store in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert stores[0].update("k", lambda state: (state, state["n"])) == 200
        assert stores[1].update("other", lambda state: ({}, state)) is None  # keys are separate budgets
    finally:
        for store in stores:
            store.close()


def test_a_dropped_postgresql_connection_fails_one_update_clearly_then_reconnects(pg_url):
    store = open_store(pg_url.replace("postgres@", "postgres:pw-not-shown@"))
    try:
        store.update("k", lambda state: ({"n": 1}, None))
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        with pytest.raises(ConnectionError, match="dropped the connection") as failure:
            store.update("k", lambda state: (state, None))
        assert "pw-not-shown" not in str(failure.value)
        assert store.update("k", lambda state: (state, state["n"])) == 1
    finally:
        store.close()
