"""Shared fixtures. Append yours; do not remove others'."""

from __future__ import annotations

import os

import pytest

from centra_pipelines.home import FRAMEWORK_ENV
from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

# Every test's Dagster runs with the settings `sync` and `ui` give Dagster (centra_pipelines/home.py),
# not only those that call prepare_dagster_home, so that the order of tests does not decide them.
for _name, _value in FRAMEWORK_ENV.items():
    os.environ.setdefault(_name, _value)


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


# --- the README's first command, then the UI on the instance it used ---------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def synced_project(tmp_path_factory):
    """`centra-pipelines sync` run as a new user runs it, in a fresh folder with none of our variables
    set (the in-process sandbox, ./data/warehouse.duckdb, ./.dagster_home); at scale tiny with an
    initial import from March 2026, to stay quick (its data quirks still fail the sizes contract).
    `.root`, `.env` (for further commands there), `.result` (the finished process)."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    root = tmp_path_factory.mktemp("project")
    (root / "mapping.yaml").write_text("sync:\n  initial_import_start: 2026-03-01\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTRA_", "DAGSTER_"))}
    env["CENTRA_MAPPING_FILE"] = str(root / "mapping.yaml")
    command = [str(Path(sys.executable).parent / "centra-pipelines"), "sync", "--scale", "tiny"]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=900)
    return SimpleNamespace(root=root, env=env, result=result, command=command)


@pytest.fixture(scope="module")
def ui_server(synced_project):
    """`centra-pipelines ui` in the synced folder (its own sandbox on a free port): `.url`. Module
    scope: the UI's processes stop when the tests that read it are done."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path
    from types import SimpleNamespace

    import httpx

    port = _free_port()
    log = open(synced_project.root / "ui.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "centra-pipelines"), "ui", "--port", str(port), "--sandbox-port", "0",
         "--scale", "tiny"],
        cwd=synced_project.root, env=synced_project.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"centra-pipelines ui exited: {(synced_project.root / 'ui.log').read_text()[-3000:]}")
            try:
                entries = httpx.post(f"{url}/graphql", json={"query": query}, timeout=10).json()[
                    "data"]["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except (httpx.HTTPError, KeyError, TypeError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the UI did not load in 300 s: {(synced_project.root / 'ui.log').read_text()[-3000:]}")
            time.sleep(1)
        yield SimpleNamespace(url=url, process=process)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: `dagster dev` shuts down cleanly
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
