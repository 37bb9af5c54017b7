"""The project's catalog sync end to end: speed, memory, and how close it runs to the rate-limit floor.

Runs `reference_and_catalog_job` restricted to size_charts + the catalog page stream (the real
assets, resources and warehouse code) against the sandbox Centra and a fresh DuckDB file. The
sandbox runs in this process; every sync runs in a fresh child process (this script with
--child), so the peak RSS reported is the sync's alone.

(1) rate limits off, per scale: rows/s end to end ((products + variants + sizes rows landed) ÷
    wall time of the job), peak RSS of the syncing process, and peak RSS large ÷ small.
(2) Growth tier at --time-scale F, client share 0.5: sync time ÷ rate-limit floor, where the
    floor is what the binding 10 s budget (requests or complexity, our share of it) allows for
    the requests and complexity the sync actually spent.

    /work/venv/bin/python bench/catalog_sync.py                       # small vs medium, growth on medium
    /work/venv/bin/python bench/catalog_sync.py --scales small large  # the real large (60k products, ~6 min more)

The catalog asset has no "stop after N products" option, so "large" defaults to the sandbox's
`medium` scale (5,000 products, ~97k sizes; 17x small) — the ratio label says which ran.
Targets: peak RSS large ÷ small <= 1.5; sync time ÷ floor <= 1.1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CATALOG_ASSETS = ["size_charts", "products", "variants", "sizes", "product_media", "translations"]
ROW_TABLES = ["products", "variants", "sizes"]
SHARE = 0.5
RSS_TARGET = 1.5
FLOOR_TARGET = 1.1


# --- the child: one sync, measured from inside -----------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    """Peak RSS of this process image (VmHWM). Not ru_maxrss: Linux carries ru_maxrss across
    execve, so a child spawned by a parent holding the sandbox would start at the parent's RSS."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(args: argparse.Namespace) -> None:
    """One sync in this (fresh) process; prints one JSON line with the figures."""
    import dagster as dg

    from centra_pipelines.defs.domains import build_definitions
    from centra_pipelines.defs.resources import CentraResource, WarehouseResource

    with tempfile.TemporaryDirectory(prefix="catalog_sync_") as tmp:
        warehouse_url = f"duckdb:///{tmp}/bench.duckdb"
        defs = build_definitions({
            "centra": CentraResource(url=args.url, token="sandbox", tier="growth", share=SHARE,
                                     time_scale=args.time_scale[0], timeout_seconds=120.0),
            "warehouse": WarehouseResource(url=warehouse_url),
        })
        job = defs.resolve_job_def("reference_and_catalog_job")
        baseline_mb = _peak_rss_mb()
        # RSS over time, to tell the page loop from the end-of-run checks.
        samples: list[tuple[float, float]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                samples.append((time.perf_counter(), _rss_mb()))
                stop.wait(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        with dg.DagsterInstance.ephemeral() as instance:
            sampler.start()
            started = time.perf_counter()
            result = job.execute_in_process(instance=instance, raise_on_error=False,
                                            asset_selection=[dg.AssetKey(a) for a in CATALOG_ASSETS])
            seconds = time.perf_counter() - started
            stop.set()
            sampler.join()
        peak_mb = _peak_rss_mb()
        ru_maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = {}
        for event in result.get_asset_materialization_events():
            mat = event.event_specific_data.materialization
            rows[mat.asset_key.to_user_string()] = mat.metadata["dagster/row_count"].value
        half = len(samples) // 2
        print(json.dumps({
            "ok": result.success, "seconds": seconds, "rows": rows, "baseline_mb": baseline_mb,
            "peak_mb": peak_mb, "ru_maxrss_mb": ru_maxrss_mb,
            "rss_first_half_max_mb": max((m for _, m in samples[:half]), default=0.0),
            "rss_second_half_max_mb": max((m for _, m in samples[half:]), default=0.0),
            "failure": next((e.message for e in result.all_events if e.is_failure), None),
        }))


# --- the parent: sandbox, children, table ------------------------------------------------------

def run_child(url: str, time_scale: float, timeout: float) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--url", url,
               "--time-scale", str(time_scale)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"sync child exited {done.returncode}:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if not figures["ok"]:
        raise RuntimeError(f"sync failed: {figures['failure']}")
    return figures


def unthrottled(scale: str, seed: int, timeout: float) -> dict:
    from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

    # No truth() here: at scale large it materialises the whole catalog in this process (GBs).
    with SandboxServer(SandboxConfig(seed=seed, scale=scale, tier="off")) as server:
        figures = run_child(server.url, 1.0, timeout)
    landed = sum(figures["rows"].get(t, 0) for t in ROW_TABLES)
    return {**figures, "scale": scale, "products": figures["rows"].get("products", 0), "landed": landed,
            "rows_per_s": landed / figures["seconds"]}


def floor_seconds(requests: int, complexity: int, time_scale: float) -> dict:
    """Time the budget needs for this work: our share of each Growth 10 s bucket, time-scaled."""
    from centra_pipelines.centra.throttle import COMPLEXITY, REQUESTS, TIERS

    quotas = TIERS["growth"].quotas
    window = 10.0 / time_scale
    rates = {REQUESTS: SHARE * quotas[(REQUESTS, 10.0)] / window,
             COMPLEXITY: SHARE * quotas[(COMPLEXITY, 10.0)] / window}
    floors = {REQUESTS: requests / rates[REQUESTS], COMPLEXITY: complexity / rates[COMPLEXITY]}
    binding = max(floors, key=floors.get)
    # What the hourly buckets would allow over the same work (they start full: they bind only
    # if the work exceeds their capacity).
    hourly = {REQUESTS: requests > SHARE * quotas[(REQUESTS, 3600.0)],
              COMPLEXITY: complexity > SHARE * quotas[(COMPLEXITY, 3600.0)]}
    # The buckets start full: one 10 s window's share is free at the start.
    burst = {REQUESTS: max(0.0, requests - SHARE * quotas[(REQUESTS, 10.0)]) / rates[REQUESTS],
             COMPLEXITY: max(0.0, complexity - SHARE * quotas[(COMPLEXITY, 10.0)]) / rates[COMPLEXITY]}
    return {"floor": floors[binding], "binding": binding, "floors": floors, "rates": rates,
            "floor_after_burst": max(burst.values()), "hourly_binds": any(hourly.values())}


def throttled(scale: str, seed: int, time_scale: float, timeout: float) -> dict:
    from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

    with SandboxServer(SandboxConfig(seed=seed, scale=scale, tier="growth", time_scale=time_scale)) as server:
        server.reset_log()
        figures = run_child(server.url, time_scale, timeout)
        log = server.requests()
    served = [r for r in log if r["status"] == 200]
    requests = len(log)
    complexity = sum(r.get("complexity") or 0 for r in served)
    floor = floor_seconds(requests, complexity, time_scale)
    return {**figures, **floor, "scale": scale, "requests": requests, "complexity": complexity,
            "throttled_429": sum(1 for r in log if r["status"] == 429), "ratio": figures["seconds"] / floor["floor"]}


def print_unthrottled(results: list[dict]) -> None:
    header = ("scale", "products", "rows landed", "seconds", "rows/s", "RSS before MB", "peak RSS MB")
    table = [header] + [(r["scale"], str(r["products"]), str(r["landed"]), f"{r['seconds']:.1f}",
                         f"{r['rows_per_s']:,.0f}", f"{r['baseline_mb']:.0f}", f"{r['peak_mb']:.0f}")
                        for r in results]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    small, large = results
    small_scale, large_scale = small["scale"], large["scale"]
    rss_ratio = large["peak_mb"] / small["peak_mb"]
    growth_ratio = (large["peak_mb"] - large["baseline_mb"]) / max(1.0, small["peak_mb"] - small["baseline_mb"])
    print(f"  peak RSS {large_scale} ÷ {small_scale}: {rss_ratio:.2f} (target <= {RSS_TARGET}: "
          f"{verdict(rss_ratio, RSS_TARGET)}); growth during the sync {large['peak_mb'] - large['baseline_mb']:.0f} MB "
          f"vs {small['peak_mb'] - small['baseline_mb']:.0f} MB ({growth_ratio:.1f}x) for "
          f"{large['landed'] / small['landed']:.1f}x the rows")
    print(f"  {large_scale}: RSS max in the first half of the run {large['rss_first_half_max_mb']:.0f} MB, "
          f"second half {large['rss_second_half_max_mb']:.0f} MB")


def report_growth(args: argparse.Namespace, f: float, off: dict) -> None:
    """(2) at one time scale; ``off`` is the same scale's sync with rate limits off."""
    print(f"\n(2) Growth tier, time scale {f:g} (10 s window = {10 / f:g} s), client share {SHARE}, "
          f"scale {args.growth_scale}")
    g = throttled(args.growth_scale, args.seed, f, args.timeout)
    print(f"  sync {g['seconds']:.1f} s; {g['requests']} requests ({g['throttled_429']} answered 429), "
          f"complexity {g['complexity']:,}")
    for kind in ("requests", "complexity"):
        mark = "  <- binds" if kind == g["binding"] else ""
        print(f"  floor by {kind:<10} {g['floors'][kind]:7.2f} s  (allowed {g['rates'][kind]:,.1f}/s){mark}")
    if g["hourly_binds"]:
        print("  note: the work exceeds our share of an hourly bucket; the 10 s floor understates the wait")
    print(f"  sync time ÷ floor: {g['ratio']:.2f} (target <= {FLOOR_TARGET}: {verdict(g['ratio'], FLOOR_TARGET)})")
    # The floor ignores two things no client can beat: the buckets start full (one window's share
    # is free), and the sandbox + sync cannot go faster than they do with no limits at all.
    bound = max(g["floor_after_burst"], off["seconds"])
    which = "the unthrottled sync time" if off["seconds"] >= g["floor_after_burst"] else "the floor net of the start burst"
    print(f"  lower bound max(floor net of the full bucket at the start {g['floor_after_burst']:.2f} s, "
          f"same sync with limits off {off['seconds']:.1f} s) = {bound:.1f} s ({which}); "
          f"sync time ÷ bound {g['seconds'] / bound:.2f}")
    if g["ratio"] > FLOOR_TARGET and off["seconds"] >= g["floor"]:
        print(f"  MISSED because the rate limit does not bind at this time scale: with no limits at all the sync "
              f"takes {off['seconds']:.1f} s > floor {g['floor']:.1f} s (try --time-scale "
              f"{max(0.1, f * g['floor'] / off['seconds'] / 2):.2g} for a binding budget)")


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs=2, default=["small", "medium"], metavar=("SMALL", "LARGE"),
                        help="the two sandbox scales compared in (1) (default: small medium)")
    parser.add_argument("--growth-scale", default="medium", help="sandbox scale for (2) (default medium)")
    parser.add_argument("--time-scale", type=float, nargs="+", default=[10.0, 0.5],
                        help="rate-limit time scale(s) for (2) (default 10 0.5: at 10 the sandbox, not the budget, "
                             "sets the pace of a medium sync; at 0.5 the budget binds)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds one sync may take before it is abandoned")
    parser.add_argument("--skip-growth", action="store_true", help="only (1)")
    parser.add_argument("--only-growth", action="store_true", help="only (2)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    small_scale, large_scale = args.scales
    print(f"catalog sync (size_charts + products/variants/sizes), DuckDB, seed {args.seed}; each sync in a fresh process")
    results = []
    if not args.only_growth:
        print("\n(1) rate limits off")
        results = [unthrottled(scale, args.seed, args.timeout) for scale in (small_scale, large_scale)]
        print_unthrottled(results)
    if args.skip_growth:
        return
    off = next((r for r in results if r["scale"] == args.growth_scale), None) \
        or unthrottled(args.growth_scale, args.seed, args.timeout)
    for f in args.time_scale:
        report_growth(args, f, off)

if __name__ == "__main__":
    main()
