"""Hostile traffic against a real webhook receiver, with valid calls going on throughout.

The receiver runs as deployed (`centra-pipelines webhooks serve`, one worker, its own process, file
descriptors limited to 1,024 as on a default Linux account). Each hostile pattern of issue 14 comes
from other loopback addresses (127.0.0.2 and up, so per-caller limits apply to the attacker, not to
Centra) while one valid, signed call is sent from 127.0.0.1 every 20 ms over a keep-alive connection
by a separate process (so the load generator's own work does not delay what it measures).

For each pattern it prints what the hostile connections got (status counts; `closed` = closed by
the receiver without an answer, `open` = still open when the pattern ended), the receiver's RSS
before, at its peak and after, and the valid calls' p50/p99 latency and failures during the pattern.
Targets: every hostile connection refused with the expected status or closed, RSS growth < 50 MB over
the whole run, valid calls all 200 with p99 < 100 ms in every pattern. Exit status 1 on a miss.

    .venv/bin/python bench/receiver_abuse.py            # about 40 s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks import SIGNATURE_HEADER, WEBHOOK_PATH, compute_signature

from receiver_process import start_receiver  # bench/receiver_process.py

SECRET = "bench-abuse-secret"
FD_LIMIT = 1024
RSS_GROWTH_MB = 50
P99_MS = 100
VALID_INTERVAL = 0.02


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def signed(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> str:
    t = int(time.time())
    return (f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"{SIGNATURE_HEADER}: t={t},v1={compute_signature(SECRET, t, body)}\r\n")


def head(port: int, extra: str = "") -> bytes:
    return f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}".encode()


async def open_from(source: str, port: int):
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def read_status(reader: asyncio.StreamReader, timeout: float) -> str:
    """The answer's status code, `closed` if the receiver closed without one, `open` if neither
    happened within `timeout` seconds."""
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except asyncio.TimeoutError:
        return "open"
    except (ConnectionResetError, BrokenPipeError):
        return "closed"
    return line[9:12].decode() if line.startswith(b"HTTP/1.1 ") else "closed"


async def send_then_read(source: str, port: int, chunks, timeout: float = 15.0) -> str:
    """Send `chunks` (stopping when the receiver closes) while reading its answer."""
    reader, writer = await open_from(source, port)
    answer = asyncio.ensure_future(read_status(reader, timeout))
    try:
        for chunk in chunks:
            if answer.done():
                break
            writer.write(chunk)
            await writer.drain()
    except (ConnectionResetError, BrokenPipeError):
        pass
    status = await answer
    writer.close()
    return status


# --- the hostile patterns ------------------------------------------------------------------------
# Each pattern builds its requests first and returns the coroutine that sends them, so the load
# generator's own CPU work does not delay the valid calls it measures.

async def gather(*connections) -> list[str]:
    return list(await asyncio.gather(*connections))


async def one_after_another(*connections, pause: float = 0.0) -> list[str]:
    statuses = []
    for connection in connections:
        statuses.append(await connection)
        await asyncio.sleep(pause)
    return statuses


def huge_header(port: int):
    """One 200 MB header value (sent in 1 MB pieces until the receiver stops it)."""
    chunks = [head(port, "X-Pad: ")] + [b"a" * (1 << 20)] * 200
    return gather(send_then_read("127.0.0.2", port, chunks))


def many_headers(port: int):
    """20,000 header lines."""
    lines = "".join(f"X-H{i}: v\r\n" for i in range(20_000)).encode()
    return gather(send_then_read("127.0.0.2", port, [head(port), lines, b"\r\n"]))


def long_request_line(port: int):
    """A 1 MB request target."""
    line = f"POST {WEBHOOK_PATH}?{'q' * (1 << 20)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    return gather(send_then_read("127.0.0.2", port, [line[i:i + 65536] for i in range(0, len(line), 65536)]))


def half_sent_requests(port: int, count: int = 2000, addresses: int = 20):
    """`count` connections from `addresses` callers, each sending half a request head and then nothing."""
    async def one(i: int) -> str:
        try:
            reader, writer = await open_from(f"127.0.0.{2 + i % addresses}", port)
        except OSError:
            return "connect failed"
        writer.write(head(port, "Content-Type: application/x-www-form-urlencoded\r\n"))
        status = await read_status(reader, 20)
        writer.close()
        return status

    return gather(*(one(i) for i in range(count)))


def slow_signed_body(port: int, count: int = 50):
    """Correctly signed calls whose body stops half way."""
    body = encode_payload([{"type": "order", "action": "update", "date": "2025-01-01 00:00:00.000000", "id": i}
                           for i in range(100)])

    async def one(i: int) -> str:
        reader, writer = await open_from("127.0.0.3", port)
        writer.write(head(port, signed(body) + "\r\n") + body[:len(body) // 2])
        status = await read_status(reader, 60)
        writer.close()
        return status

    return gather(*(one(i) for i in range(count)))


def no_hostile_traffic(port: int):
    """Nothing: the valid calls' latency on their own, to read the others against."""
    return gather(asyncio.sleep(3, result="none"))


def deep_json(port: int, repeat: int = 15):
    """Correctly signed payloads nested 50,000 levels deep, as JSON and as Centra's form, one every
    100 ms as a sender retrying them would (each costs ~10-15 ms of the receiver's CPU, as any signed
    300 KB body does)."""
    text = '{"events": ' + "[" * 50_000 + "]" * 50_000 + "}"
    requests = [head(port, signed(body, content_type) + "\r\n") + body
                for body, content_type in ((text.encode(), "application/json"),
                                           (b"payload=" + quote(text).encode(), "application/x-www-form-urlencoded"))]
    return one_after_another(*(send_then_read("127.0.0.2", port, [request]) for request in requests * repeat),
                             pause=0.1)


def oversized_body(port: int):
    """A 200 MB body, once declared and once chunked without a length."""
    declared = head(port, "Content-Type: application/json\r\nContent-Length: 209715200\r\n"
                          "X-Centra-Signature: t=1,v1=00\r\n\r\n")
    chunked = head(port, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                         f"{SIGNATURE_HEADER}: t={int(time.time())},v1={'0' * 64}\r\n\r\n")
    piece = b"100000\r\n" + b"x" * (1 << 20) + b"\r\n"
    return gather(send_then_read("127.0.0.2", port, [declared] + [b"x" * (1 << 20)] * 200),
                  send_then_read("127.0.0.3", port, [chunked] + [piece] * 200))


PATTERNS = [
    ("baseline: valid calls alone", no_hostile_traffic, {"none"}),
    ("header of 200 MB", huge_header, {"431"}),
    ("20,000 headers", many_headers, {"431"}),
    ("request line of 1 MB", long_request_line, {"414"}),
    ("2,000 half-sent requests from 20 callers", half_sent_requests, {"408", "503"}),
    ("50 signed calls whose body stops half way", slow_signed_body, {"408"}),
    ("30 signed payloads nested 50,000 levels", deep_json, {"400"}),
    ("body of 200 MB (declared / chunked)", oversized_body, {"413"}),
]


# --- the valid caller ----------------------------------------------------------------------------

async def valid_calls(port: int, stop: asyncio.Event, latencies: list[float], failures: list[str],
                      ready=lambda: None) -> None:
    """One signed 100-event call every VALID_INTERVAL over a keep-alive connection from 127.0.0.1;
    `ready()` after the first answer."""
    reader = writer = None
    number = 0
    while not stop.is_set():
        number += 1
        body = encode_payload([{"type": "order", "action": "update", "date": "2025-01-01 00:00:00.000000",
                                "id": number * 100 + i} for i in range(100)])
        request = head(port, signed(body) + "\r\n") + body
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await open_from("127.0.0.1", port)
            writer.write(request)
            answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = next(int(line[15:]) for line in answer.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if len(latencies) == 1:
                ready()
            if not answer.startswith(b"HTTP/1.1 200"):
                failures.append(answer[9:12].decode())
            if b"connection: close" in answer.lower():
                writer.close()
                writer = None
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as exc:
            failures.append(type(exc).__name__)
            latencies.append(time.perf_counter() - started)
            writer = None
        await asyncio.sleep(max(0.0, VALID_INTERVAL - (time.perf_counter() - started)))
    if writer is not None:
        writer.close()


async def valid_caller(port: int) -> None:
    """`--valid-caller PORT`: valid calls until stdin has input or closes, then their latencies as
    JSON on stdout. Its own process, so the hostile side's work never delays what it measures."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_reader(sys.stdin.fileno(), stop.set)
    latencies: list[float] = []
    failures: list[str] = []
    await valid_calls(port, stop, latencies, failures, ready=lambda: print("ready", flush=True))
    print(json.dumps({"latencies": latencies, "failures": failures}))


async def run_pattern(port: int, pid: int, pattern, settle: float) -> dict:
    hostile = pattern(port)
    caller = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--valid-caller", str(port),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    await caller.stdout.readline()  # "ready": its interpreter is up and a first call was answered
    await asyncio.sleep(settle)
    before = rss_mb(pid)
    peak = before

    async def sample():
        nonlocal peak
        while True:
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.05)

    sampler = asyncio.ensure_future(sample())
    started = time.perf_counter()
    statuses = await hostile
    elapsed = time.perf_counter() - started
    await asyncio.sleep(settle)
    sampler.cancel()
    out, _ = await caller.communicate(b"stop\n")
    valid = json.loads(out)
    valid["latencies"] = valid["latencies"][1:]  # the first call, on a cold interpreter, waited for "ready"
    return {"statuses": statuses, "elapsed": elapsed, "rss_before": before, "rss_peak": peak,
            "rss_after": rss_mb(pid), "latencies": sorted(valid["latencies"]), "failures": valid["failures"]}


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))] * 1000 if values else float("nan")


async def run_all(port: int, pid: int, settle: float) -> bool:
    ok = True
    first_rss = rss_mb(pid)
    print(f"receiver pid {pid}, RSS at start {first_rss:.1f} MB, file descriptors limited to {FD_LIMIT}; "
          f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (latency is shared with it)")
    for name, pattern, expected in PATTERNS:
        result = await run_pattern(port, pid, pattern, settle)
        counts: dict[str, int] = {}
        for status in result["statuses"]:
            counts[status] = counts.get(status, 0) + 1
        refused = set(counts) <= expected | {"closed"}
        lat = result["latencies"]
        p99 = percentile(lat, 0.99)
        valid_ok = not result["failures"] and p99 < P99_MS
        ok &= refused and valid_ok
        print(f"{name}: {json.dumps(counts)} in {result['elapsed']:.1f} s "
              f"({'all refused' if refused else 'NOT ALL REFUSED, expected ' + '/'.join(sorted(expected))})")
        print(f"  RSS {result['rss_before']:.1f} -> peak {result['rss_peak']:.1f} -> {result['rss_after']:.1f} MB; "
              f"valid calls {len(lat)}: p50 {percentile(lat, 0.5):.1f} ms, p99 {p99:.1f} ms, "
              f"failed {len(result['failures'])} {sorted(set(result['failures'])) or ''}"
              f"{'' if valid_ok else '  <- MISSED'}")
    growth = rss_mb(pid) - first_rss
    ok &= growth < RSS_GROWTH_MB
    print(f"RSS growth over the run: {growth:+.1f} MB (target < {RSS_GROWTH_MB} MB)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=1.0, help="valid calls alone before and after each pattern (s)")
    parser.add_argument("--valid-caller", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.valid_caller:
        asyncio.run(valid_caller(args.valid_caller))
        return 0
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, max(8192, resource.getrlimit(resource.RLIMIT_NOFILE)[1])))
    with tempfile.TemporaryDirectory(prefix="receiver-abuse-") as tmp:
        landing = Path(tmp) / "landing"
        port = free_port()
        process = start_receiver(landing, port, SECRET, fd_limit=FD_LIMIT)
        try:
            ok = asyncio.run(run_all(port, process.pid, args.settle))
        finally:
            process.terminate()
            process.wait(timeout=15)
        temporary = list((landing / "incoming").glob(".*"))
        landed = len(list((landing / "incoming").glob("*.json")))
        print(f"landed {landed} files (valid calls only), temporary files left {len(temporary)}")
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
