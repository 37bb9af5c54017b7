"""The one check factory: a table's pandera contract as a Dagster asset check, and the asset's metadata.

Contracts run on the rows in memory while an asset writes them (defs/loading.py); the result is
reported with the materialization. Quarantined rows fail the check with severity WARN (the good
rows loaded; the bad ones wait in `quarantine` with their reasons); when more than
`MAX_QUARANTINE_SHARE` of the rows fail, the sync itself is suspect and the check fails with
severity ERROR, which blocks downstream assets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg
# Dagster internals, for per-partition metadata in one step (_add_partition_metadata; dagster is pinned)
from dagster._core.execution.context.metadata_logging import AssetMetadataHandle, OutputMetadataAccumulator

from centra_pipelines.centra import Stats
from centra_pipelines.centra.errors import CentraPermissionError
from centra_pipelines.defs.loading import StreamWriter, TableTotals
from centra_pipelines.warehouse import TableSpec
from centra_pipelines.warehouse.reads.keys import live_rows_per_partition

if TYPE_CHECKING:
    import pandera.pandas as pa

CONTRACT = "contract"
PERMISSION = "permission"
MAPPING_COMPLETENESS = "mapping_completeness"
MAX_QUARANTINE_SHARE = 0.05


def contract_check_spec(table: TableSpec, *, blocking: bool = True) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=CONTRACT,
        asset=table.name,
        blocking=blocking,
        description=(
            f"Rows of {table.name} meet the {table.contract.name} contract. Bad rows are quarantined with "
            f"their reasons (WARN); more than {MAX_QUARANTINE_SHARE:.0%} bad rows fails with ERROR."
        ),
    )


def completeness_spec(asset: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(MAPPING_COMPLETENESS, asset=asset, blocking=False,
                             description="Every status, currency and required field in the data is covered by the "
                                         "mapping file; a failure names the uncovered value and its mapping key.")


def completeness_result(asset: str, gaps: set[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(asset_key=asset, check_name=MAPPING_COMPLETENESS, passed=not gaps,
                               severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"gaps": len(gaps), "uncovered": dg.MetadataValue.json(sorted(gaps))})


def contract_check_result(table: TableSpec, totals: TableTotals) -> dg.AssetCheckResult:
    share = totals.quarantined / totals.received if totals.received else 0.0
    return dg.AssetCheckResult(
        asset_key=table.name,
        check_name=CONTRACT,
        passed=totals.quarantined == 0,
        severity=dg.AssetCheckSeverity.ERROR if share > MAX_QUARANTINE_SHARE else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_checked": totals.received,
            "rows_quarantined": totals.quarantined,
            "quarantined_share": round(share, 4),
            "quarantine_resolved": totals.resolved,
            # What a person acts on: which rule failed how often, which rows (Centra ids), and where they wait.
            "failures_by_rule": dg.MetadataValue.json(dict(totals.rule_counts.most_common())),
            "first_failures": dg.MetadataValue.json(totals.first_failures),
            "quarantine_query": dg.MetadataValue.md(f"```sql\n{totals.quarantine_query}\n```"),
        },
    )


def permission_check_spec(table: TableSpec) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=PERMISSION, asset=table.name, blocking=False,
        description=f"The integration token may read what {table.name} holds. Without the permission the asset "
                    "loads nothing and this check warns, naming the permission, instead of failing the sync.",
    )


def permission_check_result(table: TableSpec, missing: CentraPermissionError | None) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=table.name, check_name=PERMISSION, passed=missing is None, severity=dg.AssetCheckSeverity.WARN,
        metadata={"missing_permission": (missing.permission or "unknown") if missing else "none",
                  **({"message": str(missing)} if missing else {})},
    )


def column_schema(table: TableSpec) -> dg.TableSchema:
    """The table's columns with their types, descriptions and contract rules, as warehouse/model/ declares them.

    The rules carry the names a failed contract check reports (`greater_than(0)`, `gtin_check_digit`…)."""
    contract = table.contract
    return dg.TableSchema(
        columns=[dg.TableColumn(name, type_, description=table.descriptions[name],
                                constraints=_constraints(contract.columns.get(name)))
                 for name, type_ in table.all_types.items()],
        constraints=dg.TableConstraints(other=[f"key: {', '.join(table.key)}",
                                               *(check.name for check in contract.checks)]),
    )


def _constraints(checked: pa.Column | None) -> dg.TableColumnConstraints:
    """What the contract holds a column to; a column it does not check may hold anything."""
    if checked is None:
        return dg.TableColumnConstraints()
    return dg.TableColumnConstraints(nullable=checked.nullable, unique=checked.unique,
                                     other=[check.error or check.name for check in checked.checks])


def client_metadata(stats: Stats) -> dict[str, float | int | str]:
    s = stats.as_dict()
    # throttle wait is reported with the lane it was spent in (a backfill waits by design; real time should not)
    return {"requests": s["requests"], "complexity": s["complexity"], "throttled_429": s["throttled"],
            "retries": s["retries"], "throttle_wait_seconds": s["wait_seconds"], "centra_lane": stats.lane or "",
            "response_bytes": s["bytes"]}


def materialize_results(writer: StreamWriter, stats: Stats, *,
                        checks: dict[str, list[dg.AssetCheckResult]] | None = None,
                        context: dg.AssetExecutionContext | None = None,
                        by_table: dict[str, dict[str, dg.RawMetadataValue]] | None = None,
                        **extra: dg.RawMetadataValue) -> list[dg.MaterializeResult]:
    """One MaterializeResult per table the writer wrote, with its contract check result (and the
    other check results computed on the same rows, by table name, in `checks`; further metadata
    by table name in `by_table`).

    The stream's requests are reported once, on its first table (the asset the stream is named
    after); the other tables were fed by the same requests and report their rows only. With
    `context`, a table whose asset is daily-partitioned gets each partition's own figures (rows
    received, quarantined and held for that day), and its last partition the run's totals under
    `run_` names.
    """
    results = []
    for position, (name, table) in enumerate(writer.tables.items()):
        totals = writer.totals[name]
        figures: dict[str, dg.RawMetadataValue] = {**totals.as_metadata(),
                                                   "dagster/row_count": writer.warehouse.count(table)}
        if position == 0:
            figures.update({"pages": writer.pages, **client_metadata(stats), **extra})
        figures.update((by_table or {}).get(name, {}))
        schema = {"dagster/column_schema": column_schema(table)}
        if context is not None and _daily(context, name):
            _partition_figures(context, writer, name)
            # The run's figures and the column schema on the last day's event only (the asset's latest):
            # every partition's event would repeat them, serialized twice each, which was most of a
            # range run's bookkeeping.
            run = {f"run_{k}": v for k, v in figures.items() if not k.startswith("dagster/")}
            context.add_asset_metadata({**run, **schema}, asset_key=name, partition_key=context.partition_keys[-1])
            figures, schema = {}, {}
        results.append(dg.MaterializeResult(
            asset_key=name,
            metadata={**figures, **schema},
            check_results=[contract_check_result(table, totals), *(checks or {}).get(name, [])],
        ))
    return results


def _daily(context: dg.AssetExecutionContext, asset: str) -> bool:
    partitions = context.assets_def.specs_by_key[dg.AssetKey(asset)].partitions_def
    return isinstance(partitions, dg.TimeWindowPartitionsDefinition)


def _partition_figures(context: dg.AssetExecutionContext, writer: StreamWriter, name: str) -> None:
    """Each daily partition of the run gets its own figures: rows that landed in it (received,
    quarantined) and the live rows the warehouse holds for it after the run."""
    keys = context.partition_keys
    totals = writer.totals[name]
    held_by_day = live_rows_per_partition(writer.warehouse, writer.tables[name], keys[0], keys[-1])
    _add_partition_metadata(context, name, {day: {"received": int(totals.received_by_partition.get(day, 0)),
                                                  "quarantined": int(totals.quarantined_by_partition.get(day, 0)),
                                                  "dagster/row_count": int(held_by_day.get(day, 0))}
                                            for day in keys})


def _add_partition_metadata(context: dg.AssetExecutionContext, asset: str,
                            by_partition: dict[str, dict[str, dg.RawMetadataValue]]) -> None:
    """`context.add_asset_metadata(metadata, asset_key=asset, partition_key=p)` for every partition at once.

    Called per partition, Dagster (1.13, pinned) lists the run's whole partition range to validate
    the key and copies and re-validates every entry added before: quadratic in the days of a range
    run (a full small sync's 2,466 calls took ~2 s, profiled). The step's metadata accumulator is
    built once with all of them instead: the same entries, and the keys come from the run itself.
    """
    step = context.op_execution_context._step_execution_context
    key = dg.AssetKey(asset)
    merged = dict(step._metadata_accumulator.per_output_metadata)
    for partition, metadata in by_partition.items():
        handle = AssetMetadataHandle(asset_key=key, partition_key=partition)
        merged[handle] = {**merged.get(handle, {}), **metadata}
    step._metadata_accumulator = OutputMetadataAccumulator(per_output_metadata=merged)
