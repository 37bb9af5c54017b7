"""The budget stores: one atomic read-modify-write per update, across connections (processes)."""

import threading
import uuid

import psycopg
import pytest

from centra_pipelines.centra.budget_store import open_store


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'budget.sqlite'}"
    if request.param == "redis":
        return request.getfixturevalue("redis_url")
    return request.getfixturevalue("pg_url")


def test_concurrent_updates_from_separate_connections_lose_nothing(store_url):
    stores = [open_store(store_url) for _ in range(4)]
    key = f"k-{uuid.uuid4().hex}"  # Redis is one server for every test: a key of this test's own

    def count(store):
        for _ in range(50):
            store.update(key, lambda state: ({"n": (state or {}).get("n", 0) + 1}, None))

    threads = [threading.Thread(target=count, args=(store,)) for store in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert stores[0].update(key, lambda state: (state, state["n"])) == 200
        assert stores[1].update(key + "-other", lambda state: ({}, state)) is None  # keys are separate budgets
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


def test_unreachable_redis_is_named_without_its_password():
    store = open_store("redis://:secret-pw@127.0.0.1:1/0")  # nothing listens on port 1
    with pytest.raises(ConnectionError, match="Redis at 127.0.0.1:1") as failure:
        store.update("k", lambda state: ({}, None))
    assert "secret-pw" not in str(failure.value)
