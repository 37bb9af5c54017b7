"""`sandbox serve` from the command line: flags reach the config, and the served API answers."""

import argparse
import socket
import subprocess
import sys
import time

import httpx
import pytest

from centra_pipelines.sandbox.cli import add_sandbox_commands, config_from_args


def _parse(argv):
    parser = argparse.ArgumentParser()
    add_sandbox_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["sandbox", "serve", *argv])


def test_flags_become_the_sandbox_config():
    config = config_from_args(_parse([
        "--seed", "3", "--scale", "tiny", "--tier", "enhanced", "--time-scale", "10", "--faults", "5xx=0.2,fail_at=40",
        "--token", "a", "--token", "b=Order:read,Product:read", "--webhook-url", "http://127.0.0.1:1/x",
        "--webhook-secret", "s", "--retry-after-format", "epoch", "--neighbour", "0.3", "--strict"]))
    assert (config.seed, config.scale, config.tier, config.time_scale, config.strict) == (3, "tiny", "enhanced", 10.0, True)
    assert [(t.name, t.permissions) for t in config.tokens] == [
        ("token-1", None), ("token-2", frozenset({"Order:read", "Product:read"}))]
    assert (config.retry_after_format, config.neighbour, config.faults) == ("epoch", 0.3, "5xx=0.2,fail_at=40")
    assert "'s'" not in repr(config) and "secret='a'" not in repr(config.tokens)


@pytest.mark.parametrize("argv, message", [
    (["--faults", "boom=1"], "unknown fault spec key"),
    (["--webhook-url", "http://127.0.0.1:1/x"], "go together"),
])
def test_bad_flags_are_refused_with_a_message(argv, message):
    with pytest.raises(SystemExit, match=message):
        config_from_args(_parse(argv))


def test_serve_answers_over_http(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "centra_pipelines.sandbox.cli", "sandbox", "serve",
                                "--port", str(port), "--scale", "tiny", "--token", "cli-secret-77"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                health = httpx.get(f"{base}/_sandbox/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.json()["scale"] == "tiny"
        assert httpx.post(f"{base}/graphql", json={"query": "{ stores { id } }"},
                          headers={"Authorization": "Bearer sandbox"}).status_code == 401  # not configured
        ok = httpx.post(f"{base}/graphql", json={"query": "{ stores { id } }"},
                        headers={"Authorization": "Bearer cli-secret-77"})
        assert ok.status_code == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0].decode()
    assert "token-1" in output and "cli-secret-77" not in output
