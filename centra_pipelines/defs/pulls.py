"""Shared by the domains: asset kinds, the Centra pool, and the small lists a domain loads whole with
the reference lists (in their one request: centra/lists.py)."""

from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import pandas as pd

from centra_pipelines.centra.errors import CentraPermissionError
from centra_pipelines.centra.pagination import pull_all
from centra_pipelines.defs.checks import contract_check_spec, permission_check_result, permission_check_spec
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


__all__ = ["KINDS", "POOL", "ReferenceList", "pull_all"]


@dataclass(frozen=True)
class ReferenceList:
    """A small list a domain loads whole on every run. Its rows come with the reference lists, in the
    one request of `reference_lists` (defs/reference/assets.py; centra/lists.py), which materializes it.

    `optional_permission`: a token that may not read the list gets a WARN (the `permission` check, naming
    the permission) and an empty load, not a failed run. `checks` computes further check results (declared
    in `check_specs`) on the rows just pulled."""

    table: TableSpec
    flatten: Callable[[list[dict]], pd.DataFrame]
    group: str
    description: str
    optional_permission: bool = False
    checks: Callable[[pd.DataFrame], list[dg.AssetCheckResult]] | None = None
    check_specs: tuple[dg.AssetCheckSpec, ...] = ()

    @property
    def spec(self) -> dg.AssetSpec:
        return dg.AssetSpec(self.table.name, group_name=self.group, kinds=KINDS, skippable=True,
                            description=self.description)

    def all_check_specs(self) -> list[dg.AssetCheckSpec]:
        return [contract_check_spec(self.table),
                *([permission_check_spec(self.table)] if self.optional_permission else []), *self.check_specs]

    def check_results(self, frame: pd.DataFrame, refused: CentraPermissionError | None) -> list[dg.AssetCheckResult]:
        """The permission check (when optional) and the list's own checks on the rows just pulled."""
        results = [permission_check_result(self.table, refused)] if self.optional_permission else []
        return results + (self.checks(frame) if self.checks is not None else [])
