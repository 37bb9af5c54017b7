"""Issue 18: receiver replicas. Two `webhooks serve` processes land into one folder (a shared volume);
no call is lost, none collides with another's file, and the landing sensor hands each out once."""

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import httpx

from centra_pipelines.defs.realtime.sensors import build_webhook_landing_sensor
from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks import compute_signature

SECRET = "replica-secret-7"
CALLS_PER_REPLICA = 150


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(landing, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "centra_pipelines.webhooks.cli", "webhooks", "serve", "--port", str(port),
         "--landing", str(landing)],
        env={**os.environ, "CENTRA_WEBHOOK_SECRET": SECRET}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_healthy(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"receiver at {base} did not start")


def _post(base: str, order_id: int) -> int:
    body = encode_payload([{"type": "order", "action": "update", "id": order_id}])
    t = int(time.time())
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Centra-Signature": f"t={t},v1={compute_signature(SECRET, t, body)}"}
    return httpx.post(f"{base}/webhooks/centra", content=body, headers=headers, timeout=30).status_code


def test_cluster_two_receivers_land_into_one_folder_without_collisions_or_double_processing(tmp_path):
    landing = tmp_path / "landing"
    ports = [_free_port(), _free_port()]
    replicas = [_serve(landing, port) for port in ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _wait_healthy(base)
        # Both replicas at once, 8 concurrent callers: call i goes to replica i % 2.
        calls = range(2 * CALLS_PER_REPLICA)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda i: _post(bases[i % 2], i), calls))
        assert statuses == [200] * len(calls)
    finally:
        for process in replicas:
            process.terminate()
        for process in replicas:
            process.wait(15)

    incoming = landing / "incoming"
    landed = sorted(path.name for path in incoming.iterdir())
    assert all(name.endswith(".json") for name in landed), "a temporary file was left behind"
    ids = sorted(json.loads((incoming / name).read_text())["payload"]["events"][0]["id"] for name in landed)
    assert ids == list(calls)  # every call landed, once, in a file of its own

    # One sensor (one daemon per instance) over the shared folder: each file in exactly one run.
    sensor = build_webhook_landing_sensor(landing=landing, batch_size=64, settle_seconds=0, retry_seconds=3600)
    handed_out: list[str] = []
    cursor = None
    with dg.instance_for_test() as instance:
        for _ in range(20):
            result = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))
            cursor = result.cursor
            if not result.run_requests:
                break
            for request in result.run_requests:
                handed_out += request.run_config["ops"]["webhook_calls"]["config"]["files"]
    assert sorted(handed_out) == landed
