"""Benchmark the webhook receiver over loopback: N signed Centra-style calls (100 events each,
form-encoded, as the sandbox sends them) from C concurrent keep-alive connections.

The receiver runs as its own process (`centra-pipelines webhooks serve`, as deployed) so client and
server do not share a GIL. Prints accepted calls per second, p50/p99 latency, and lost = landed
files - accepted calls (must be 0).

    /work/venv/bin/python bench/webhook_receiver.py                      # 3000 calls, 16 connections
    /work/venv/bin/python bench/webhook_receiver.py --calls 5000 --concurrency 32 --landing /var/tmp/x
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks import compute_signature

SECRET = "bench-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_receiver(landing: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "centra_pipelines.webhooks.cli", "webhooks", "serve", "--port", str(port),
         "--landing", str(landing)],
        env={**os.environ, "CENTRA_WEBHOOK_SECRET": SECRET}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("receiver did not start")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call_body(number: int, events: int) -> bytes:
    return encode_payload([{"type": "order", "action": "update", "date": "2025-01-01 00:00:00.000000",
                            "id": number * events + i} for i in range(events)])


async def flood(url: str, calls: int, concurrency: int, events: int, deadline: float) -> tuple[int, list[float], int]:
    bodies = [call_body(n, events) for n in range(calls)]
    latencies: list[float] = []
    accepted = refused = 0
    next_call = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        async def worker():
            nonlocal next_call, accepted, refused
            while next_call < calls and time.perf_counter() < deadline:
                body = bodies[next_call]
                next_call += 1
                t = int(time.time())
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Centra-Signature": f"t={t},v1={compute_signature(SECRET, t, body)}"}
                started = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                if response.status_code == 200:
                    accepted += 1
                else:
                    refused += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return accepted, latencies, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--events", type=int, default=100, help="events per call (Centra's default maximum)")
    parser.add_argument("--max-seconds", type=float, default=45.0, help="stop sending after this long")
    parser.add_argument("--landing", type=Path, default=None, help="landing folder (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        landing = args.landing or Path(tmp) / "landing"
        before = len(list((landing / "incoming").glob("*.json"))) if (landing / "incoming").exists() else 0
        port = free_port()
        process = start_receiver(landing, port)
        try:
            server_cpu = process_cpu_seconds(process.pid)
            client_cpu = time.process_time()
            started = time.perf_counter()
            accepted, latencies, refused = asyncio.run(flood(
                f"http://127.0.0.1:{port}/webhooks/centra", args.calls, args.concurrency, args.events,
                started + args.max_seconds))
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu
            server_cpu = process_cpu_seconds(process.pid) - server_cpu
        finally:
            process.terminate()
            process.wait(timeout=15)
        landed = len(list((landing / "incoming").glob("*.json"))) - before
        temporary = len(list((landing / "incoming").glob(".*")))
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        body_bytes = len(call_body(0, args.events))
        print(f"webhook receiver: {accepted} calls accepted ({refused} refused) of {len(latencies)} sent, "
              f"{args.events} events / {body_bytes} bytes each, {args.concurrency} connections, cores {os.cpu_count()}")
        print(f"  {accepted / elapsed:,.0f} accepted calls/s over {elapsed:.2f} s; latency p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms")
        sent = max(1, len(latencies))
        print(f"  CPU per call: receiver {server_cpu / sent * 1000:.2f} ms, client {client_cpu / sent * 1000:.2f} ms")
        print(f"  landed files {landed}, lost = landed - accepted = {landed - accepted}, temporary files left {temporary}")
        return 0 if landed == accepted and refused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
