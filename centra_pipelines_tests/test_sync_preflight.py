"""`centra-pipelines sync` refuses in one line, before any run, what would fail every job."""

import os
import subprocess
import sys

import duckdb

from centra_pipelines.warehouse import duckdb_url
from centra_pipelines.warehouse.lock import FileLock


def run_sync(tmp_path, home, warehouse: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home), "CENTRA_WAREHOUSE_URL": warehouse}
    env.pop("CENTRA_API_URL", None)
    return subprocess.run([sys.executable, "-m", "centra_pipelines.cli", "sync", "--scale", "tiny"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_second_sync_on_the_same_fresh_instance_refuses_in_one_line_and_touches_nothing(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    # The first sync holds the instance (as `run_sync` takes it, before creating any table).
    with FileLock(home / "centra-sync.lock", 0, what="the Dagster instance", advice=""):
        result = run_sync(tmp_path, home, duckdb_url(tmp_path / "centra.duckdb"))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("sync: Cannot take the lock") and f"pid {os.getpid()}" in line
    assert "Another `centra-pipelines sync` is running on this instance" in line
    # no instance storage created (dagster.yaml is the repository's, linked in before the lock is taken)
    assert sorted(p.name for p in home.iterdir()) == ["centra-sync.lock", "dagster.yaml"]
    assert not (tmp_path / "centra.duckdb").exists()


def test_duckdb_file_held_by_another_program_refuses_in_one_line_naming_it(tmp_path):
    home = tmp_path / "dagster_home"
    warehouse = tmp_path / "centra.duckdb"
    held = duckdb.connect(str(warehouse))  # DuckDB's own lock, as a DuckDB shell or a notebook holds it
    try:
        result = run_sync(tmp_path, home, duckdb_url(warehouse))
    finally:
        held.close()
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert f"The DuckDB warehouse {warehouse} is held open by another program" in line
    assert f"(pid {os.getpid()}" in line
    assert not (home / "history").exists()  # no run was started
