"""The sync on a cluster: the same jobs on 1 and then 2 Celery workers, the budget not binding.

Each pass gets a fresh PostgreSQL Dagster instance (deploy/dagster.yaml), a fresh PostgreSQL
warehouse and a RabbitMQ virtual host; the sandbox Centra (tier off, so the budget never binds)
runs in this process. Workers are started with the documented command
(`dagster-celery worker start -A dagster_celery.app -y deploy/celery.yaml -n <name>`), one step at
a time each (`--concurrency=1`), so 2 workers is twice the step slots of 1. Runs are started with
`dagster job execute` (the orchestrating process hands every step to the workers):

    1. reference_and_catalog_job
    2. at once: market_catalog_job per market, stock_job per warehouse, customers_daily_job and
       orders_daily_job over the --since..last-day range

The wall time covers the runs only (workers already up). Target: 1 worker ÷ 2 workers >= 1.25
(exit 1 when missed). On a shared 2-core machine the figure is a floor of what separate machines give.

    .venv/bin/python bench/cluster_sync.py                 # tiny scale, ~3 min
    .venv/bin/python bench/cluster_sync.py --scale small
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 1.25
ADMIN_URL = os.environ.get("CENTRA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def _start_worker(name: str, env: dict, logs: Path) -> subprocess.Popen:
    log = logs / f"{name}.log"
    process = subprocess.Popen(
        [str(BIN / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
         "-y", str(ROOT / "deploy" / "celery.yaml"), "-n", name, "--", "--concurrency=1"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while " ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"worker {name} did not start; see {log}")
        time.sleep(0.5)
    return process


def _execute(env: dict, job: str, tags: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "dagster"), "job", "execute", "-m", "centra_pipelines.definitions", "-j", job,
         "--tags", json.dumps(tags or {})],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait(runs: list[tuple[str, subprocess.Popen]]) -> None:
    for job, process in runs:
        output, _ = process.communicate()
        if process.returncode != 0:
            sys.exit(f"{job} failed:\n{output[-3000:]}")


def _partitions(env: dict, name: str) -> list[str]:
    import dagster as dg

    os.environ.update({k: v for k, v in env.items() if k.startswith("DAGSTER_PG_")})
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        return instance.get_dynamic_partitions(name)


def one_pass(workers: int, sandbox_url: str, since: str, last: str, work: Path) -> float:
    """Wall seconds of the sync's runs on `workers` workers."""
    admin = ADMIN_URL.rsplit("/", 1)[0]
    tag = uuid.uuid4().hex[:10]
    databases = [f"centra_bench_{tag}", f"centra_bench_{tag}_dagster"]
    vhost = f"centra_bench_{tag}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        for name in databases:
            conn.execute(f'CREATE DATABASE "{name}"')
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    home = work / f"home_{workers}"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    url = urlsplit(ADMIN_URL)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DAGSTER_HOME": str(home),
           "DAGSTER_PG_HOST": url.hostname, "DAGSTER_PG_PORT": str(url.port or 5432),
           "DAGSTER_PG_USER": url.username or "postgres", "DAGSTER_PG_PASSWORD": url.password or "",
           "DAGSTER_PG_DB": databases[1], "CENTRA_API_URL": sandbox_url, "CENTRA_API_TOKEN": "sandbox",
           "CENTRA_WAREHOUSE_URL": f"{admin}/{databases[0]}", "CENTRA_EXECUTOR": "celery",
           "CENTRA_CELERY_BROKER": f"amqp://guest:guest@127.0.0.1:5672/{vhost}"}
    processes = []
    try:
        processes = [_start_worker(f"bench{workers}_{i}", env, work) for i in range(workers)]
        started = time.monotonic()
        _wait([("reference_and_catalog_job", _execute(env, "reference_and_catalog_job"))])
        window = {"dagster/asset_partition_range_start": since, "dagster/asset_partition_range_end": last}
        runs = [("market_catalog_job", _execute(env, "market_catalog_job", {"dagster/partition": key}))
                for key in _partitions(env, "market")]
        runs += [("stock_job", _execute(env, "stock_job", {"dagster/partition": key}))
                 for key in _partitions(env, "warehouse")]
        runs += [(job, _execute(env, job, window)) for job in ("customers_daily_job", "orders_daily_job")]
        _wait(runs)
        return time.monotonic() - started
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(60)
        _rabbitmqctl("delete_vhost", vhost)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            for name in databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="tiny", choices=["tiny", "small", "medium"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--since", default="2026-03-01", help="first daily window of customers and orders")
    args = parser.parse_args()

    from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

    times = {}
    with tempfile.TemporaryDirectory(prefix="cluster_sync_") as work:
        for workers in (1, 2):
            # A fresh sandbox per pass: both passes sync the same data from scratch.
            with SandboxServer(SandboxConfig(seed=args.seed, scale=args.scale, tier="off")) as sandbox:
                last = sandbox.sandbox.now.date().isoformat()
                times[workers] = one_pass(workers, sandbox.url, args.since, last, Path(work))
            print(f"{workers} worker(s): {times[workers]:.1f} s wall (scale {args.scale}, tier off)", flush=True)
    ratio = times[1] / times[2]
    print(f"speed-up, 1 worker ÷ 2 workers: {ratio:.2f} (target >= {TARGET}) on {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
