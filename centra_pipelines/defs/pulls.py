"""Shared by the domains: asset kinds, the Centra pool, whole-list pulls."""

from centra_pipelines.centra import CentraClient

KINDS = {"centra", "pandas"}
POOL = "centra_api"  # steps that talk to Centra share one rate-limit budget (dagster.yaml)


def pull_all(client: CentraClient, stream: str, **kwargs) -> list[dict]:
    """Every row of a (small) list stream."""
    return [row for page in client.pages(stream, **kwargs) for row in page.rows]
