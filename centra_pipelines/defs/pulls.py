"""Shared by the domains: asset kinds, the Centra pool, and whole-list pulls of small lists that stay
out of the one reference-lists request (a token may lack their permission: centra/lists.py)."""

from collections.abc import Callable

import dagster as dg
import pandas as pd

from centra_pipelines.centra.errors import CentraPermissionError
from centra_pipelines.centra.pagination import pull_all
from centra_pipelines.defs.checks import (contract_check_spec, materialize_results, permission_check_result,
                                          permission_check_spec)
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.warehouse import TableSpec


def warehouse_kind() -> str:
    """The warehouse engine as a Dagster kind (its icon in the UI): duckdb or postgres."""
    from centra_pipelines.warehouse.errors import WarehouseURLError
    from centra_pipelines.warehouse.url import parse_url

    try:
        return {"duckdb": "duckdb", "postgresql": "postgres"}[parse_url().engine]
    except WarehouseURLError:  # reported with its reason when a run connects, not at load time
        return "warehouse"


WAREHOUSE_KIND = warehouse_kind()
KINDS = {"centra", WAREHOUSE_KIND}  # where the data comes from and where it lands
POOL = "centra_api"  # steps that talk to Centra (dagster.yaml caps how many run at once; the budget is shared)


__all__ = ["KINDS", "POOL", "pull_all", "reference_asset"]


def reference_asset(table: TableSpec, stream: str, flatten: Callable[[list[dict]], pd.DataFrame], *,
                    group: str, description: str, optional_permission: bool = False,
                    checks: Callable[[pd.DataFrame], list[dg.AssetCheckResult]] | None = None,
                    check_specs: list[dg.AssetCheckSpec] = ()) -> dg.AssetsDefinition:
    """An asset that pulls a whole reference list each run and upserts it.

    `optional_permission`: a token that may not read the list gets a WARN (the `permission` check, naming
    the permission) and an empty load, not a failed run. `checks` computes further check results (declared
    in `check_specs`) on the rows just pulled."""

    specs = [contract_check_spec(table), *([permission_check_spec(table)] if optional_permission else []), *check_specs]

    @dg.asset(name=table.name, group_name=group, kinds=KINDS, description=description, pool=POOL,
              check_specs=specs)
    def _reference(context: dg.AssetExecutionContext, centra: CentraResource,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
        with centra.get_client() as client, warehouse.connect() as wh:
            writer = StreamWriter(wh, table.name, None, [table])
            missing = None
            try:
                rows = pull_all(client, stream)
            except CentraPermissionError as exc:
                if not optional_permission:
                    raise
                context.log.warning(f"{table.name}: nothing loaded: {exc}")
                missing, rows = exc, []
            frame = flatten(rows)
            writer.write({table.name: frame})
            extra = [permission_check_result(table, missing)] if optional_permission else []
            if checks is not None:
                extra += checks(frame)
            [result] = materialize_results(writer, client.stats, checks={table.name: extra},
                                           mode=client.capabilities().plan(stream).mode)
            return result

    return _reference
