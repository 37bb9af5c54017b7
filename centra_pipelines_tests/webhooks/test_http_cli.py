"""`webhooks serve` from the command line: flags and CENTRA_WEBHOOK_SECRET reach the settings, and
the served receiver lands a signed call."""

import argparse
import ipaddress
import json
import os
import resource
import socket
import subprocess
import sys
import time

import httpx
import pytest

from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks import compute_signature
from centra_pipelines.webhooks.cli import add_webhook_commands, run_serve, settings_from_args


def _parse(argv):
    parser = argparse.ArgumentParser()
    add_webhook_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["webhooks", "serve", *argv])


def test_flags_and_environment_become_the_settings(tmp_path):
    args = _parse(["--landing", str(tmp_path), "--tolerance", "60", "--allow", "10.0.0.0/8", "--allow", "::1",
                   "--trust-proxy", "127.0.0.1", "--max-bytes", "4096", "--port", "9999",
                   "--max-connections", "50", "--max-connections-per-client", "7"])
    assert args.handler is run_serve and args.port == 9999
    settings = settings_from_args(args, environ={"CENTRA_WEBHOOK_SECRET": " new-one , old-one ,"})
    assert settings.secrets == ("new-one", "old-one")
    assert (settings.landing, settings.tolerance_seconds, settings.max_body_bytes) == (tmp_path, 60.0, 4096)
    assert settings.allow == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))
    assert settings.trusted_proxies == (ipaddress.ip_network("127.0.0.1/32"),)
    assert (settings.limits.max_connections, settings.limits.max_connections_per_client) == (50, 7)
    assert "new-one" not in repr(settings)


def test_default_allow_list_is_loopback_only(tmp_path):
    settings = settings_from_args(_parse(["--landing", str(tmp_path)]), environ={"CENTRA_WEBHOOK_SECRET": "s"})
    assert [str(n) for n in settings.allow] == ["127.0.0.0/8", "::1/128"]
    assert settings.trusted_proxies == () and settings.tolerance_seconds == 300


@pytest.mark.parametrize("argv, environ, message", [
    ([], {}, "no webhook secret configured: set CENTRA_WEBHOOK_SECRET"),
    ([], {"CENTRA_WEBHOOK_SECRET": " , "}, "no webhook secret configured"),
    (["--allow", "10.0.0.300/8"], {"CENTRA_WEBHOOK_SECRET": "s"}, "not an IP address or CIDR: '10.0.0.300/8'"),
    (["--tolerance", "0"], {"CENTRA_WEBHOOK_SECRET": "s"}, "tolerance_seconds must be positive"),
    (["--max-bytes", "0"], {"CENTRA_WEBHOOK_SECRET": "s"}, "max_body_bytes must be positive"),
    (["--max-connections-per-client", "0"], {"CENTRA_WEBHOOK_SECRET": "s"}, "max_connections_per_client must be positive"),
])
def test_bad_settings_are_refused_with_a_message(tmp_path, argv, environ, message):
    with pytest.raises(SystemExit, match=message):
        settings_from_args(_parse(["--landing", str(tmp_path), *argv]), environ=environ)


def test_more_connections_than_the_open_file_limit_allows_are_refused_at_start(tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))
    try:
        args = _parse(["--landing", str(tmp_path), "--max-connections", "500"])
        with pytest.raises(SystemExit, match="needs about 564 open files per worker, over the limit of 512"):
            settings_from_args(args, environ={"CENTRA_WEBHOOK_SECRET": "s"})
        args = _parse(["--landing", str(tmp_path), "--max-connections", "400"])
        assert settings_from_args(args, environ={"CENTRA_WEBHOOK_SECRET": "s"}).limits.max_connections == 400
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_lands_a_signed_call_over_http(tmp_path, workers):
    # With --workers 2 each worker process builds the app from what the parent hands it: the
    # size limit and the secrets must reach them too.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    secret = "cli-webhook-secret-42"
    process = subprocess.Popen(
        [sys.executable, "-m", "centra_pipelines.webhooks.cli", "webhooks", "serve", "--port", str(port),
         "--landing", str(tmp_path / "landing"), "--max-bytes", "4096", "--workers", str(workers)],
        env={**os.environ, "CENTRA_WEBHOOK_SECRET": f"old-secret,{secret}"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                health = httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.status_code == 200
        body = encode_payload([{"type": "order", "action": "create", "id": 1}])
        t = int(time.time())
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Centra-Signature": f"t={t},v1={compute_signature(secret, t, body)}"}
        for _ in range(4):  # new connections, so with two workers both get calls
            assert httpx.post(f"{base}/webhooks/centra", content=body, headers=headers).status_code == 200
        bad = {**headers, "X-Centra-Signature": f"t={t},v1={compute_signature('nope', t, body)}"}
        assert httpx.post(f"{base}/webhooks/centra", content=body, headers=bad).status_code == 401
        big = encode_payload([{"type": "order", "action": "create", "id": i} for i in range(100)])
        signed_big = {**headers, "X-Centra-Signature": f"t={t},v1={compute_signature(secret, t, big)}"}
        assert httpx.post(f"{base}/webhooks/centra", content=big, headers=signed_big).status_code == 413
        landed = sorted((tmp_path / "landing" / "incoming").glob("*.json"))
        assert len(landed) == 4
        assert all(json.loads(path.read_text())["payload"]["events"][0]["action"] == "create" for path in landed)
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert "refused with 401: signature does not match" in output
    assert secret not in output and "old-secret" not in output
