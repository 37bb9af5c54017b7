"""Issue 18: the sync's jobs on a cluster. Two Celery workers (subprocesses started with the
documented command) take the steps from RabbitMQ, the Dagster instance is PostgreSQL
(deploy/dagster.yaml), the warehouse PostgreSQL, Centra the sandbox over real HTTP.

Select with `pytest -k cluster`. Each test gets a RabbitMQ virtual host of its own, so parallel
sessions on one broker never take each other's steps.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import psycopg
import pytest

from centra_pipelines.centra.throttle import TIERS
from centra_pipelines.warehouse import connect
from centra_pipelines_tests.defs.truth import (assert_reference_matches, assert_stock_matches, live,
                                               quarantined_keys)

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
# One month of order windows keeps a range run short (one materialization per partition and asset);
# the sandbox's clock is 2026-03-31T12:00Z.
FIRST, LAST = "2026-03-01", "2026-03-31"
ORDERS_RANGE = {"dagster/asset_partition_range_start": FIRST, "dagster/asset_partition_range_end": LAST}
SHARE_PER_10S = 0.5 * TIERS["growth"].quotas[("requests", 10.0)]  # the resource's default share of Growth
JITTER = 5  # requests: arrivals bunched by scheduling delays on a busy machine (as test_shared_budget)


class Cluster:
    """The environment every process of the deployment shares, its workers and how to start runs."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env, self.logs, self.workers = env, logs, {}

    def start_workers(self, *names: str) -> None:
        # The documented command (docs/deploy.md); one step at a time per worker, so steps spread.
        # All are started before waiting for any: each spends seconds importing Dagster and Celery.
        for name in names:
            log = open(self.logs / f"{name}.log", "w")
            self.workers[name] = subprocess.Popen(
                [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                 "-y", str(ROOT / "deploy" / "celery.yaml"), "-n", name, "--", "--concurrency=1"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        for name in names:
            process = self.workers[name]
            while " ready." not in (self.logs / f"{name}.log").read_text():
                assert process.poll() is None, f"worker {name} exited: {(self.logs / f'{name}.log').read_text()[-2000:]}"
                assert time.monotonic() < deadline, f"worker {name} not ready in 120 s"
                time.sleep(0.2)

    def kill_worker(self, name: str) -> None:
        """kill -9 of the worker: its wrapper, the Celery main process and its pool child."""
        os.killpg(self.workers[name].pid, signal.SIGKILL)
        self.workers[name].wait()

    def start_run(self, job: str, tags: dict[str, str] | None = None) -> subprocess.Popen:
        """`dagster job execute`: this process orchestrates the run; its steps go to the workers."""
        return subprocess.Popen(
            [str(BIN / "dagster"), "job", "execute", "-m", "centra_pipelines.definitions", "-j", job,
             "--tags", json.dumps(tags or {})],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def run(self, job: str, tags: dict[str, str] | None = None) -> None:
        process = self.start_run(job, tags)
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, f"{job} failed:\n{output[-3000:]}"

    def stop(self) -> None:
        for process in self.workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def cluster(make_sandbox, pg_url, tmp_path):
    """A sandbox at Growth tier (so the budget is observable), a PostgreSQL Dagster instance and
    warehouse, a RabbitMQ virtual host; workers are started by the test."""
    sandbox = make_sandbox(scale="tiny", tier="growth")
    vhost = f"centra_test_{uuid.uuid4().hex[:12]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    admin = pg_url.rsplit("/", 1)[0]
    instance_db = f"{pg_url.rsplit('/', 1)[1]}_dagster"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{instance_db}"')
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    url = urlsplit(pg_url)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": url.hostname,
           "DAGSTER_PG_PORT": str(url.port or 5432), "DAGSTER_PG_USER": url.username or "postgres",
           "DAGSTER_PG_PASSWORD": url.password or "", "DAGSTER_PG_DB": instance_db,
           "CENTRA_API_URL": sandbox.url, "CENTRA_API_TOKEN": "sandbox", "CENTRA_WAREHOUSE_URL": pg_url,
           "CENTRA_EXECUTOR": "celery", "CENTRA_CELERY_BROKER": f"amqp://guest:guest@127.0.0.1:5672/{vhost}"}
    for name in ("CENTRA_BUDGET_URL", "CENTRA_STORES", "CENTRA_MARKETS", "CENTRA_WAREHOUSES", "CENTRA_MAPPING_FILE"):
        env.pop(name, None)
    logs = tmp_path / "logs"
    logs.mkdir()
    cluster = Cluster(env, logs)
    cluster.sandbox = sandbox
    try:
        yield cluster
    finally:
        cluster.stop()
        _rabbitmqctl("delete_vhost", vhost)
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{instance_db}" WITH (FORCE)')


def _instance(cluster: Cluster) -> dg.DagsterInstance:
    saved = {k: os.environ.get(k) for k in cluster.env if k.startswith("DAGSTER_PG_")}
    os.environ.update({k: cluster.env[k] for k in saved})
    try:
        return dg.DagsterInstance.from_config(cluster.env["DAGSTER_HOME"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key)
            else:
                os.environ[key] = value


def _step_workers(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step key, Celery worker) of every step a worker started, from the run's event log."""
    found = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        metadata = event.engine_event_data.metadata if event else {}
        if "Celery worker" in metadata:
            found.append((event.step_key, metadata["Celery worker"].value.split("@")[0]))
    return found


def _max_per_window(sandbox, seconds: float = 10.0) -> tuple[int, int]:
    """Most requests the sandbox saw in any `seconds`, and how many it answered with 429."""
    times = sorted(datetime.fromisoformat(r["time"]).timestamp() for r in sandbox.requests())
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most, sum(1 for r in sandbox.requests() if r["status"] == 429)


def _assert_orders_match(warehouse_url: str, truth: dict) -> None:
    """Every order changed in FIRST..LAST (less the null-country quirks a contract holds back) and its
    lines, each once; orders of the lookback days before FIRST may come too, as Centra has them."""
    null_country = {q["id"] for q in truth["quirks"] if q["entity"] == "orders"}
    updated = {o["id"]: o["updated_at"][:10] for o in truth["orders"] if o["id"] not in null_country}
    expected = {order_id for order_id, day in updated.items() if FIRST <= day <= LAST}
    with connect(warehouse_url) as wh:
        orders = live(wh, "orders")
        lines = live(wh, "order_lines")
    assert expected and len(orders) == orders["id"].nunique() and len(lines) == lines["id"].nunique()
    stored = set(orders["id"])
    assert expected <= stored and all(updated.get(order_id, "") < FIRST for order_id in stored - expected)
    assert set(lines["id"]) == {line["id"] for line in truth["order_lines"] if line["order_id"] in stored}


def test_cluster_executor_is_chosen_by_centra_executor_and_names_its_broker(monkeypatch):
    from centra_pipelines.defs.jobs import sync_executor

    monkeypatch.delenv("CENTRA_EXECUTOR", raising=False)
    assert sync_executor() is dg.in_process_executor
    monkeypatch.setenv("CENTRA_EXECUTOR", "celery")
    monkeypatch.setenv("CENTRA_CELERY_BROKER", "amqp://user:s3cret-broker@mq:5672//")
    celery = sync_executor()
    assert celery.name == "celery"
    # The broker is bound by the variable's name: its password is in no definition the UI shows.
    assert "s3cret-broker" not in repr(celery.config_schema) and "s3cret-broker" not in repr(celery.__dict__)
    monkeypatch.setenv("CENTRA_EXECUTOR", "kubernetes")
    with pytest.raises(ValueError, match="CENTRA_EXECUTOR='kubernetes' names no executor; use in_process or celery"):
        sync_executor()


def test_cluster_deploy_files_are_valid_dagster_configuration():
    import yaml
    from dagster._core.workspace.config_schema import ensure_workspace_config

    workspace = yaml.safe_load((ROOT / "deploy" / "workspace.yaml").read_text())
    ensure_workspace_config(workspace, str(ROOT / "deploy"))  # raises on an invalid workspace
    assert workspace["load_from"][0]["grpc_server"]["location_name"] == "centra_pipelines"
    # The workers' Celery settings are the executor's (a step is handed back when its worker dies).
    from centra_pipelines.defs.jobs import CELERY_SETTINGS

    celery = yaml.safe_load((ROOT / "deploy" / "celery.yaml").read_text())["execution"]["config"]
    assert celery["config_source"] == CELERY_SETTINGS and celery["broker"] == {"env": "CENTRA_CELERY_BROKER"}


def test_cluster_sync_on_two_workers_equals_the_sandbox(cluster, pg_url):
    cluster.start_workers("w1", "w2")
    cluster.run("reference_and_catalog_job")
    instance = _instance(cluster)
    try:
        warehouses = instance.get_dynamic_partitions("warehouse")
        assert warehouses
        # Concurrent runs: one stock run per warehouse at once, and the orders range beside them.
        runs = [cluster.start_run("stock_job", {"dagster/partition": key}) for key in warehouses]
        runs.append(cluster.start_run("orders_daily_job", ORDERS_RANGE))
        for process in runs:
            output, _ = process.communicate(timeout=600)
            assert process.returncode == 0, output[-3000:]

        records = instance.get_run_records()
        assert len(records) == len(warehouses) + 2
        assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records)
        steps = [(r.dagster_run.run_id, *step) for r in records for step in _step_workers(instance, r.dagster_run.run_id)]
        assert {worker for _, _, worker in steps} == {"w1", "w2"}, steps
        # Every step of every run ran once, on one worker.
        assert len({(run_id, step) for run_id, step, _ in steps}) == len(steps)
    finally:
        instance.dispose()

    truth = cluster.sandbox.truth()
    with connect(pg_url) as wh:
        assert_reference_matches(wh, truth)
        products = set(live(wh, "products")["id"]) | {int(k) for k in quarantined_keys(wh, "products")}
        assert products == {p["id"] for p in truth["products"]}
        assert set(live(wh, "variants")["id"]) == {v["id"] for v in truth["variants"]}
        assert_stock_matches(wh, truth)
    _assert_orders_match(pg_url, truth)
    # One budget across workers and runs: never more than our share of Growth per 10 s, no 429.
    most, throttled = _max_per_window(cluster.sandbox)
    assert most <= SHARE_PER_10S + JITTER and throttled == 0, (most, throttled)


def _orders_committed(pg_url: str) -> int:
    import psycopg

    with connect(pg_url) as wh:
        try:
            return wh.count("orders")
        except psycopg.errors.UndefinedTable:  # before the step's first commit
            return 0


def test_cluster_worker_killed_mid_run_then_rerun_loses_and_duplicates_nothing(cluster, pg_url, tmp_path):
    # One order a page (12 in the range at tiny scale), so the step is surely mid-way when its worker dies.
    mapping = tmp_path / "one_order_a_page.yaml"
    mapping.write_text("sync:\n  orders_page_size: 1\n")
    cluster.env["CENTRA_MAPPING_FILE"] = str(mapping)
    cluster.start_workers("w1", "w2")
    cluster.run("reference_and_catalog_job")
    instance = _instance(cluster)
    try:
        before = {r.dagster_run.run_id for r in instance.get_run_records()}
        run = cluster.start_run("orders_daily_job", ORDERS_RANGE)
        deadline = time.monotonic() + 120
        victim = None
        while victim is None:
            assert time.monotonic() < deadline, "no step of the orders run started on a worker"
            new = [r.dagster_run.run_id for r in instance.get_run_records() if r.dagster_run.run_id not in before]
            started = _step_workers(instance, new[0]) if new else []
            if started:
                killed_step, victim = started[0]
                run_id = new[0]
            time.sleep(0.2)
        while _orders_committed(pg_url) == 0:  # let the step commit a page first
            assert time.monotonic() < deadline + 120, "the orders step committed no page"
            time.sleep(0.05)
        cluster.kill_worker(victim)
        output, _ = run.communicate(timeout=600)
        # Retried, not lost: the broker handed the killed worker's step to the other worker, which ran
        # it again (a resumable step: it starts after the pages already committed), and the run succeeded.
        assert run.returncode == 0 and instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS, output[-3000:]
        survivor = ({"w1", "w2"} - {victim}).pop()
        started = _step_workers(instance, run_id)
        assert {(killed_step, victim), (killed_step, survivor)} <= set(started), started
        _assert_orders_match(pg_url, cluster.sandbox.truth())

        # A re-run completes, resuming from the committed pages.
        cluster.run("orders_daily_job", ORDERS_RANGE)
    finally:
        instance.dispose()
    _assert_orders_match(pg_url, cluster.sandbox.truth())
