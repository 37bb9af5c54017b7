"""Flood the webhook receiver over loopback with signed Centra-style calls, then time the landing
sensor's tick over the backlog they leave.

The receiver runs as deployed, in its own processes (`centra-pipelines webhooks serve --workers N`).
The load generator is kept cheap so it does not eat the cores it measures: every call is signed
before the clock starts (signing is Centra's cost, not the receiver's; each call still gets its own
body and timestamp, and the receiver verifies each), and plain asyncio streams send them over a few
keep-alive connections. Calls are bounded by count and by time.

Prints accepted calls per second, p50/p99 latency, CPU per call on each side, and lost = landed
files - accepted calls (must be 0); then ms per `webhook_landing_sensor` tick (a real Dagster
instance, `evaluate_tick`) and files handed out per tick until the backlog is drained.
Exit status 1 if a call was refused or lost.

Read the figures with the CPU lines: the machine is shared, so "everything else" says how much of
the 2 cores other processes took. And ext4 skips inodes freed in the last few minutes when it
allocates new ones near them: a run started soon after a previous run deleted its temporary landing
folder (or any mass deletion under the same parent folder) pays ~0.7 ms more kernel CPU per call
(seen: receiver kernel time 1.1 ms instead of 0.4 ms per call). Wait a few minutes between runs, or
pass a fresh `--landing` folder (kept; delete it later).

    /work/venv/bin/python bench/webhook_flood.py                          # 5000 calls, 30 s cap, 2 workers
    /work/venv/bin/python bench/webhook_flood.py --calls 20000 --connections 32 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks import SIGNATURE_HEADER, WEBHOOK_PATH, compute_signature

from receiver_process import start_receiver  # bench/receiver_process.py

SECRET = "bench-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc): the uvicorn supervisor and its workers."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            pids.extend(process_tree(int(child)))
    return pids


def cpu_seconds(pids: list[int]) -> tuple[float, float]:
    """(user, system) CPU seconds of these processes so far."""
    user = system = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        user, system = user + int(fields[11]), system + int(fields[12])
    return user / os.sysconf("SC_CLK_TCK"), system / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (Linux /proc/stat): the
    kernel's own work for fsync (journal threads) shows here and in no process."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK"), sum(values[:8]) / os.sysconf("SC_CLK_TCK")


def signed_requests(calls: int, events: int, port: int) -> list[bytes]:
    """One complete HTTP/1.1 request per call: a distinct form-encoded body of `events` order
    events (as the sandbox sends them), signed now."""
    requests = []
    for number in range(calls):
        body = encode_payload([{"type": "order", "action": "update", "date": "2025-01-01 00:00:00.000000",
                                "id": number * events + i} for i in range(events)])
        t = int(time.time())
        head = (f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: webhook-flood\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                f"{SIGNATURE_HEADER}: t={t},v1={compute_signature(SECRET, t, body)}\r\n\r\n")
        requests.append(head.encode("ascii") + body)
    return requests


async def flood(port: int, requests: list[bytes], connections: int, seconds: float) -> tuple[dict[int, int], list[float], float]:
    """Send the requests over `connections` keep-alive connections until all are answered or
    `seconds` have passed. Returns (count per status, latencies in s, elapsed s)."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    queue = iter(requests)
    started = time.perf_counter()
    deadline = started + seconds

    async def connection():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                if time.perf_counter() > deadline:
                    break
                sent = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - sent)
                status = int(head[9:12])
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return statuses, latencies, time.perf_counter() - started


def time_sensor(landing: Path, batch: int) -> None:
    """Tick `webhook_landing_sensor` (settle 0, so every landed file is ready) until the backlog
    is handed out, carrying the cursor from tick to tick as the daemon does."""
    import dagster as dg

    from centra_pipelines.defs.realtime.sensors import build_webhook_landing_sensor

    sensor = build_webhook_landing_sensor(landing=landing, batch_size=batch, settle_seconds=0)
    waiting = len(list((landing / "incoming").glob("*.json")))
    handed: list[int] = []
    times: list[float] = []
    cursor = None
    with dg.instance_for_test() as instance:
        while True:
            context = dg.build_sensor_context(instance=instance, cursor=cursor)
            started = time.perf_counter()
            result = sensor.evaluate_tick(context)
            times.append(time.perf_counter() - started)
            cursor = result.cursor
            files = sum(len(r.run_config["ops"]["webhook_calls"]["config"]["files"]) for r in result.run_requests)
            if not files:
                break
            handed.append(files)
    print(f"sensor: {waiting} landed files, batch {batch}: {len(times)} ticks ({len(handed)} with a run request, "
          f"last one empty), {sum(handed)} files handed out")
    print(f"  ms per tick: first {times[0] * 1000:.1f}, median {statistics.median(times) * 1000:.1f}, "
          f"max {max(times) * 1000:.1f}; files per tick: {handed[0] if handed else 0} "
          f"(min {min(handed) if handed else 0})")
    if sum(handed) != waiting:
        print(f"  MISMATCH: handed out {sum(handed)} of {waiting} files")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--max-seconds", type=float, default=30.0, help="stop sending after this long")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=2, help="receiver worker processes")
    parser.add_argument("--events", type=int, default=100, help="events per call (Centra's default maximum)")
    parser.add_argument("--batch", type=int, default=500, help="sensor batch size")
    parser.add_argument("--landing", type=Path, default=None,
                        help="landing folder (default: a fresh temporary one on the same disk as /var/tmp)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="webhook-flood-", dir="/var/tmp") as tmp:
        landing = args.landing or Path(tmp) / "landing"
        incoming = landing / "incoming"
        before = len(list(incoming.glob("*.json"))) if incoming.exists() else 0
        port = free_port()
        process = start_receiver(landing, port, SECRET, workers=args.workers)
        try:
            requests = signed_requests(args.calls, args.events, port)
            pids = process_tree(process.pid)
            server_cpu, client_cpu, (busy, total) = cpu_seconds(pids), time.process_time(), machine_busy_seconds()
            statuses, latencies, elapsed = asyncio.run(flood(port, requests, args.connections, args.max_seconds))
            client_cpu = time.process_time() - client_cpu
            server_user, server_system = (after - before for after, before in zip(cpu_seconds(pids), server_cpu))
            busy_after, total_after = machine_busy_seconds()
            busy, total = busy_after - busy, total_after - total
        finally:
            process.terminate()
            process.wait(timeout=15)
        accepted = statuses.get(200, 0)
        landed = len(list(incoming.glob("*.json"))) - before
        temporary = len(list(incoming.glob(".*")))
        latencies.sort()
        sent = max(1, len(latencies))
        p50 = statistics.median(latencies) * 1000 if latencies else 0.0
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0.0
        body_bytes = len(requests[0]) - requests[0].index(b"\r\n\r\n") - 4
        print(f"webhook flood: {len(latencies)} of {args.calls} calls sent in {elapsed:.2f} s (cap {args.max_seconds:g} s), "
              f"{args.events} events / {body_bytes} bytes each, {args.connections} connections, "
              f"{args.workers} receiver worker(s), {os.cpu_count()} cores")
        print(f"  statuses {json.dumps(statuses)}")
        print(f"  {accepted / elapsed:,.0f} accepted calls/s; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        others = busy - server_user - server_system - client_cpu
        print(f"  CPU per call: receiver {(server_user + server_system) / sent * 1000:.2f} ms "
              f"(user {server_user / sent * 1000:.2f}, kernel {server_system / sent * 1000:.2f}), "
              f"load generator {client_cpu / sent * 1000:.2f} ms")
        print(f"  whole machine {busy / sent * 1000:.2f} ms per call, {busy / total:.0%} of {os.cpu_count()} cores busy; "
              f"everything else (kernel threads, other processes) {others / elapsed:.2f} cores")
        print(f"  landed files {landed}, lost = landed - accepted = {landed - accepted}, temporary files left {temporary}")
        time_sensor(landing, args.batch)
        return 0 if landed == accepted and accepted == len(latencies) else 1


if __name__ == "__main__":
    sys.exit(main())
