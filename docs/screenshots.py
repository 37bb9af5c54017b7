"""Regenerate the README's pictures: `.venv/bin/python docs/screenshots.py`.

Runs the README's `centra-pipelines sync` in a fresh folder (scale tiny: its EAN quirks fail the
sizes contract), opens `centra-pipelines ui` there, drives Debian's Chromium headless
through Playwright (never a downloaded browser) to the asset graph and to a failed contract check,
and saves docs/img/asset-graph.png and docs/img/failed-check.png. It fails when a page shows an
error. The tests run `capture` against their own UI (centra_pipelines_tests/test_ui.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM = "/usr/bin/chromium"  # Debian's package `chromium` (.ci/run installs it when absent)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IMG = Path(__file__).resolve().parent / "img"
# What Dagster's UI shows when a page or a query failed.
ERROR_TEXTS = ("Something went wrong", "PythonError", "An error occurred", "Unexpected error",
               "Error loading", "could not be loaded")


class PageError(RuntimeError):
    """A page of the UI showed an error (or raised one in its JavaScript)."""


def capture(url: str, out: Path) -> list[Path]:
    """Screenshots of the asset graph (catalog group) and of the failed `contract` check of sizes,
    from the Dagster UI at `url`, into `out`. Raises PageError when a page shows an error."""
    from playwright.sync_api import sync_playwright

    location = _code_location(url)
    pages = [  # file, path, a text that shows once the page loaded, viewport height (the whole list fits)
        ("asset-graph.png", f"/locations/{location}/asset-groups/catalog", "size_charts", 1250),
        ("failed-check.png", "/assets/sizes?view=checks", "contract", 1300),
    ]
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status} from {r.url}") if r.status >= 500 else None)
            for name, path, ready, height in pages:
                page.set_viewport_size({"width": 1440, "height": height})
                page.goto(url + path, wait_until="load")
                page.get_by_text(ready, exact=True).first.wait_for(timeout=90_000)
                page.wait_for_timeout(3_000)  # the graph lays itself out and the metadata loads
                _skip_welcome(page)
                if name == "failed-check.png":
                    _show_failures(page)
                shown = page.inner_text("body")
                problems += [f"the page shows {text!r}" for text in ERROR_TEXTS if text in shown]
                if problems:
                    raise PageError(f"{url}{path}: " + "; ".join(problems))
                page.screenshot(path=str(out / name))
                saved.append(out / name)
        finally:
            browser.close()
    return saved


def _skip_welcome(page) -> None:
    """A fresh browser profile gets Dagster's "Join the community" dialog first."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()
        page.wait_for_timeout(500)


def _show_failures(page) -> None:
    """The check's latest evaluation is open; show its first failures (Centra ids, rule, value)."""
    page.locator("tr", has_text="first_failures").get_by_text("[Show JSON]").first.click()
    page.get_by_text("gtin_check_digit").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)


def _code_location(url: str) -> str:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"
    entries = httpx.post(f"{url}/graphql", json={"query": query}, timeout=60).json()["data"]["workspaceOrError"]
    return entries["locationEntries"][0]["name"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_ui(url: str, process: subprocess.Popen, log: Path) -> None:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"centra-pipelines ui exited:\n{log.read_text()[-3000:]}")
        try:
            entries = httpx.post(f"{url}/graphql", json={"query": query}, timeout=10).json()[
                "data"]["workspaceOrError"]["locationEntries"]
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                return
        except (httpx.HTTPError, KeyError, TypeError, ValueError):
            pass
        time.sleep(1)
    raise SystemExit(f"the UI did not load in 300 s:\n{log.read_text()[-3000:]}")


def main() -> int:
    cli = str(Path(sys.executable).parent / "centra-pipelines")
    with tempfile.TemporaryDirectory(prefix="centra-screenshots-") as folder:
        root = Path(folder)
        (root / "mapping.yaml").write_text("sync:\n  initial_import_start: 2026-03-01\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CENTRA_", "DAGSTER_"))}
        env["CENTRA_MAPPING_FILE"] = str(root / "mapping.yaml")
        sandbox = ["--scale", "tiny"]
        print("centra-pipelines sync ...", flush=True)
        subprocess.run([cli, "sync", *sandbox], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        port, log = _free_port(), root / "ui.log"
        with log.open("w") as sink:
            ui = subprocess.Popen([cli, "ui", "--port", str(port), "--sandbox-port", "0", *sandbox], cwd=root,
                                  env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_for_ui(url, ui, log)
            for path in capture(url, IMG):
                print(f"saved {path}")
        finally:
            os.killpg(ui.pid, signal.SIGINT)
            try:
                ui.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(ui.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
