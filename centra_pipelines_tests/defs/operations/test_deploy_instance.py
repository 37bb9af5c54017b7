import shutil
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import pytest

from centra_pipelines.centra.budget_store import open_store
from centra_pipelines.centra.throttle import Throttle
from centra_pipelines.defs.resources import instance_budget_url

DEPLOY_YAML = Path(__file__).resolve().parents[3] / "deploy" / "dagster.yaml"


@dg.asset(pool="centra_api")
def market_count() -> int:
    return 3


def test_production_instance_stores_runs_in_postgresql(pg_url, tmp_path, monkeypatch):
    url = urlsplit(pg_url)
    monkeypatch.setenv("DAGSTER_PG_HOST", url.hostname)
    monkeypatch.setenv("DAGSTER_PG_PORT", str(url.port or 5432))
    monkeypatch.setenv("DAGSTER_PG_USER", url.username or "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", url.password or "")
    monkeypatch.setenv("DAGSTER_PG_DB", url.path.lstrip("/"))
    home = tmp_path / "dagster_home"  # as deployed: the file copied into DAGSTER_HOME
    home.mkdir()
    shutil.copy(DEPLOY_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    writer = dg.DagsterInstance.get()
    try:
        assert type(writer.run_storage).__name__ == "PostgresRunStorage"
        assert type(writer.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(writer.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert writer.get_concurrency_config().pool_config.default_pool_limit == 8
        # The shared Centra budget lives in the instance's PostgreSQL (driver name dropped for psycopg).
        budget_url = instance_budget_url(writer)
        assert budget_url.startswith("postgresql+psycopg2://") and budget_url.endswith(url.path)
        throttle = Throttle(store=open_store(budget_url), key="centra:deploy-test")
        try:
            assert throttle.acquire() == 0.0
            assert throttle.levels()[("requests", 10.0)].available == pytest.approx(29.0, abs=0.1)
        finally:
            throttle.close()
        assert writer.get_concurrency_config().run_queue_config.max_concurrent_runs == 8
        # Dead runs are found: the launcher reports worker health, by process id only for runs it launched.
        assert writer.run_monitoring_enabled and writer.run_launcher.supports_check_run_worker_health
        assert type(writer.run_launcher).__name__ == "MonitoredRunLauncher" and not writer.run_launcher.check_pids
        result = dg.materialize([market_count], instance=writer, tags={"team": "data"})
        assert result.success
    finally:
        writer.dispose()

    reader = dg.DagsterInstance.from_config(str(home))
    try:
        run = reader.get_run_by_id(result.run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS and run.tags["team"] == "data"
        materialization = reader.get_latest_materialization_event(dg.AssetKey("market_count"))
        assert materialization is not None and materialization.run_id == result.run_id
    finally:
        reader.dispose()
