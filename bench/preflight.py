"""How fast a broken set-up is reported: `centra-pipelines doctor` and `sync` as a user runs them.

Each case runs the installed command in a fresh process (imports included) and prints its wall
time, exit status and the first line it wrote to stderr (or the doctor's failing line):

    doctor, wrong token                 target < 10 s, exit 2
    sync, Centra on a closed port       target < 30 s, exit 2
    sync, wrong token                   target < 30 s, exit 2
    sync, mysql:// warehouse            target < 30 s, exit 2

    .venv/bin/python bench/preflight.py

Exits non-zero when a case misses its time or exit status. The sandbox (tier off) runs in this process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    said = (done.stderr.strip() or next((line for line in done.stdout.splitlines() if " FAIL " in line), "")).splitlines()
    return seconds, done.returncode, said[0][:110] if said else ""


def main() -> int:
    cli = shutil.which("centra-pipelines", path=str(Path(sys.executable).parent)) or "centra-pipelines"
    work = Path(tempfile.mkdtemp(prefix="preflight-"))
    base = {"PATH": os.environ.get("PATH", ""), "DAGSTER_HOME": str(work),
            "CENTRA_WAREHOUSE_URL": f"duckdb:///{work / 'centra.duckdb'}"}
    with SandboxServer(SandboxConfig(scale="tiny", tier="off")) as server:
        cases = [
            ("doctor, wrong token", [cli, "doctor"], {"CENTRA_API_URL": server.url, "CENTRA_API_TOKEN": "wrong"}, 10),
            ("sync, closed port", [cli, "sync"], {"CENTRA_API_URL": "http://127.0.0.1:9/graphql",
                                                 "CENTRA_API_TOKEN": "x"}, 30),
            ("sync, wrong token", [cli, "sync"], {"CENTRA_API_URL": server.url, "CENTRA_API_TOKEN": "wrong"}, 30),
            ("sync, mysql:// warehouse", [cli, "sync"], {"CENTRA_WAREHOUSE_URL": "mysql://x"}, 30),
        ]
        missed, ratios = 0, []
        print(f"{'case':<26} {'seconds':>7} {'target':>6} {'exit':>4}  first line")
        for name, command, extra, target in cases:
            seconds, code, line = run(command, {**base, **extra}, work)
            ok = seconds < target and code == 2
            missed += not ok
            ratios.append(seconds / target)
            print(f"{name:<26} {seconds:>7.1f} {target:>6} {code:>4}  {line}{'' if ok else '   <-- MISSED'}")
    print(f"\nworst time / target: {max(ratios):.2f}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
