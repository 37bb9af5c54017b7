"""Dagster resources. The Centra client is built here from configuration; it stays plain Python."""

from __future__ import annotations

import os

from dagster import ConfigurableResource, DagsterInstance, EnvVar, InitResourceContext
from pydantic import Field, PrivateAttr

from centra_pipelines.centra import CentraClient, RetryPolicy
from centra_pipelines.centra.budget_store import MEMORY
from centra_pipelines.defs.jobs import lane_for_run

#: where the embedded sandbox Centra listens when no CENTRA_API_URL is configured
SANDBOX_URL = "http://127.0.0.1:8787/graphql"
#: the sandbox's default token (every read permission); not a secret of any real Centra
SANDBOX_TOKEN = "sandbox"


class CentraResource(ConfigurableResource):
    """Centra Integration API client configuration.

    Without ``url`` the client talks to the embedded sandbox. Tokens come from the environment
    (``EnvVar``), so their values never appear in the Dagster UI or run config.
    """

    url: str | None = Field(default=None, description="Full GraphQL endpoint, e.g. https://brand.centra.com/graphql")
    token: str | None = Field(default=None, description="Integration API token (CENTRA_API_TOKEN)")
    secondary_token: str | None = Field(default=None, description="Next token, used once the first is rejected")
    token_file: str | None = Field(default=None, description="File holding the token; re-read on HTTP 401")
    tier: str = Field(default="growth", description="Centra rate-limit tier: growth or enhanced")
    share: float = Field(default=0.5, description="Share of the tier this project may spend (rest: other integrations)")
    time_scale: float = Field(default=1.0, description="Rate-limit windows are this many times shorter (sandbox)")
    max_in_flight: int = Field(default=1, description="Concurrent requests allowed inside the budget")
    timeout_seconds: float = Field(default=30.0, description="HTTP timeout per request")
    page_size: int | None = Field(default=None, description="Rows per page (default: each list's cap, 200; orders 100)")
    retry_attempts: int = Field(default=6, description="Attempts per request on 5xx, timeouts and dropped connections")
    retry_max_seconds: float = Field(default=300.0, description="Longest time one request may spend retrying")
    budget_url: str | None = Field(
        default=None, description="Where the deployment's shared rate budget lives: redis://host:port/db, "
                                  "postgresql://user@host/db, sqlite:///path or memory (CENTRA_BUDGET_URL); default: the Dagster "
                                  "instance's PostgreSQL, or a SQLite file in its directory")
    lane: str | None = Field(default=None, description="Budget lane (realtime, incremental, reconciliation, backfill); "
                                                       "default: from the run's job or its centra/lane tag")

    # Set per run from the instance and the run (setup_for_execution); outside a run: this process, incremental.
    _instance_budget_url: str | None = PrivateAttr(default=None)
    _run_lane: str = PrivateAttr(default="incremental")

    def setup_for_execution(self, context: InitResourceContext) -> None:
        if context.instance is not None:
            self._instance_budget_url = instance_budget_url(context.instance)
        if context.run is not None:
            self._run_lane = lane_for_run(context.run.job_name, context.run.tags)

    @property
    def effective_lane(self) -> str:
        return self.lane or self._run_lane

    def get_client(self) -> CentraClient:
        url = self.url or SANDBOX_URL
        token = self.token if self.token or self.token_file else (SANDBOX_TOKEN if not self.url else None)
        return CentraClient(
            url, token, secondary_token=self.secondary_token, token_file=self.token_file, tier=self.tier,
            share=self.share, time_scale=self.time_scale, max_in_flight=self.max_in_flight, lane=self.effective_lane,
            budget_url=self.budget_url or self._instance_budget_url,
            timeout=self.timeout_seconds, page_size=self.page_size,
            retry=RetryPolicy(attempts=self.retry_attempts, max_seconds=self.retry_max_seconds),
        )


def instance_budget_url(instance: DagsterInstance) -> str:
    """Where the shared budget lives by default: the instance's PostgreSQL (every machine of the
    deployment reaches it), else a SQLite file in the instance directory (every process of this
    machine), else (an ephemeral instance) this process only."""
    postgres_url = getattr(instance.run_storage, "postgres_url", None)
    if postgres_url:
        return postgres_url
    if instance.is_ephemeral:
        return MEMORY
    return f"sqlite:///{os.path.abspath(os.path.join(instance.root_directory, 'centra_budget.sqlite'))}"


def centra_resource_from_env() -> CentraResource:
    """CentraResource reading CENTRA_API_URL / CENTRA_API_TOKEN (and the optional
    CENTRA_API_SECONDARY_TOKEN / CENTRA_API_TOKEN_FILE / CENTRA_BUDGET_URL) through EnvVar; only the
    variables that are set are bound, so an unconfigured environment falls back to the sandbox."""
    bound = {
        name: EnvVar(var)
        for name, var in (("url", "CENTRA_API_URL"), ("token", "CENTRA_API_TOKEN"),
                          ("secondary_token", "CENTRA_API_SECONDARY_TOKEN"), ("token_file", "CENTRA_API_TOKEN_FILE"),
                          ("budget_url", "CENTRA_BUDGET_URL"))
        if os.environ.get(var)
    }
    return CentraResource(**bound)


class WarehouseResource(ConfigurableResource):
    """Where synced data lives: `duckdb:///path/file.duckdb` (default ./data/centra.duckdb) or
    `postgresql://user@host:port/db` (CENTRA_WAREHOUSE_URL). The URL's password never reaches logs."""

    url: str | None = Field(default=None, description="Warehouse URL (CENTRA_WAREHOUSE_URL)")

    def connect(self):
        from centra_pipelines.warehouse import connect

        return connect(self.url)


def build_resources() -> dict[str, ConfigurableResource]:
    warehouse = WarehouseResource(url=EnvVar("CENTRA_WAREHOUSE_URL")) if os.environ.get("CENTRA_WAREHOUSE_URL") \
        else WarehouseResource()
    return {"centra": centra_resource_from_env(), "warehouse": warehouse}
