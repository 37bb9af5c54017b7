"""`centra-pipelines sync`: bring the warehouse up to date from the shell, on the configured Centra and
warehouse. The first run is the initial import; later runs pull what changed; --full re-pulls all.

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
from centra_pipelines.sandbox.cli import add_sandbox_arguments
from centra_pipelines.startup import startup_heap


def add_sync_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sync", help="bring the warehouse up to date and print a summary",
                                 description=__doc__)
    add_sandbox_arguments(parser)
    parser.add_argument("--verbose", action="store_true", help="print Dagster's full logs and warnings too")
    parser.add_argument("--full", action="store_true",
                        help="re-pull everything from the initial import start, not only what changed")
    parser.set_defaults(handler=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    from centra_pipelines.doctor import check_before_sync
    from centra_pipelines.home import prepare_dagster_home

    with ExitStack() as stack:
        with startup_heap():  # imports, definitions and the instance: docs/sync.md, "Process start"
            check_before_sync()  # the doctor's blocking checks: exit 2 with one line naming the cause
            home = prepare_dagster_home()
            terminal.quiet_framework(args.verbose)
            _preflight(stack, home)
            if not os.environ.get("CENTRA_API_URL"):
                from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

                server = stack.enter_context(SandboxServer(SandboxConfig(
                    seed=args.seed, scale=args.scale, tier=args.tier, bad_rows=args.bad_rows)))
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
        rows = sync_warehouse(defs, instance, until=until, full=args.full,
                              progress=terminal.SyncProgress(verbose=args.verbose))
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


def sync_warehouse(defs, instance, until: date | None = None, full: bool = False,
                   progress: "terminal.SyncProgress | None" = None) -> list[dict]:
    """Bring the warehouse up to date, spending requests on what changed (docs/sync.md).

    Few runs, since each costs a fixed slice of Dagster bookkeeping: one `catalog_sync_job` run
    (reference data first: it sets the market selection and the warehouse partitions; then the
    catalog, displays and prices, vouchers), a `stock_job` run for every warehouse never snapshotted
    (all of them with `full`), and `daily_sync_job` over the daily partitions still to sync
    (`daily_runs`), identities last. The catalog, displays and windows continue from their keyset
    cursors and the last synced day; `full` re-pulls everything from the initial import start.
    """
    import dagster as dg

    from centra_pipelines.defs import jobs
    from centra_pipelines.defs.windows import SINCE_LAST_PULL, WINDOW_TAG

    summary = _run(defs, instance, "catalog_sync_job", None, progress,
                   {"ops": {"displays_and_prices": {"config": {"full_pull": full}}}})
    snapshotted = set() if full else instance.get_materialized_partitions(dg.AssetKey("stock_levels"))
    for key in instance.get_dynamic_partitions("warehouse"):
        if key not in snapshotted:
            summary += _run(defs, instance, "stock_job", key, progress)
    graph = defs.resolve_asset_graph()
    whole = jobs.daily_sync_job.selection.resolve(graph)
    # A re-run's streams start where their earlier pulls left off (defs/windows.py, Coverage); --full re-reads.
    tags = {} if full else {WINDOW_TAG: SINCE_LAST_PULL}
    for window, parts in daily_runs(instance, until, full):
        assets = set().union(*(job.selection.resolve(graph) for job in parts))
        summary += _run(defs, instance, "daily_sync_job", window, progress,
                        assets=None if assets == whole else sorted(assets), tags=tags)
    return summary


def daily_runs(instance, until: date | None, full: bool) -> list[tuple[tuple[str, str] | None, list]]:
    """The runs of daily_sync_job: (window, the jobs of defs/jobs.py whose assets the run executes).

    Customers and orders share a run per window when they need the same days (a re-run, a full
    sync), else each runs its own windows (`windows_to_sync`; e.g. a schedule synced one of them
    later). Identities ride the last run: the runs before it have ended, and inside it their declared
    dependencies on customers and orders order them after both."""
    from centra_pipelines.defs import jobs
    from centra_pipelines.defs.windows import daily_partitions

    keys = daily_partitions.get_partition_keys()
    last = min(until.isoformat() if until else keys[-1], keys[-1])
    customers = windows_to_sync(instance, ["customers"], keys, last, full)
    orders = windows_to_sync(instance, ["orders", "returns"], keys, last, full)
    if customers == orders:
        runs = [(window, [jobs.customers_daily_job, jobs.orders_daily_job]) for window in customers]
    else:
        runs = [(window, [jobs.customers_daily_job]) for window in customers] \
            + [(window, [jobs.orders_daily_job]) for window in orders]
    runs = runs or [(None, [])]  # no day to sync (the clock before the initial import start)
    runs[-1][1].append(jobs.customer_identities_job)
    return runs


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

# Runs execute in this process (a launched run costs ~2 s more: docs/sync.md) but carry the tags of
# a run launched from the code location of workspace.yaml, so the UI lists them on the job's page and
# timeline; the partition or partition-range tags put them on the asset and partition pages.
CODE_LOCATION = "centra_pipelines"  # workspace.yaml location_name
RUN_TAGS = {".dagster/repository": f"__repository__@{CODE_LOCATION}", "centra/launched_by": "centra-pipelines sync"}


def _run(defs, instance, job_name: str, partition: str | tuple[str, str] | None,
         progress: "terminal.SyncProgress | None" = None, config: dict | None = None,
         assets: list | None = None, tags: dict[str, str] | None = None) -> list[dict]:
    """One run of `job_name` (only `assets` of it, when given; with `tags` beside the usual) in this
    process: its summary rows."""
    started = time.monotonic()
    job = defs.resolve_job_def(job_name)
    # The run id is chosen here so that the progress display can follow the run's events as they come.
    run_id = str(uuid.uuid4())
    run_config = {**(progress.run_config if progress else RUN_CONFIG), **(config or {})}
    label = f"{partition[0]}..{partition[1]}" if isinstance(partition, tuple) else (partition or "")
    with progress.follow(instance, run_id, label) if progress else nullcontext():
        tags = {**RUN_TAGS, **(tags or {})}
        if isinstance(partition, tuple):  # a range of daily partitions as one run (single-run backfill)
            tags.update({"dagster/asset_partition_range_start": partition[0],
                         "dagster/asset_partition_range_end": partition[1]})
            result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=run_config,
                                            run_id=run_id, asset_selection=assets)
            partition = label
        else:
            result = job.execute_in_process(instance=instance, partition_key=partition, tags=tags,
                                            raise_on_error=False, run_config=run_config, run_id=run_id,
                                            asset_selection=assets)
    seconds = time.monotonic() - started
    checks, check_requests = {}, {}
    for evaluation in result.get_asset_check_evaluations():
        asset = evaluation.asset_key.to_user_string()
        checks.setdefault(asset, []).append(
            f"{evaluation.check_name}:{'ok' if evaluation.passed else evaluation.severity.value.lower()}")
        spent = evaluation.metadata.get("requests")  # checks that ask Centra (row-count reconciliation)
        check_requests[asset] = check_requests.get(asset, 0) + (spent.value if spent is not None else 0)
    rows = []
    # A range run's daily assets carry the run's figures (run_…) on their last partition's event only.
    materializations = sorted(result.get_asset_materialization_events(), key=lambda e: not any(
        k.startswith("run_") for k in e.event_specific_data.materialization.metadata))
    # An unpartitioned asset is shown with the run's partition when its step also wrote a partitioned
    # one (order lines with their orders), not when it only shares the run (identities).
    partitioned_steps = {e.step_key for e in materializations if e.event_specific_data.materialization.partition}
    for event in materializations:
        mat = event.event_specific_data.materialization
        # a daily-partitioned asset carries each day's own figures, and the run's as run_<name>
        meta = {k: v.value for k, v in mat.metadata.items() if not k.startswith("run_")}
        meta.update({k[4:]: v.value for k, v in mat.metadata.items() if k.startswith("run_")})
        asset = mat.asset_key.to_user_string()
        if any(r["asset"] == asset for r in rows):
            continue  # a range run records one materialization per partition: one summary row per asset
        shown = partition if mat.partition or event.step_key in partitioned_steps else None
        rows.append({"asset": asset, "partition": shown or "", "ok": True,
                     "received": meta.get("received", 0), "written": meta.get("inserted", 0) + meta.get("updated", 0),
                     "quarantined": meta.get("quarantined", 0),
                     "requests": meta.get("requests", 0) + check_requests.get(asset, 0),
                     "throttled": meta.get("throttled_429", 0), "checks": " ".join(checks.get(asset, [])),
                     "wait": f"{meta.get('throttle_wait_seconds', 0)} {meta.get('centra_lane', '')}".strip(),
                     "seconds": seconds})
    if not result.success:
        failure = next((e for e in result.all_events if e.is_failure), None)
        message = failure.message if failure else "run failed"
        # what depends on a failed step or blocking check in the run was not executed: name it
        done = {r["asset"] for r in rows}
        missing = sorted(k.to_user_string() for k in (assets or job.asset_layer.selected_asset_keys)
                         if k.to_user_string() not in done)
        message += f" Not materialized: {', '.join(missing)}." if missing else ""
        rows.append({"asset": job_name, "partition": partition or "", "ok": False, "received": 0, "written": 0,
                     "quarantined": 0, "requests": 0, "throttled": 0, "checks": f"FAILED: {message}",
                     "wait": "", "seconds": seconds})
    return rows
