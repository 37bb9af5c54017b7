"""`centra-pipelines sync`: bring the warehouse up to date from the shell, on the configured Centra and
warehouse. The first run is the initial import; later runs pull what changed; --full re-pulls all.

Without CENTRA_API_URL it starts the sandbox Centra in-process (the embedded default). It runs the
sync jobs on a persistent Dagster instance (DAGSTER_HOME, default ./.dagster_home), so the runs,
materializations and checks show in `dagster dev` afterwards, and prints a summary table.
"""

from __future__ import annotations

import argparse
import os
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path


def add_sync_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sync", help="bring the warehouse up to date and print a summary",
                                 description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"],
                        help="sandbox scale when no CENTRA_API_URL is set (default small)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox seed (default 7)")
    parser.add_argument("--tier", default="growth", choices=["growth", "enhanced", "off"],
                        help="sandbox rate-limit tier (default growth)")
    parser.add_argument("--full", action="store_true",
                        help="re-pull everything from the initial import start, not only what changed")
    parser.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve()))
    # One "planned" event per asset for a partition-range run instead of one per partition (Dagster
    # reads this at run creation); a failed run's partitions then show as missing, not failed.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if not os.environ.get("CENTRA_API_URL"):
            from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

            server = stack.enter_context(SandboxServer(SandboxConfig(seed=args.seed, scale=args.scale, tier=args.tier)))
            os.environ["CENTRA_API_URL"] = server.url
            os.environ.setdefault("CENTRA_API_TOKEN", "sandbox")
            until = server.sandbox.now.date()  # the sandbox's clock, not the wall clock
            print(f"Centra: the sandbox (seed {args.seed}, scale {args.scale}, tier {args.tier}) at {server.url}")
        else:
            until = None
            print(f"Centra: {os.environ['CENTRA_API_URL']}")
        import dagster as dg

        from centra_pipelines.definitions import defs

        instance = stack.enter_context(dg.DagsterInstance.get())
        rows = sync_warehouse(defs, instance, until=until, full=args.full)
    print_summary(rows)
    return 0 if all(r["ok"] for r in rows) else 1


def sync_warehouse(defs, instance, until: date | None = None, full: bool = False) -> list[dict]:
    """Bring the warehouse up to date, spending requests on what changed (docs/sync.md).

    Reference data and the catalog first (they set the market selection and the warehouse
    partitions), then displays and prices, the stock of every warehouse never snapshotted (all of them with `full`),
    customers and orders over the daily partitions still to sync (`windows_to_sync`), identities and
    vouchers. The catalog, displays and windows continue from their keyset cursors and the last
    synced day; `full` re-pulls everything from the initial import start.
    """
    import dagster as dg

    from centra_pipelines.defs.windows import daily_partitions

    summary: list[dict] = []
    summary += _run(defs, instance, "reference_and_catalog_job", None)
    summary += _run(defs, instance, "market_catalog_job", None,
                    {"ops": {"displays_and_prices": {"config": {"full_pull": full}}}})
    snapshotted = set() if full else instance.get_materialized_partitions(dg.AssetKey("stock_levels"))
    for key in instance.get_dynamic_partitions("warehouse"):
        if key not in snapshotted:
            summary += _run(defs, instance, "stock_job", key)
    keys = daily_partitions.get_partition_keys()
    last = min(until.isoformat() if until else keys[-1], keys[-1])
    for first, end in windows_to_sync(instance, ["customers"], keys, last, full):
        summary += _run(defs, instance, "customers_daily_job", (first, end))
    summary += _run(defs, instance, "customer_identities_job", None)
    for first, end in windows_to_sync(instance, ["orders", "returns"], keys, last, full):
        summary += _run(defs, instance, "orders_daily_job", (first, end))
    summary += _run(defs, instance, "promotions_job", None)
    return summary


def windows_to_sync(instance, assets: list[str], keys: list[str], last: str, full: bool) -> list[tuple[str, str]]:
    """The daily partitions a sync runs, as (first, last) ranges, one run each: every partition up to
    `last` never synced for any of `assets`, and the last synced day onwards (it may have been synced
    while it was still filling); each run also re-reads the mapping's lookback before its first day.
    `full`: every partition from the initial import start."""
    import dagster as dg

    keys = [k for k in keys if k <= last]
    if not keys:
        return []
    if full:
        return [(keys[0], keys[-1])]
    synced = set.intersection(*(set(instance.get_materialized_partitions(dg.AssetKey(a))) for a in assets))
    latest = max(synced) if synced else keys[0]
    todo = [i for i, k in enumerate(keys) if k not in synced or k >= latest]
    ranges: list[tuple[str, str]] = []
    for i in todo:
        if ranges and keys[i - 1] == ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], keys[i])
        else:
            ranges.append((keys[i], keys[i]))
    return ranges


# The run logs keep their DEBUG events in the instance (the UI shows them); the shell gets INFO.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

# Runs execute in this process (a launched run costs ~2 s, DESIGN.md section 10) but carry the tags of
# a run launched from the code location of workspace.yaml, so the UI lists them on the job's page and
# timeline; the partition or partition-range tags put them on the asset and partition pages.
CODE_LOCATION = "centra_pipelines"  # workspace.yaml location_name
RUN_TAGS = {".dagster/repository": f"__repository__@{CODE_LOCATION}", "centra/launched_by": "centra-pipelines sync"}


def _run(defs, instance, job_name: str, partition: str | tuple[str, str] | None,
         config: dict | None = None) -> list[dict]:
    started = time.monotonic()
    job = defs.resolve_job_def(job_name)
    run_config = {**RUN_CONFIG, **(config or {})}
    if isinstance(partition, tuple):  # a range of daily partitions as one run (single-run backfill)
        tags = {**RUN_TAGS, "dagster/asset_partition_range_start": partition[0],
                "dagster/asset_partition_range_end": partition[1]}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=run_config)
        partition = f"{partition[0]}..{partition[1]}"
    else:
        result = job.execute_in_process(instance=instance, partition_key=partition, tags=RUN_TAGS,
                                        raise_on_error=False, run_config=run_config)
    seconds = time.monotonic() - started
    checks, check_requests = {}, {}
    for evaluation in result.get_asset_check_evaluations():
        asset = evaluation.asset_key.to_user_string()
        checks.setdefault(asset, []).append(
            f"{evaluation.check_name}:{'ok' if evaluation.passed else evaluation.severity.value.lower()}")
        spent = evaluation.metadata.get("requests")  # checks that ask Centra (row-count reconciliation)
        check_requests[asset] = check_requests.get(asset, 0) + (spent.value if spent is not None else 0)
    rows = []
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        # a daily-partitioned asset carries each day's own figures, and the run's as run_<name>
        meta = {k: v.value for k, v in mat.metadata.items() if not k.startswith("run_")}
        meta.update({k[4:]: v.value for k, v in mat.metadata.items() if k.startswith("run_")})
        asset = mat.asset_key.to_user_string()
        if any(r["asset"] == asset for r in rows):
            continue  # a range run records one materialization per partition: one summary row per asset
        rows.append({"asset": asset, "partition": partition or "", "ok": True,
                     "received": meta.get("received", 0), "written": meta.get("inserted", 0) + meta.get("updated", 0),
                     "quarantined": meta.get("quarantined", 0),
                     "requests": meta.get("requests", 0) + check_requests.get(asset, 0),
                     "throttled": meta.get("throttled_429", 0), "checks": " ".join(checks.get(asset, [])),
                     "seconds": seconds})
    if not result.success:
        failure = next((e for e in result.all_events if e.is_failure), None)
        message = failure.message if failure else "run failed"
        rows.append({"asset": job_name, "partition": partition or "", "ok": False, "received": 0, "written": 0,
                     "quarantined": 0, "requests": 0, "throttled": 0, "checks": f"FAILED: {message}",
                     "seconds": seconds})
    return rows


def print_summary(rows: list[dict]) -> None:
    header = ("asset", "partition", "received", "written", "quarantined", "requests", "429s", "checks")
    table = [header] + [(r["asset"], r["partition"], str(r["received"]), str(r["written"]), str(r["quarantined"]),
                         str(r["requests"]), str(r["throttled"]), r["checks"]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    failed = [r for r in rows if not r["ok"]]
    print(f"\n{len(rows) - len(failed)} materializations, {len(failed)} failed runs")
