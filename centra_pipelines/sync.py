"""`centra-pipelines sync`: a full sync from the shell, on the configured Centra and warehouse.

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
    parser = commands.add_parser("sync", help="run a full sync (the main job) and print a summary",
                                 description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"],
                        help="sandbox scale when no CENTRA_API_URL is set (default small)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox seed (default 7)")
    parser.add_argument("--tier", default="growth", choices=["growth", "enhanced", "off"],
                        help="sandbox rate-limit tier (default growth)")
    parser.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    from centra_pipelines.doctor import check_before_sync

    check_before_sync()  # the doctor's blocking checks: exit 2 with one line naming the cause
    os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve()))
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
        rows = full_sync(defs, instance, until=until)
    print_summary(rows)
    return 0 if all(r["ok"] for r in rows) else 1


def full_sync(defs, instance, until: date | None = None, since: date | None = None) -> list[dict]:
    """Reference data and catalog first (they set the partitions), then every market and warehouse,
    then customers and orders: every daily partition from `since` (default: the mapping's initial
    import start) to `until` (default: the last complete day) as ONE run per job, then identities
    and vouchers."""
    from centra_pipelines.defs.windows import daily_partitions

    summary: list[dict] = []
    summary += _run(defs, instance, "reference_and_catalog_job", None)
    for key in instance.get_dynamic_partitions("market"):
        summary += _run(defs, instance, "market_catalog_job", key)
    for key in instance.get_dynamic_partitions("warehouse"):
        summary += _run(defs, instance, "stock_job", key)
    keys = daily_partitions.get_partition_keys()
    last = min(until.isoformat() if until else keys[-1], keys[-1])
    first = since.isoformat() if since else keys[0]
    summary += _run(defs, instance, "customers_daily_job", (first, last))
    # Order windows before the first order hold nothing (order numbers follow order dates), and each
    # partition of a range run costs a materialization event per asset: start at that order's day.
    summary += _run(defs, instance, "orders_daily_job", (max(first, _first_order_day(defs) or first), last))
    summary += _run(defs, instance, "customer_identities_job", None)  # after orders: they carry old addresses
    summary += _run(defs, instance, "promotions_job", None)
    return summary


def _first_order_day(defs) -> str | None:
    """UTC day the first order (lowest number) was placed."""
    from centra_pipelines.centra import queries
    from centra_pipelines.mapping import load_mapping
    from centra_pipelines.mapping.timestamps import to_utc

    # The resource reads its settings through EnvVar, resolved here as Dagster resolves them in a run.
    with defs.resources["centra"].process_config_and_initialize().get_client() as client:
        rows = client.execute(queries.ORDERS_PAGE, {"limit": 1, "page": 1, "sort": ["number_ASC"]}).data["orders"]
    if not rows:
        return None
    return to_utc(rows[0]["createdAt"], load_mapping().store_timezone).strftime("%Y-%m-%d")


# The run logs keep their DEBUG events in the instance (the UI shows them); the shell gets INFO.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _run(defs, instance, job_name: str, partition: str | tuple[str, str] | None) -> list[dict]:
    started = time.monotonic()
    job = defs.resolve_job_def(job_name)
    if isinstance(partition, tuple):  # a range of daily partitions as one run (single-run backfill)
        tags = {"dagster/asset_partition_range_start": partition[0], "dagster/asset_partition_range_end": partition[1]}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=RUN_CONFIG)
        partition = f"{partition[0]}..{partition[1]}"
    else:
        result = job.execute_in_process(instance=instance, partition_key=partition, raise_on_error=False,
                                        run_config=RUN_CONFIG)
    seconds = time.monotonic() - started
    checks = {}
    for evaluation in result.get_asset_check_evaluations():
        checks.setdefault(evaluation.asset_key.to_user_string(), []).append(
            f"{evaluation.check_name}:{'ok' if evaluation.passed else evaluation.severity.value.lower()}")
    rows = []
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta = {k: v.value for k, v in mat.metadata.items()}
        asset = mat.asset_key.to_user_string()
        if any(r["asset"] == asset for r in rows):
            continue  # a range run records one materialization per partition: one summary row per asset
        rows.append({"asset": asset, "partition": partition or "", "ok": True,
                     "received": meta.get("received", 0), "written": meta.get("inserted", 0) + meta.get("updated", 0),
                     "quarantined": meta.get("quarantined", 0), "requests": meta.get("requests", 0),
                     "throttled": meta.get("throttled_429", 0), "checks": " ".join(checks.get(asset, [])),
                     "wait": f"{meta.get('throttle_wait_seconds', 0)} {meta.get('centra_lane', '')}".strip(),
                     "seconds": seconds})
    if not result.success:
        failure = next((e for e in result.all_events if e.is_failure), None)
        message = failure.message if failure else "run failed"
        rows.append({"asset": job_name, "partition": partition or "", "ok": False, "received": 0, "written": 0,
                     "quarantined": 0, "requests": 0, "throttled": 0, "checks": f"FAILED: {message}",
                     "wait": "", "seconds": seconds})
    return rows


def print_summary(rows: list[dict]) -> None:
    header = ("asset", "partition", "received", "written", "quarantined", "requests", "429s", "wait s (lane)", "checks")
    table = [header] + [(r["asset"], r["partition"], str(r["received"]), str(r["written"]), str(r["quarantined"]),
                         str(r["requests"]), str(r["throttled"]), r["wait"], r["checks"]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    failed = [r for r in rows if not r["ok"]]
    print(f"\n{len(rows) - len(failed)} materializations, {len(failed)} failed runs")
