"""How well the Centra client spends its rate budget, against a time-scaled sandbox.

(a) alone: utilisation = achieved request rate / allowed share, and 429s;
(b) with a neighbour spending 40% of every bucket: the same, plus failed iterations;
(c) requests for one full product iteration / floor ceil(rows / page cap).

Run: /work/venv/bin/python bench/client_budget.py [--time-scale 5] [--seconds 20] [--scale medium]
Targets: (a) >= 0.9 with zero 429s; (b) zero failed iterations; (c) <= 1.05.
"""

from __future__ import annotations

import argparse
import logging
import math
import time

from centra_pipelines.centra import CentraClient, CentraError, queries
from centra_pipelines.centra.throttle import TIERS
from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

SHARE = 0.5


def allowed_rate(time_scale: float) -> float:
    """Our share of the Growth tier's 10 s request quota, per real second at this time scale."""
    return SHARE * TIERS["growth"].quotas[("requests", 10.0)] / (10.0 / time_scale)


def spend(server: SandboxServer, time_scale: float, seconds: float, *, iterate: bool) -> dict:
    """Drive the client flat out for ``seconds`` after draining its initial burst (one window)."""
    client = CentraClient(server.url, "sandbox", share=SHARE, time_scale=time_scale, timeout=10)
    client.capabilities()
    failed = iterations = 0

    def work() -> None:
        nonlocal failed, iterations
        if iterate:
            try:
                for _ in client.pages("products", limit=5):
                    pass
                iterations += 1
            except CentraError:
                failed += 1
        else:
            client.execute(queries.MARKETS_PAGE, {"limit": 5, "page": 1})

    warm_until = time.monotonic() + 10.0 / time_scale
    while time.monotonic() < warm_until:
        work()
    before = client.stats.copy()
    server.reset_log()
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        work()
    elapsed = time.monotonic() - start
    requests = client.stats.requests - before.requests
    statuses = [r["status"] for r in server.requests()]
    client.close()
    return {
        "requests": requests,
        "rate": requests / elapsed,
        "utilisation": requests / elapsed / allowed_rate(time_scale),
        "429s": statuses.count(429),
        "throttle_wait_s": client.stats.wait_seconds - before.wait_seconds,
        "iterations": iterations,
        "failed_iterations": failed,
    }


def iteration_cost(scale: str) -> dict:
    with SandboxServer(SandboxConfig(scale=scale, tier="off")) as server:
        rows_total = len(server.truth()["products"])
        client = CentraClient(server.url, "sandbox", timeout=60)
        plan = client.capabilities().plan("products")
        server.reset_log()
        rows = sum(len(page.rows) for page in client.pages("products"))
        requests = len(server.requests())
        client.close()
    floor = math.ceil(rows_total / 200)
    return {"mode": plan.mode, "rows": rows, "truth": rows_total, "requests": requests, "floor": floor,
            "ratio": requests / floor, "ratio_with_introspection": (requests + 1) / floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-scale", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--scale", default="medium", help="sandbox scale for (c)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    f = args.time_scale
    print(f"growth tier, share {SHARE}, time scale {f:g}: allowed {allowed_rate(f):.1f} req/s "
          f"(10 s window = {10 / f:g} s); measured over {args.seconds:g} s after one window of warm-up")

    with SandboxServer(SandboxConfig(scale="tiny", tier="growth", time_scale=f)) as server:
        a = spend(server, f, args.seconds, iterate=False)
    print(f"(a) alone:            utilisation {a['utilisation']:.3f}  ({a['rate']:.2f} req/s, "
          f"{a['requests']} requests)  429s {a['429s']}  throttle wait {a['throttle_wait_s']:.1f} s")

    with SandboxServer(SandboxConfig(scale="tiny", tier="growth", time_scale=f, neighbour=0.4)) as server:
        b = spend(server, f, args.seconds, iterate=True)
    print(f"(b) neighbour 40%:    utilisation {b['utilisation']:.3f}  ({b['rate']:.2f} req/s)  429s {b['429s']}  "
          f"iterations {b['iterations']}  failed {b['failed_iterations']}")

    # Beyond the targets: an oversubscribed quota (neighbour 70% + our 50%) must cost 429s, not runs.
    with SandboxServer(SandboxConfig(scale="tiny", tier="growth", time_scale=f, neighbour=0.7)) as server:
        o = spend(server, f, args.seconds / 2, iterate=True)
    left = 0.3 * TIERS["growth"].quotas[("requests", 10.0)] / (10.0 / f)
    print(f"    neighbour 70%:    sent {o['rate']:.2f} req/s (429s included) of the {left:.1f} left to us  "
          f"429s {o['429s']}  "
          f"iterations {o['iterations']}  failed {o['failed_iterations']}")

    c = iteration_cost(args.scale)
    print(f"(c) full product iteration ({args.scale}, {c['mode']}): {c['requests']} requests for {c['rows']} of "
          f"{c['truth']} products; floor {c['floor']}; ratio {c['ratio']:.3f} "
          f"({c['ratio_with_introspection']:.3f} counting the one-time introspection)")


if __name__ == "__main__":
    main()
