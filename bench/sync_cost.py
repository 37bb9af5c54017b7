"""What a `centra-pipelines sync` costs: a full sync, an unchanged re-run and a re-run after changes.

For each scale (default: small and medium) one sandbox Centra runs in this process with the Growth
tier time-scaled x10 (the client's budget scaled alike, so the budget does not bind at these sizes);
each sync runs in a child process as `centra-pipelines sync` runs it (the project's definitions, a
persistent SQLite Dagster instance, a DuckDB file), with the sandbox's clock as the last day:

  1. full      the first sync: the initial import
  2. same      a second sync, nothing changed in between
  3. changed   a third sync after `/_sandbox/advance` of --advance-minutes of business activity

Printed per sync: wall time (from the child process's start, Python start included, to the sync's end,
before the bench counts the runs' events; `sync` = the sync alone), the child's CPU time to the same
point (user + system: on a shared machine the figure to compare, as load stretches the wall),
requests as we counted them (the summary) and as the server logged them, the request floor,
Dagster events written, runs, and the child's peak RSS.

Request floor: the fewest requests that can carry the data at Centra's page caps, nesting used
(products carry variants and sizes; orders carry lines, shipments and vouchers; displays carry
prices; the reference lists fit one request): sum over streams of ceil(rows / cap). For a re-run
the rows are those changed since the previous sync (updatedAt; returns by createdAt). A re-run
also polls every stream once and spends a fixed handful (introspection, base currency, the
product count) — FIXED below. Stock is a snapshot: a re-run does not re-snapshot it (webhooks,
the event queue and the nightly stock reconciliation carry stock changes), so it is in no re-run floor.

Targets (issue 11): full requests <= 1.1 x floor; re-run requests <= 1.2 x changed floor + FIXED;
unchanged re-run wall <= 6 s on small; full sync wall <= 15 s on small.

    .venv/bin/python bench/sync_cost.py                 # small and medium, ~2-4 minutes on a quiet machine
    .venv/bin/python bench/sync_cost.py --scales small
    .venv/bin/python bench/sync_cost.py --scales small --profile /tmp/sync-profiles   # where the time goes
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

FULL_TARGET, RERUN_TARGET = 1.1, 1.2
FIXED = 7 + 4  # one poll per stream (reference, products, displays, customers, orders, returns, vouchers) + overhead
SAME_WALL_TARGET, FULL_WALL_TARGET = 6.0, 15.0
TIME_SCALE = 10.0


def child(url: str, warehouse_url: str, until: str, profile: str = "") -> None:
    """One sync, as run_sync does it, with a time-scaled client; prints one JSON line. `profile`: a
    file to write the sync's cProfile statistics to."""
    import resource
    from contextlib import ExitStack
    from datetime import date

    from centra_pipelines.startup import startup_heap

    with ExitStack() as stack:
        with startup_heap():  # as run_sync: imports, definitions and the instance
            import dagster as dg

            from centra_pipelines.defs.domains import build_definitions
            from centra_pipelines.defs.resources import CentraResource, WarehouseResource
            from centra_pipelines.home import prepare_dagster_home
            from centra_pipelines.sync import sync_warehouse

            prepare_dagster_home()  # the repository's dagster.yaml in effect, as for `sync`

            defs = build_definitions({"centra": CentraResource(url=url, token="sandbox", tier="growth",
                                                               time_scale=TIME_SCALE),
                                      "warehouse": WarehouseResource(url=warehouse_url)})
            instance = stack.enter_context(dg.DagsterInstance.get())
        before = {r.run_id for r in instance.get_runs()}
        profiler = cProfile.Profile() if profile else None
        sync_started = time.monotonic()
        with profiler or nullcontext():
            rows = sync_warehouse(defs, instance, until=date.fromisoformat(until))
        sync_seconds = time.monotonic() - sync_started
        done_at = time.time()  # the wall ends here: counting the events below is the bench's work
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_seconds = usage.ru_utime + usage.ru_stime  # start-up included: the figure load does not inflate
        if profiler:
            profiler.dump_stats(profile)
        runs = [r for r in instance.get_runs() if r.run_id not in before]
        events = sum(len(instance.all_logs(r.run_id)) for r in runs)
    print(json.dumps({"ok": all(r["ok"] for r in rows), "failures": [r["checks"] for r in rows if not r["ok"]],
                      "requests": sum(r["requests"] for r in rows),
                      "events": events, "runs": len(runs), "sync_seconds": sync_seconds, "cpu_seconds": cpu_seconds,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "done_at": done_at}))


def run_child(url: str, warehouse_url: str, until: str, home: Path, profile: str = "") -> dict:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    env.pop("CENTRA_API_URL", None)
    started = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", url, warehouse_url, until, profile], env=env,
                         capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        raise SystemExit(f"sync child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    result = json.loads(lines[-1])
    return {**result, "wall": result["done_at"] - started}


def _after(moment: str | None, since: datetime | None) -> bool:
    return since is None or (moment is not None and datetime.fromisoformat(moment.replace("Z", "+00:00")) > since)


def floor(truth: dict, since: datetime | None) -> int:
    """ceil(rows / cap) per stream, for the rows changed after `since` (None: all rows, with stock)."""
    live = [p for p in truth["products"] if p.get("deleted_at") is None]
    selected = {m["store_id"] for m in truth["markets"] if m["is_active"] and not m["looks_like_test"]}
    counts = {
        "products": (len([p for p in live if _after(p["updated_at"], since)]), 200),
        "displays": (len([d for d in truth["displays"] if d["store_id"] in selected
                          and _after(d["updated_at"], since)]), 200),
        "customers": (len([c for c in truth["customers"] if _after(c["updated_at"], since)]), 200),
        "orders": (len([o for o in truth["orders"] if _after(o["updated_at"], since)]), 100),
        "returns": (len([r for r in truth["returns"] if _after(r["created_at"], since)]), 200),
    }
    total = sum(math.ceil(n / cap) for n, cap in counts.values())
    if since is None:
        active = {w["id"] for w in truth["warehouses"] if w["status"] == "ACTIVE"}
        per_warehouse = {w: len([s for s in truth["stock_levels"] if s["warehouse_id"] == w]) for w in active}
        total += 1 + math.ceil(len(truth["vouchers"]) / 200) + sum(math.ceil(n / 200) for n in per_warehouse.values())
    return total


def measure(scale: str, advance_minutes: int, profile_dir: Path | None = None) -> list[dict]:
    from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer
    from centra_pipelines.warehouse import duckdb_url

    results = []
    with tempfile.TemporaryDirectory(prefix="sync_cost_") as tmp, \
            SandboxServer(SandboxConfig(seed=7, scale=scale, tier="growth", time_scale=TIME_SCALE)) as server:
        home = Path(tmp) / "dagster_home"
        home.mkdir()
        warehouse_url = duckdb_url(Path(tmp) / "centra.duckdb")
        until = server.sandbox.now.date().isoformat()
        plan = [("full", None), ("same", 0), ("changed", advance_minutes)]
        for name, minutes in plan:
            since = server.sandbox.now
            if minutes:
                server.advance(minutes)
                until = server.sandbox.now.date().isoformat()
            log = server.requests()
            mark = log[-1]["seq"] if log else 0
            profile = str(profile_dir / f"sync-{scale}-{name}.prof") if profile_dir else ""
            got = run_child(server.url, warehouse_url, until, home, profile)
            seen = Counter(r["operation"] or "?" for r in server.requests() if r["seq"] > mark)
            truth = server.truth()
            results.append({"scale": scale, "sync": name, **got, "server": sum(seen.values()), "operations": seen,
                            "floor": floor(truth, None if name == "full" else since)})
    return results


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs="+", default=["small", "medium"], choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--advance-minutes", type=int, default=30)
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="write each sync's cProfile statistics to DIR/sync-<scale>-<sync>.prof "
                             "(read them with `python -m pstats`; the walls then include the profiler)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    rows = [r for scale in args.scales for r in measure(scale, args.advance_minutes, args.profile)]
    header = f"{'scale':7} {'sync':8} {'wall s':>7} {'sync s':>7} {'cpu s':>6} {'ours':>5} {'server':>6} {'floor':>5} " \
             f"{'ratio':>6} {'events':>7} {'runs':>4} {'RSS MB':>7}"
    print(header)
    print("-" * len(header))
    failures = []
    for r in rows:
        bound = FULL_TARGET * r["floor"] if r["sync"] == "full" else RERUN_TARGET * r["floor"] + FIXED
        ratio = r["server"] / r["floor"] if r["floor"] else float("inf")
        print(f"{r['scale']:7} {r['sync']:8} {r['wall']:7.1f} {r['sync_seconds']:7.1f} {r['cpu_seconds']:6.1f} {r['requests']:5d} "
              f"{r['server']:6d} {r['floor']:5d} {ratio:6.2f} {r['events']:7d} {r['runs']:4d} {r['rss_mb']:7.0f}")
        checks = [(f"{r['scale']} {r['sync']}: requests {r['server']} <= {bound:.1f}", r["server"] <= bound),
                  (f"{r['scale']} {r['sync']}: our count {r['requests']} == server's {r['server']}",
                   r["requests"] == r["server"]),
                  (f"{r['scale']} {r['sync']}: every run succeeded"
                   + "".join(f"\n           {failure}" for failure in r["failures"]), r["ok"])]
        if r["scale"] == "small" and r["sync"] in ("full", "same"):
            target = FULL_WALL_TARGET if r["sync"] == "full" else SAME_WALL_TARGET
            checks.append((f"small {r['sync']}: wall {r['wall']:.1f} s <= {target:.0f} s", r["wall"] <= target))
        failures += [label for label, ok in checks if not ok]
        if r["sync"] != "full":  # what a re-run's few requests were, as the server logged them
            print("    the server's requests by operation: "
                  + ", ".join(f"{op} {n}" for op, n in sorted(r["operations"].items())))
        for label, ok in checks:
            print(f"    {verdict(ok):6} {label}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    print(f"\n{len(failures)} target(s) missed" + (": " + "; ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
