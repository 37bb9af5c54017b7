"""The one check factory: a table's pandera contract as a Dagster asset check, and the asset's metadata.

Contracts run on the rows in memory while an asset writes them (defs/loading.py); the result is
reported with the materialization. Quarantined rows fail the check with severity WARN (the good
rows loaded; the bad ones wait in `quarantine` with their reasons); when more than
`MAX_QUARANTINE_SHARE` of the rows fail, the sync itself is suspect and the check fails with
severity ERROR, which blocks downstream assets.
"""

from __future__ import annotations

import dagster as dg

from centra_pipelines.centra import Stats
from centra_pipelines.defs.loading import StreamWriter, Table, TableTotals

CONTRACT = "contract"
MAX_QUARANTINE_SHARE = 0.05


def contract_check_spec(table: Table, *, blocking: bool = True) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=CONTRACT,
        asset=table.name,
        blocking=blocking,
        description=(
            f"Rows of {table.name} meet the {table.contract.__name__} contract. Bad rows are quarantined with "
            f"their reasons (WARN); more than {MAX_QUARANTINE_SHARE:.0%} bad rows fails with ERROR."
        ),
    )


def contract_check_result(table: Table, totals: TableTotals) -> dg.AssetCheckResult:
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
            "first_failures": dg.MetadataValue.json(totals.first_failures),
        },
    )


def column_schema(table: Table) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, type_) for name, type_ in table.spec.all_types.items()])


def client_metadata(stats: Stats) -> dict[str, float | int | str]:
    s = stats.as_dict()
    # throttle wait is reported with the lane it was spent in (a backfill waits by design; real time should not)
    return {"requests": s["requests"], "complexity": s["complexity"], "throttled_429": s["throttled"],
            "retries": s["retries"], "throttle_wait_seconds": s["wait_seconds"], "centra_lane": stats.lane or "",
            "response_bytes": s["bytes"]}


def materialize_results(writer: StreamWriter, stats: Stats, *,
                        checks: dict[str, list[dg.AssetCheckResult]] | None = None,
                        **extra: dg.RawMetadataValue) -> list[dg.MaterializeResult]:
    """One MaterializeResult per table the writer wrote, with its contract check result (and the
    other check results computed on the same rows, by table name, in `checks`)."""
    results = []
    for name, table in writer.tables.items():
        totals = writer.totals[name]
        results.append(dg.MaterializeResult(
            asset_key=name,
            metadata={
                **totals.as_metadata(),
                "dagster/row_count": writer.warehouse.count(table.spec),
                "dagster/column_schema": column_schema(table),
                "pages": writer.pages,
                **client_metadata(stats),
                **extra,
            },
            check_results=[contract_check_result(table, totals), *(checks or {}).get(name, [])],
        ))
    return results
