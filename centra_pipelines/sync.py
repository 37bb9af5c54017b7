"""`centra-pipelines sync`: a full sync from the shell, on the configured Centra and warehouse.

Without CENTRA_API_URL it starts the sandbox Centra in-process (the embedded default). It runs the
sync jobs on a persistent Dagster instance (DAGSTER_HOME, default ./.dagster_home, with the
repository's dagster.yaml in effect), so the runs, materializations and checks show in
`centra-pipelines ui` afterwards. It shows progress per asset, then the summary, where the data is
and a query to try (centra_pipelines/terminal.py); --verbose prints Dagster's full logs too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from contextlib import ExitStack, nullcontext
from datetime import date
from pathlib import Path

from centra_pipelines import terminal
from centra_pipelines.redaction import redact_url
from centra_pipelines.sandbox.cli import bad_rows_rate


def add_sync_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sync", help="run a full sync (the main job) and print a summary",
                                 description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"],
                        help="sandbox scale when no CENTRA_API_URL is set (default small)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox seed (default 7)")
    parser.add_argument("--tier", default="growth", choices=["growth", "enhanced", "off"],
                        help="sandbox rate-limit tier (default growth)")
    parser.add_argument("--bad-rows", type=bad_rows_rate, default=0.0, metavar="RATE",
                        help="sandbox: serve this share (0..1) of customers, orders, products and sizes "
                             "spoiled, to see the contract checks fail (docs/sandbox.md)")
    parser.add_argument("--verbose", action="store_true", help="print Dagster's full logs and warnings too")
    parser.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    from centra_pipelines.doctor import check_before_sync
    from centra_pipelines.home import prepare_dagster_home

    check_before_sync()  # the doctor's blocking checks: exit 2 with one line naming the cause
    home = prepare_dagster_home()
    terminal.quiet_framework(args.verbose)
    with ExitStack() as stack:
        _preflight(stack, home)
        if not os.environ.get("CENTRA_API_URL"):
            from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

            server = stack.enter_context(SandboxServer(SandboxConfig(seed=args.seed, scale=args.scale, tier=args.tier,
                                                                     bad_rows=args.bad_rows)))
            os.environ["CENTRA_API_URL"] = server.url
            os.environ.setdefault("CENTRA_API_TOKEN", "sandbox")
            until = server.sandbox.now.date()  # the sandbox's clock, not the wall clock
            print(f"Centra: the sandbox (seed {args.seed}, scale {args.scale}, tier {args.tier}) at {server.url}")
        else:
            until = None
            print(f"Centra: {redact_url(os.environ['CENTRA_API_URL'])}")
        import dagster as dg

        from centra_pipelines.definitions import defs

        instance = stack.enter_context(dg.DagsterInstance.get())
        rows = full_sync(defs, instance, until=until, progress=terminal.SyncProgress(verbose=args.verbose))
    terminal.print_summary(rows)
    terminal.print_next_steps()
    return 0 if all(r["ok"] for r in rows) else 1


def _preflight(stack: ExitStack, home: Path) -> None:
    """Refuse, in one line and before any run, what would otherwise fail every job: a second sync on
    the same instance (on a fresh DAGSTER_HOME both would create its tables at once and one would die
    in SQLAlchemy; later they would only repeat each other's work), or a warehouse that cannot be
    opened (a DuckDB file held by another program, a PostgreSQL server away)."""
    from centra_pipelines.warehouse import WarehouseError, connect
    from centra_pipelines.warehouse.lock import FileLock

    try:
        stack.enter_context(FileLock(
            home / "centra-sync.lock", 0, what=f"the Dagster instance {home}",
            advice="Another `centra-pipelines sync` is running on this instance: let it finish (a second would "
                   "repeat its work), or give this one its own DAGSTER_HOME."))
        with connect():
            pass
    except WarehouseError as exc:  # the same exit status as the doctor's blocking checks
        print(f"sync: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def full_sync(defs, instance, until: date | None = None, since: date | None = None,
              progress: "terminal.SyncProgress | None" = None) -> list[dict]:
    """Reference data and catalog first (they set the partitions), then every market and warehouse,
    then customers and orders: every daily partition from `since` (default: the mapping's initial
    import start) to `until` (default: the last complete day) as ONE run per job, then identities
    and vouchers."""
    from centra_pipelines.defs.windows import daily_partitions

    summary: list[dict] = []
    summary += _run(defs, instance, "reference_and_catalog_job", None, progress)
    for key in instance.get_dynamic_partitions("market"):
        summary += _run(defs, instance, "market_catalog_job", key, progress)
    for key in instance.get_dynamic_partitions("warehouse"):
        summary += _run(defs, instance, "stock_job", key, progress)
    keys = daily_partitions.get_partition_keys()
    last = min(until.isoformat() if until else keys[-1], keys[-1])
    first = since.isoformat() if since else keys[0]
    summary += _run(defs, instance, "customers_daily_job", (first, last), progress)
    # Order windows before the first order hold nothing (order numbers follow order dates), and each
    # partition of a range run costs a materialization event per asset: start at that order's day.
    summary += _run(defs, instance, "orders_daily_job", (max(first, _first_order_day(defs) or first), last), progress)
    # after orders: they carry the addresses that link e-mail changes
    summary += _run(defs, instance, "customer_identities_job", None, progress)
    summary += _run(defs, instance, "promotions_job", None, progress)
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


def _run(defs, instance, job_name: str, partition: str | tuple[str, str] | None,
         progress: "terminal.SyncProgress | None" = None) -> list[dict]:
    started = time.monotonic()
    job = defs.resolve_job_def(job_name)
    # The run id is chosen here so that the progress display can follow the run's events as they come.
    run_id, run_config = str(uuid.uuid4()), progress.run_config if progress else RUN_CONFIG
    label = f"{partition[0]}..{partition[1]}" if isinstance(partition, tuple) else (partition or "")
    with progress.follow(instance, run_id, label) if progress else nullcontext():
        if isinstance(partition, tuple):  # a range of daily partitions as one run (single-run backfill)
            tags = {"dagster/asset_partition_range_start": partition[0],
                    "dagster/asset_partition_range_end": partition[1]}
            result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=run_config,
                                            run_id=run_id)
            partition = label
        else:
            result = job.execute_in_process(instance=instance, partition_key=partition, raise_on_error=False,
                                            run_config=run_config, run_id=run_id)
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
