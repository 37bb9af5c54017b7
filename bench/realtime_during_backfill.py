"""Real time stays real time during a backfill: one shared Centra budget with lanes, across processes.

The sandbox Centra runs the Growth tier, time-scaled (--time-scale F: a 10 s window lasts 10/F s),
at medium scale, and sends signed webhooks for its changes to the webhook receiver (its own process,
`centra-pipelines webhooks serve`). Three more processes share one Dagster instance (in a temp
DAGSTER_HOME; PostgreSQL by default, as deployed, or --instance sqlite) and so one budget (in that
PostgreSQL, or the instance directory's `centra_budget.sqlite`):

- the backfill: `orders_daily_job` over the sandbox's past days as ONE run tagged as a Dagster backfill
  (lane backfill), its orders page (sync.orders_page_size of a mapping file) sized from the orders in
  those days so that at the share's pace it needs --backfill-margin times the measurement's requests:
  it outlasts the measurement on a fast machine, and is then let finish (its checks run, the row-count
  reconciliation among them, while Centra keeps changing);
- the real-time worker: runs `webhook_batch_job` (lane realtime) for each run request of
  this process, one after the other in one warm process (`execute_in_process`). A deployment's
  daemon launches each run in a new process instead (MonitoredRunLauncher = Dagster's default
  launcher: the code server starts `dagster api execute_run`), which adds Python start, imports
  and loading the definitions, ~3-5 CPU-s a run (docs/deploy.md): per run, this worker is cheaper
  than a deployment;
- this process, which ticks `webhook_landing_sensor` every --sensor-interval seconds, makes changes in
  the sandbox every --change-every seconds (`advance`), and polls the warehouse (PostgreSQL) for them.

Prints, over the measurement (from the backfill's first request to the end):
- freshness, change in the sandbox -> row in the warehouse, p50/p95 (orders changed by `advance` during
  the measurement, including those still in flight at its end, which are waited for);
- the backfill's requests per second against its floor, 0.85 x the share left to it (the share's
  rate minus what real time spent);
- total requests over all processes in any 10 s window (scaled, sliding) as the sandbox saw them, against
  the share;
- 429s.
- whether the backfill run succeeded (its blocking checks included).
Targets: freshness p95 <= two 10 s windows of Centra time + the sensor interval, every change landed; no
window above the share; 0 429s; backfill >= 0.85 x the share left to it, running for the whole
measurement; the backfill run succeeded. Exit status 1 if one is missed.

    /work/venv/bin/python bench/realtime_during_backfill.py                 # F=2, ~60 s measured
    /work/venv/bin/python bench/realtime_during_backfill.py --time-scale 1 --seconds 90

Every process does real work per request (validation, upserts, Dagster run bookkeeping): on a
machine whose cores are busy, that work, not the budget, can become the limit; the real-time runs'
throttle wait (printed) says how much of their time the budget took.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

from receiver_process import start_receiver  # bench/receiver_process.py

SECRET = "bench-webhook-secret"
BACKFILL_TOKEN, REALTIME_TOKEN, SETUP_TOKEN = "backfill-token", "realtime-token", "setup-token"
SHARE = 0.5
GROWTH_REQUESTS_PER_10S = 60
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # run logs stay in the instance
STALL_SECONDS = 120.0  # no backfill request reached Centra for this long after the measurement: it is stuck
ADMIN_PG = os.environ.get("CENTRA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def make_defs(url: str, token: str, warehouse_url: str, time_scale: float):
    from centra_pipelines.defs.domains import build_definitions
    from centra_pipelines.defs.resources import CentraResource, WarehouseResource

    return build_definitions({
        "centra": CentraResource(url=url, token=token, share=SHARE, time_scale=time_scale, timeout_seconds=120.0),
        "warehouse": WarehouseResource(url=warehouse_url),
    })


# --- the two worker roles (run as subprocesses of this script) ------------------------------------

def role_backfill(args) -> int:
    import dagster as dg

    defs = make_defs(args.url, BACKFILL_TOKEN, args.warehouse, args.time_scale)  # page size: the mapping file
    window = {"config": {"lookback_days": 0}}
    with dg.DagsterInstance.from_config(args.home) as instance:
        result = defs.resolve_job_def("orders_daily_job").execute_in_process(
            instance=instance, raise_on_error=False, run_config={**QUIET, "ops": {"order_windows": window, "returns": window}},
            tags={"dagster/asset_partition_range_start": args.first, "dagster/asset_partition_range_end": args.last,
                  "dagster/backfill": "bench"})
    failed = [{"check": f"{e.asset_key.to_user_string()}: {e.check_name}",
               "first_mismatches": (e.metadata.get("first_mismatches").value if "first_mismatches" in e.metadata
                                    else None)}
              for e in result.get_asset_check_evaluations() if not e.passed]
    print(json.dumps({"backfill_done": time.time(), "success": result.success, "failed_checks": failed}), flush=True)
    return 0 if result.success else 1


def role_realtime(args) -> int:
    """Runs webhook_batch_job for each run request read from stdin (one JSON line each)."""
    import dagster as dg

    defs = make_defs(args.url, REALTIME_TOKEN, args.warehouse, args.time_scale)
    job = defs.resolve_job_def("webhook_batch_job")
    with dg.DagsterInstance.from_config(args.home) as instance:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            began, cpu = time.time(), time.process_time()
            result = job.execute_in_process(instance=instance, run_config={**QUIET, **request["run_config"]},
                                            tags=request["tags"], raise_on_error=False)
            [mat] = result.asset_materializations_for_node("webhook_calls") or [None]
            meta = {k: v.value for k, v in mat.metadata.items()} if mat else {}
            print(json.dumps({"run": result.success, "began": began, "seconds": time.time() - began,
                              "cpu": time.process_time() - cpu,
                              "files": len(request["run_config"]["ops"]["webhook_calls"]["config"]["files"]),
                              "wait": meta.get("throttle_wait_seconds"),
                              "lane": meta.get("centra_lane"), "requests": meta.get("requests")}), flush=True)
    return 0


# --- the measuring process ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker(role: str, args, env: dict[str, str] | None = None, **extra) -> subprocess.Popen:
    argv = [sys.executable, __file__, "--role", role, "--home", args.home, "--url", args.url,
            "--warehouse", args.warehouse, "--time-scale", str(args.time_scale)]
    for key, value in extra.items():
        argv += [f"--{key}", value]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                            env={**os.environ, **(env or {})})


def backfill_plan(orders: list[dict], today, need_requests: float) -> tuple[str, str, int, int]:
    """The past days holding orders, and the orders page that makes their pull about `need_requests`
    pages (1..100 orders a page, Centra's bounds): first day, last day, page size, orders."""
    from centra_pipelines.sandbox.dates import iso_utc

    days = sorted(iso_utc(o["updatedAt"])[:10] for o in orders if iso_utc(o["updatedAt"])[:10] < today.isoformat())
    page = max(1, min(100, int(len(days) / need_requests)))
    return days[0], (today - timedelta(days=1)).isoformat(), page, len(days)


def fresh_database(stack: ExitStack) -> str:
    import psycopg

    name = f"bench_rt_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(ADMIN_PG, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    stack.callback(lambda: (admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'), admin.close()))
    return ADMIN_PG.rsplit("/", 1)[0] + "/" + name


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", choices=["measure", "backfill", "realtime"], default="measure")
    parser.add_argument("--time-scale", type=float, default=2.0, help="Centra windows run F times faster (default 2)")
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--seconds", type=float, default=60.0, help="measurement length, real seconds (default 60)")
    parser.add_argument("--change-every", type=float, default=2.0, help="real seconds between sandbox changes")
    parser.add_argument("--sensor-interval", type=float, default=1.0, help="real seconds between sensor ticks")
    parser.add_argument("--backfill-margin", type=float, default=1.5,
                        help="the backfill needs this many times the measurement's requests at the share's pace "
                             "(default 1.5)")
    parser.add_argument("--instance", default="postgres", choices=["postgres", "sqlite"],
                        help="Dagster instance (and so the budget): PostgreSQL as in production (default), or SQLite")
    # worker roles only
    parser.add_argument("--home"), parser.add_argument("--url"), parser.add_argument("--warehouse")
    parser.add_argument("--first"), parser.add_argument("--last")
    args = parser.parse_args()
    if args.role == "backfill":
        return role_backfill(args)
    if args.role == "realtime":
        return role_realtime(args)

    import dagster as dg
    import psycopg

    from centra_pipelines.defs.realtime.sensors import build_webhook_landing_sensor
    from centra_pipelines.sandbox.auth import Token
    from centra_pipelines.sandbox.dates import iso_utc
    from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer
    from centra_pipelines.webhooks import WEBHOOK_PATH

    window = 10.0 / args.time_scale
    capacity = SHARE * GROWTH_REQUESTS_PER_10S  # requests per window
    share_rate = capacity / window
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rt_backfill_")))
        args.home = str(tmp / "dagster_home")
        Path(args.home).mkdir()
        if args.instance == "postgres":  # as deployed: runs, events and the budget in PostgreSQL
            instance_url = fresh_database(stack).replace("postgresql://", "postgresql+psycopg2://", 1)
            (Path(args.home) / "dagster.yaml").write_text(
                f"storage:\n  postgres:\n    postgres_url: {instance_url}\ntelemetry:\n  enabled: false\n")
        landing = tmp / "landing"
        port = free_port()
        receiver = start_receiver(landing, port, SECRET)
        stack.callback(receiver.kill)
        server = stack.enter_context(SandboxServer(SandboxConfig(
            scale=args.scale, tier="growth", time_scale=args.time_scale,
            tokens=(Token(BACKFILL_TOKEN, name="backfill"), Token(REALTIME_TOKEN, name="realtime"),
                    Token(SETUP_TOKEN, name="setup")),
            webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}", webhook_secret=SECRET)))
        args.url = server.url
        args.warehouse = fresh_database(stack)
        need = share_rate * args.seconds * args.backfill_margin
        first, last, page_size, backfilled = backfill_plan(server.sandbox.catalog.orders, server.sandbox.now.date(),
                                                           need)
        mapping_file = tmp / "mapping.yaml"
        mapping_file.write_text(f"sync:\n  orders_page_size: {page_size}\n")
        print(f"realtime during backfill: sandbox {args.scale}, Growth tier, time scale {args.time_scale:g} "
              f"(10 s window = {window:.2f} s), share {SHARE}: {capacity:.0f} requests per window, "
              f"{share_rate:.1f}/s")
        print(f"  backfill: orders_daily_job {first}..{last}, {backfilled} orders, {page_size} a page: "
              f"{math.ceil(backfilled / page_size)} pages (the share's pace over {args.seconds:g} s x "
              f"{args.backfill_margin:g} = {need:.0f} requests"
              f"{')' if backfilled / page_size >= need else '; TOO FEW ORDERS: use --scale large)'}; changes every "
              f"{args.change_every:g} s; sensor every {args.sensor_interval:g} s; Dagster instance and budget in "
              f"{'PostgreSQL' if args.instance == 'postgres' else 'SQLite'}")

        # Set-up, not measured: currencies and pricelists (the orders' currency check reads them).
        with dg.DagsterInstance.from_config(args.home) as instance:
            setup = make_defs(server.url, SETUP_TOKEN, args.warehouse, args.time_scale)
            done = setup.resolve_job_def("reference_and_catalog_job").execute_in_process(
                instance=instance, raise_on_error=False, run_config=QUIET,
                asset_selection=[dg.AssetKey("pricelists"), dg.AssetKey("currencies")])
            if not done.success:
                raise SystemExit("reference data run failed")

        realtime = worker("realtime", args)
        stack.callback(realtime.kill)
        assert json.loads(realtime.stdout.readline()).get("ready")
        runs: list[dict] = []
        reader = threading.Thread(target=lambda: runs.extend(
            json.loads(line) for line in realtime.stdout if line.startswith("{")), daemon=True)
        reader.start()
        time.sleep(2 * window)  # the set-up's spending has left the 10 s window
        server.reset_log()
        backfill = worker("backfill", args, env={"CENTRA_MAPPING_FILE": str(mapping_file)}, first=first, last=last)
        stack.callback(backfill.kill)
        deadline = time.time() + 300  # a process start and a run's set-up take seconds on a busy machine
        while not any(r["token"] == "backfill" for r in server.requests()):
            if backfill.poll() is not None or time.time() > deadline:
                raise SystemExit(f"the backfill sent no request (exit status {backfill.poll()})")
            time.sleep(0.1)

        sensor = build_webhook_landing_sensor(landing=landing, batch_size=200, settle_seconds=0.0, retry_seconds=600)
        warehouse = psycopg.connect(args.warehouse, autocommit=True)
        stack.callback(warehouse.close)
        pending: dict[int, tuple[str, float]] = {}  # order number -> (updated_at UTC it must reach, changed at)
        freshness: list[float] = []
        started = time.time()
        ended = started + args.seconds
        state = {"cursor": None, "sent": 0, "next_tick": started, "next_change": started + 2 * window}

        def step(instance, change: bool, track: bool) -> None:
            """One turn of this process: a sandbox change when due (its orders tracked for freshness during
            the measurement), a sensor tick when due, a look in the warehouse."""
            now = time.time()
            if change and now >= state["next_change"]:
                state["next_change"] += args.change_every
                hooks = server.advance(10)
                changed_at = time.time()
                orders_by_number = {o["number"]: o for o in server.sandbox.catalog.orders}
                for hook in hooks:
                    if track and hook["type"] == "order" and hook["id"] in orders_by_number:
                        pending[hook["id"]] = (iso_utc(orders_by_number[hook["id"]]["updatedAt"]), changed_at)
            # The next tick waits for the run in flight, so the next run takes everything landed
            # meanwhile, as the sensor itself does in a deployment (CENTRA_WEBHOOK_WAIT_SECONDS); here
            # the worker's runs are done when it says so, before its next run is handed over.
            if now >= state["next_tick"] and state["sent"] == len(runs):
                state["next_tick"] = now + args.sensor_interval
                result = sensor.evaluate_tick(dg.build_sensor_context(cursor=state["cursor"], instance=instance))
                state["cursor"] = result.cursor or state["cursor"]
                for request in result.run_requests or []:
                    realtime.stdin.write(json.dumps({"run_config": request.run_config, "tags": request.tags}) + "\n")
                    realtime.stdin.flush()
                    state["sent"] += 1
            if pending:
                try:
                    rows = warehouse.execute("SELECT number, updated_at FROM centra.orders WHERE number = ANY(%s)",
                                             (list(pending),)).fetchall()
                except psycopg.errors.UndefinedTable:  # before the backfill's first page
                    rows = []
                seen = time.time()
                for number, updated_at in rows:
                    target, changed_at = pending[number]
                    if updated_at is not None and updated_at >= datetime.fromisoformat(target):
                        freshness.append(seen - changed_at)
                        del pending[number]
            time.sleep(0.2)

        realtime_cpu_at_start, bench_cpu_at_start = cpu_seconds(realtime.pid), sum(os.times()[:2])
        with dg.DagsterInstance.from_config(args.home) as instance:
            while time.time() < ended and backfill.poll() is None:
                step(instance, change=True, track=True)
            ended = min(ended, time.time())
            backfill_finished_early = backfill.poll() is not None
            backfill_cpu = None if backfill_finished_early else cpu_seconds(backfill.pid)
            realtime_cpu = cpu_seconds(realtime.pid) - realtime_cpu_at_start
            bench_cpu = sum(os.times()[:2]) - bench_cpu_at_start
            in_flight = len(pending)
            # The backfill is let finish, Centra still changing under it, so that its checks run (a run
            # that fails them is a missed target); the measurement's changes still in flight are waited
            # for meanwhile and after (their freshness counts).
            # It is given as long as it makes progress (half an hour at most): a time predicted from
            # the pace it kept misjudges a machine whose load changes while it finishes (other
            # sessions), and its checks' requests come after its pages. It is stopped only when no
            # request of it reached Centra for STALL_SECONDS.
            finish_began = time.time()
            seen, last_progress, next_look = -1, finish_began, finish_began
            while backfill.poll() is None and time.time() < finish_began + 1800.0:
                step(instance, change=True, track=False)
                if time.time() >= next_look:
                    next_look = time.time() + 5.0
                    sent = sum(1 for r in server.requests() if r["token"] == "backfill")
                    if sent > seen:
                        seen, last_progress = sent, time.time()
                    elif time.time() - last_progress > STALL_SECONDS:
                        break
            finish_seconds = time.time() - finish_began
            drain_until = time.time() + max(3 * (2 * window + args.sensor_interval), 30.0)
            while pending and time.time() < drain_until:
                step(instance, change=False, track=False)
        backfill_status = backfill.poll()
        backfill_done = [json.loads(line) for line in (backfill.stdout.read() if backfill_status is not None else "")
                         .splitlines() if line.startswith("{")]
        backfill.kill()
        realtime.stdin.close()
        realtime.wait(300)  # the runs already asked for finish
        reader.join(10)
        log = server.requests()

    stamped = [(datetime.fromisoformat(r["time"]).timestamp(), r["token"], r["status"]) for r in log]
    backfill_times = [t for t, name, _ in stamped if name == "backfill"]
    if not backfill_times:
        raise SystemExit("the backfill sent no request")
    begin = backfill_times[0]
    measured = [(t, name, status) for t, name, status in stamped if begin <= t <= ended]
    span = ended - begin
    throttled = sum(1 for _, _, status in stamped if status == 429)
    # Every window of 10 s (scaled), wherever it starts: the fullest starts at one of the requests.
    times = sorted(t for t, _, _ in measured)
    fullest = max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)
    # And tumbling windows from the backfill's first request, for the mean.
    counts: dict[int, int] = {}
    for t in times:
        counts[int((t - begin) / window)] = counts.get(int((t - begin) / window), 0) + 1
    full = [counts.get(i, 0) for i in range(int(span / window))]
    backfill_sent = sum(1 for _, name, _ in measured if name == "backfill")
    backfill_rate = backfill_sent / span
    realtime_rate = sum(1 for _, name, _ in measured if name == "realtime") / span
    left = share_rate - realtime_rate
    fresh_target = 2 * window + args.sensor_interval
    waits = [r["wait"] for r in runs if r.get("wait") is not None]

    print(f"\nload average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes included)")
    met = not backfill_finished_early
    ok = met
    print(f"measured {span:.1f} s ({span / window:.0f} windows); the backfill ran for all of it: "
          f"{'met' if met else 'MISSED (it finished early: raise --backfill-margin or --scale)'}")
    if freshness:
        p50, p95 = statistics.median(freshness), percentile(freshness, 0.95)
        met = p95 <= fresh_target and not pending
        ok &= met
        print(f"freshness (sandbox change -> warehouse row), {len(freshness)} orders: p50 {p50:.2f} s, p95 {p95:.2f} s;"
              f" target p95 <= {fresh_target:.2f} s (2 windows + sensor interval), every change landed: "
              f"{'met' if met else 'MISSED'}; {in_flight} were in flight at the measurement's end (waited for, "
              f"counted), {len(pending)} never landed")
    else:
        ok = False
        print("freshness: no change landed: MISSED")
    seconds = [r["seconds"] for r in runs]
    print(f"real-time runs: {len(runs)} ({sum(1 for r in runs if r.get('run'))} succeeded), lane "
          f"{sorted({str(r.get('lane')) for r in runs})}, {statistics.mean(seconds) if seconds else 0:.2f} s a run "
          f"(mean); throttle wait per run max {max(waits, default=0):.3f} s, "
          f"mean {statistics.mean(waits) if waits else 0:.3f} s")
    inside = [r for r in runs if begin <= r["began"] < ended]
    print(f"  during the measurement: {len(inside)} runs began ({len(runs) - len(inside)} before or after it, while "
          f"the backfill finished), {sum(r['files'] for r in inside)} files, "
          f"{statistics.mean(r['cpu'] for r in inside) if inside else 0:.2f} CPU-s a run in the worker; "
          f"real-time worker process CPU {realtime_cpu:.1f} s, this process (sandbox, sensor, receiver's "
          f"caller) {bench_cpu:.1f} s over {span:.1f} s")
    met = backfill_rate >= 0.85 * left
    ok &= met
    print(f"backfill: {backfill_rate:.2f} requests/s; share left to it {left:.2f}/s (share {share_rate:.2f} - real time "
          f"{realtime_rate:.2f}); ratio {backfill_rate / left:.3f}, target >= 0.85: {'met' if met else 'MISSED'}")
    if backfill_cpu is not None:
        print(f"backfill process CPU over the measurement: {backfill_cpu:.1f} s for {backfill_sent} requests, "
              f"{backfill_cpu / max(backfill_sent, 1):.3f} s a request: one core of its own would send at most "
              f"{backfill_sent / max(backfill_cpu, 0.01):.2f}/s (share {share_rate:.2f}/s)")
    met = fullest <= capacity
    ok &= met
    print(f"total requests in any window of {window:g} s (sliding; all processes, as the sandbox saw them): max "
          f"{fullest}; per tumbling window mean {statistics.mean(full) if full else 0:.1f} over {len(full)} full "
          f"windows (max {max(full, default=0)}); share {capacity:.0f}: {'met' if met else 'MISSED'}")
    met = throttled == 0
    ok &= met
    print(f"429s: {throttled}: {'met' if met else 'MISSED'}")
    succeeded = bool(backfill_done) and backfill_done[-1].get("success") is True
    ok &= succeeded
    failed = backfill_done[-1].get("failed_checks") if backfill_done else None
    outcome = ((f"succeeded, {finish_seconds:.0f} s after the measurement" if succeeded
                else f"FAILED (checks failed: {json.dumps(failed)})") if backfill_status is not None
               else f"did not finish: no progress for {STALL_SECONDS:g} s (or half an hour), "
                    f"{finish_seconds:.0f} s after the measurement")
    print(f"backfill run (orders_daily_job {first}..{last}, its blocking checks included): {outcome}: "
          f"{'met' if succeeded else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
