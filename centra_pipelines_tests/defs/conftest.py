import dagster as dg
import pytest

from centra_pipelines.defs.domains import build_definitions
from centra_pipelines.defs.resources import CentraResource, WarehouseResource


@pytest.fixture
def dagster_instance():
    """An in-memory Dagster instance: a daily-partitioned range writes one event per day and asset,
    which a SQLite instance makes slow; the tests that need persistent storage make their own."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def make_defs(sandbox, warehouse_url: str, **centra) -> dg.Definitions:
    """The project's definitions pointed at a sandbox and a warehouse (resources as a user configures them)."""
    centra.setdefault("time_scale", 1.0)
    return build_definitions({
        "centra": CentraResource(url=sandbox.url, token="sandbox", **centra),
        "warehouse": WarehouseResource(url=warehouse_url),
    })
