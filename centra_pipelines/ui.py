"""`centra-pipelines ui`: the Dagster UI on the instance `sync` used, with the sandbox behind it.

It prepares DAGSTER_HOME as `sync` does (the repository's dagster.yaml in effect), starts the
sandbox Centra on the address runs fall back to when no CENTRA_API_URL is set (so "Materialize"
works right after `centra-pipelines sync`), and runs `dagster dev` on the repository's workspace.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from contextlib import ExitStack

from centra_pipelines.sandbox.cli import add_sandbox_arguments


def add_ui_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("ui", help="open the Dagster UI on the instance `sync` uses", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address the UI listens on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port of the UI (default 3000)")
    add_sandbox_arguments(parser)
    parser.add_argument("--sandbox-port", type=int, default=8787,
                        help="port of the sandbox when no CENTRA_API_URL is set (default 8787; 0: any free port)")
    parser.set_defaults(handler=run_ui)


def dagster_dev_command(host: str, port: int) -> list[str]:
    """`dagster dev` on the repository's workspace (or the package's module when there is none)."""
    from centra_pipelines.home import repository_file

    workspace = repository_file("workspace.yaml")
    target = ["-w", str(workspace)] if workspace else ["-m", "centra_pipelines.definitions"]
    return [sys.executable, "-m", "dagster", "dev", *target, "--host", host, "--port", str(port)]


def run_ui(args: argparse.Namespace) -> int:
    from centra_pipelines.home import prepare_dagster_home

    home = prepare_dagster_home()
    env = os.environ.copy()
    with ExitStack() as stack:
        if not env.get("CENTRA_API_URL"):
            from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

            config = SandboxConfig(seed=args.seed, scale=args.scale, tier=args.tier, bad_rows=args.bad_rows)
            try:
                server = stack.enter_context(SandboxServer(config, port=args.sandbox_port))
            except OSError as exc:  # the port is taken: most likely a `sandbox serve` already running
                raise SystemExit(f"Cannot start the sandbox Centra on port {args.sandbox_port}: {exc.strerror}. "
                                 "Stop what listens there, pick another --sandbox-port, or set CENTRA_API_URL.")
            # Runs launched from the UI talk to this sandbox (the code server inherits the variable).
            env["CENTRA_API_URL"] = server.url
            print(f"Centra: the sandbox (seed {args.seed}, scale {args.scale}) at {server.url}")
        else:
            print(f"Centra: {env['CENTRA_API_URL']}")
        print(f"Dagster instance: {home}")
        print(f"Dagster UI: http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
        process = subprocess.Popen(dagster_dev_command(args.host, args.port), env=env)
        try:
            return process.wait()
        except KeyboardInterrupt:
            try:  # a terminal's Ctrl-C reached `dagster dev` too: let it shut down
                return process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # a signal to this process alone: pass it on
                process.send_signal(signal.SIGINT)
                return process.wait()
