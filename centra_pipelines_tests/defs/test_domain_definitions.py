"""Each domain exports its own Definitions, and the assembled Definitions hold everything the domains
define: a Dagster object at module scope under defs/<domain>/ (or a job in defs/jobs.py) that no
domain's Definitions includes would silently vanish from the code location."""

import importlib
import pkgutil
from collections import Counter
from types import ModuleType

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

import centra_pipelines.defs as package
from centra_pipelines.defs import domains, jobs

DEFINED = (dg.AssetsDefinition, dg.ScheduleDefinition, dg.SensorDefinition, dg.JobDefinition,
           UnresolvedAssetJobDefinition)


def names(obj) -> set[str]:
    """What a definition contributes to a code location, named as the repository names them."""
    if isinstance(obj, dg.AssetsDefinition):
        return ({f"asset {k.to_user_string()}" for k in obj.keys}
                | {f"check {k.asset_key.to_user_string()}:{k.name}" for k in obj.check_keys})
    kind = "schedule" if isinstance(obj, dg.ScheduleDefinition) else "sensor" if isinstance(
        obj, dg.SensorDefinition) else "job"
    return {f"{kind} {obj.name}"}


def defined_in(module: ModuleType) -> set[str]:
    """Names of the definitions at module scope (alone or in a module-level list)."""
    found: set[str] = set()
    for value in vars(module).values():
        for obj in value if isinstance(value, list) else [value]:
            if isinstance(obj, DEFINED):
                found |= names(obj)
    return found


def repository_names(definitions: dg.Definitions) -> set[str]:
    repository = definitions.get_repository_def()
    graph = repository.asset_graph
    return ({f"asset {k.to_user_string()}" for k in graph.get_all_asset_keys()}
            | {f"check {k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys}
            | {f"job {j.name}" for j in repository.get_all_jobs() if j.name != "__ASSET_JOB"}
            | {f"schedule {s.name}" for s in repository.schedule_defs}
            | {f"sensor {s.name}" for s in repository.sensor_defs})


def domain_modules() -> list[ModuleType]:
    return [importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.") if info.name.count(".") > 2]


def test_the_assembled_definitions_hold_everything_the_domains_define():
    have = repository_names(domains.build_definitions())
    missing = {m.__name__: sorted(defined_in(m) - have) for m in [jobs, *domain_modules()] if defined_in(m) - have}
    assert not missing
    assert {"asset orders", "check orders:row_count_reconciliation", "job orders_daily_job",
            "schedule orders_incremental_schedule", "sensor webhook_landing_sensor"} <= have


def test_every_domain_exports_its_own_definitions_and_no_two_own_the_same_thing():
    per_domain = domains.domain_definitions()
    assert set(per_domain) == {info.name for info in pkgutil.iter_modules(package.__path__) if info.ispkg}
    owned = Counter(name for definitions in per_domain.values()
                    for group in (definitions.assets, definitions.asset_checks, definitions.jobs,
                                  definitions.schedules, definitions.sensors)
                    for obj in group or [] for name in names(obj))
    assert not [name for name, definitions in per_domain.items()
                if not (definitions.assets or definitions.jobs or definitions.schedules or definitions.sensors)]
    assert not [name for name, n in owned.items() if n > 1]
    assert owned["asset customers"] == 1 and owned["job customers_daily_job"] == 1
