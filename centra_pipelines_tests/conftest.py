"""Shared fixtures. Append yours; do not remove others'."""

from __future__ import annotations

import pytest

from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer


@pytest.fixture(scope="session")
def sandbox_server():
    """One sandbox Centra for the session over real HTTP: scale small, seed 7, no rate limits.
    Tests that change faults or rate limits use `make_sandbox` instead."""
    with SandboxServer(SandboxConfig(seed=7, scale="small", tier="off")) as server:
        yield server


@pytest.fixture
def make_sandbox():
    """Factory: `make_sandbox(faults="5xx=1", tier=Tier.custom(...))` starts a SandboxServer
    (defaults: scale tiny, seed 7, tier off) and stops it when the test ends."""
    servers: list[SandboxServer] = []

    def make(**config) -> SandboxServer:
        config.setdefault("scale", "tiny")
        config.setdefault("seed", 7)
        config.setdefault("tier", "off")
        server = SandboxServer(SandboxConfig(**config)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


# --- warehouse: real PostgreSQL databases and a URL per engine --------------------------------

POSTGRES_ADMIN_URL_ENV = "CENTRA_TEST_POSTGRES_URL"  # default: the CI server, trust auth


def _postgres_admin_url() -> str:
    import os

    return os.environ.get(POSTGRES_ADMIN_URL_ENV, "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url():
    """URL of a fresh, empty PostgreSQL database on the test server; dropped after the test."""
    import uuid

    import psycopg

    admin = _postgres_admin_url()
    name = f"centra_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL test server unreachable ({POSTGRES_ADMIN_URL_ENV} or 127.0.0.1:5432): {exc}")
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin.rsplit("/", 1)[0] + "/" + name
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request, tmp_path):
    """The same test on both engines: a DuckDB file in tmp_path, then a fresh PostgreSQL database."""
    if request.param == "duckdb":
        from centra_pipelines.warehouse import duckdb_url

        return duckdb_url(tmp_path / "warehouse" / "centra.duckdb")
    return request.getfixturevalue("pg_url")


# --- webhooks: the receiver over real HTTP ------------------------------------------------------


@pytest.fixture
def make_receiver(tmp_path):
    """Factory: `make_receiver(secrets=("s",), tolerance_seconds=None, ...)` starts a webhook
    receiver (centra_pipelines.webhooks.ReceiverServer) on a free 127.0.0.1 port landing into
    tmp_path/landing (any WebhookSettings field may be given); stopped when the test ends."""
    from centra_pipelines.webhooks.server import ReceiverServer
    from centra_pipelines.webhooks.settings import WebhookSettings

    servers: list[ReceiverServer] = []

    def make(**settings) -> ReceiverServer:
        settings.setdefault("landing", tmp_path / "landing")
        settings.setdefault("secrets", ("receiver-secret-1",))
        server = ReceiverServer(WebhookSettings(**settings)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


# --- Redis: the machine's server (127.0.0.1:6379, nothing kept on disk) ---------------------------

REDIS_URL_ENV = "CENTRA_TEST_REDIS_URL"  # default: the CI machine's server


@pytest.fixture
def redis_url():
    """URL of the test Redis server; tests use keys of their own (one server for every test)."""
    import os

    import redis

    url = os.environ.get(REDIS_URL_ENV, "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis test server unreachable ({REDIS_URL_ENV} or 127.0.0.1:6379): {exc}")
    return url
