"""Builders shared by the domains: whole-list pulls of small reference lists."""


from collections.abc import Callable

import dagster as dg
import pandas as pd

from centra_pipelines.centra.pagination import pull_all
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter, Table
from centra_pipelines.defs.resources import CentraResource, WarehouseResource

KINDS = {"centra", "pandas"}
POOL = "centra_api"  # steps that talk to Centra (dagster.yaml caps how many run at once; the budget is shared)


__all__ = ["KINDS", "POOL", "pull_all", "reference_asset"]


def reference_asset(table: Table, stream: str, flatten: Callable[[list[dict]], pd.DataFrame], *,
                    group: str, description: str) -> dg.AssetsDefinition:
    """An asset that pulls a whole reference list each run and upserts it."""

    @dg.asset(name=table.name, group_name=group, kinds=KINDS, description=description, pool=POOL,
              check_specs=[contract_check_spec(table)])
    def _reference(centra: CentraResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with centra.get_client() as client, warehouse.connect() as wh:
            writer = StreamWriter(wh, table.name, None, [table])
            writer.write({table.name: flatten(pull_all(client, stream))})
            [result] = materialize_results(writer, client.stats)
            return result

    return _reference
