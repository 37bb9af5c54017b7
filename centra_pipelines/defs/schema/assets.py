"""centra_schema: the schema Centra serves, introspected, with checks that show an API change
before a sync breaks on it.

- `schema_compatible` (ERROR): a field, argument or enum value our documents use is no longer
  served; each one is named with the documents that use it.
- `schema_changes` (WARN): an enum the mapping must cover has a value it does not map (a new
  order status), or a type we sync gained fields since the last materialization.
"""

import dagster as dg

from centra_pipelines.centra import queries
from centra_pipelines.centra.served_schema import (
    enum_values,
    fingerprint,
    missing_members,
    schema_from_introspection,
    synced_types,
    type_fields,
)
from centra_pipelines.defs.pulls import POOL
from centra_pipelines.defs.resources import CentraResource
from centra_pipelines.defs.windows import mapping_or_fail
from centra_pipelines.mapping.status import mapped_enum_values

GROUP = "schema"
ASSET = "centra_schema"
COMPATIBLE = "schema_compatible"
CHANGES = "schema_changes"
TYPE_FIELDS = "synced_type_fields"  # metadata key: the next materialization compares with it


def _previous_fields(instance) -> dict[str, list[str]] | None:
    event = instance.get_latest_materialization_event(dg.AssetKey(ASSET))
    entry = event.asset_materialization.metadata.get(TYPE_FIELDS) if event and event.asset_materialization else None
    return entry.value if entry is not None else None


@dg.asset(
    name=ASSET, group_name=GROUP, kinds={"centra"}, pool=POOL,
    check_specs=[
        dg.AssetCheckSpec(COMPATIBLE, asset=ASSET, description=(
            "Every field, argument and enum value the client's documents use is served; ERROR names each "
            "missing one with the documents that use it.")),
        dg.AssetCheckSpec(CHANGES, asset=ASSET, description=(
            "WARN when an enum the mapping covers (OrderStatus, ReturnStatus, PaymentHistoryEntryStatus) has "
            "values the mapping does not map, or when a type we sync gained fields since the last run.")),
    ],
)
def centra_schema(context: dg.AssetExecutionContext, centra: CentraResource) -> dg.MaterializeResult:
    """The schema the configured Centra serves: its fingerprint, the fields of every type we sync and
    the mode each stream runs in (keyset, pages, event queue). Daily (centra_schema_schedule)."""
    mapping = mapping_or_fail()
    with centra.get_client() as client:
        served = schema_from_introspection(client.execute(queries.SCHEMA, operation_name="IntrospectionQuery").data)
        modes = client.capabilities().modes()
    missing = missing_members(served)
    fields = type_fields(served, synced_types())
    previous = _previous_fields(context.instance)
    gained = {name: sorted(set(now) - set(previous[name])) for name, now in fields.items()
              if previous and name in previous and set(now) - set(previous[name])}
    unmapped = {}
    for enum, mapped in mapped_enum_values(mapping).items():
        values = enum_values(served, enum)
        if values and set(values) - mapped:
            unmapped[enum] = sorted(set(values) - mapped)
    if missing:
        context.log.error(f"Centra no longer serves {', '.join(missing)}: the queries using them will be rejected")
    compatible = dg.AssetCheckResult(
        check_name=COMPATIBLE, passed=not missing, severity=dg.AssetCheckSeverity.ERROR,
        description=(f"no longer served: {', '.join(missing)}" if missing else
                     "every member our documents use is served"),
        metadata={"missing": dg.MetadataValue.json(missing), "documents": len(queries.all_documents())})
    problems = [f"{enum} values not mapped: {', '.join(values)}" for enum, values in unmapped.items()]
    problems += [f"{name} gained {', '.join(new)}" for name, new in gained.items()]
    changes = dg.AssetCheckResult(
        check_name=CHANGES, passed=not problems, severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(problems) or ("no unmapped enum values; " + (
            "no new fields since the last run" if previous else "first run: field lists recorded")),
        metadata={"unmapped_enum_values": dg.MetadataValue.json(unmapped),
                  "gained_fields": dg.MetadataValue.json(gained)})
    return dg.MaterializeResult(
        metadata={"fingerprint": fingerprint(served), "types": len(served.type_map),
                  "stream_modes": dg.MetadataValue.json(modes), TYPE_FIELDS: dg.MetadataValue.json(fields)},
        check_results=[compatible, changes])


centra_schema_job = dg.define_asset_job(
    "centra_schema_job", selection=dg.AssetSelection.assets(ASSET), executor_def=dg.in_process_executor,
    description="Introspect Centra's schema and check it against what the client uses and the mapping maps.")

ASSETS = [centra_schema]
JOBS = [centra_schema_job]
