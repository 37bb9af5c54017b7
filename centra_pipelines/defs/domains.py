"""Assembles the domains' definitions into one Definitions object.

Every folder under defs/ is a domain that exports its own `Definitions` (assets, checks, jobs,
schedules and sensors it owns) as `defs` in its `definitions.py`; they are found here, not listed,
and merged. The freshness policies (defs/operations/freshness.py) are applied to the merged assets,
so the domains stay unaware of operations' policy.
"""

import importlib
import pkgutil

import dagster as dg

import centra_pipelines.defs as package
from centra_pipelines.defs.operations.freshness import with_freshness_policies
from centra_pipelines.defs.resources import build_resources


def domain_definitions() -> dict[str, dg.Definitions]:
    """Each domain's Definitions, by domain (folder) name."""
    return {module.name: importlib.import_module(f"{package.__name__}.{module.name}.definitions").defs
            for module in pkgutil.iter_modules(package.__path__) if module.ispkg}


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    """`resources` replaces the ones configured from the environment (tests point them elsewhere)."""
    merged = dg.Definitions.merge(*domain_definitions().values())
    return dg.Definitions(assets=with_freshness_policies(list(merged.assets)), asset_checks=merged.asset_checks,
                          jobs=merged.jobs, schedules=merged.schedules, sensors=merged.sensors,
                          resources=resources or build_resources())
