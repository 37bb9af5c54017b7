"""What `centra-pipelines sync` shows in the terminal: progress per asset, warnings naming the asset
and partition, the summary, where the data is and how to look at it.

Presentation only. Progress is read from the runs' events in the Dagster instance (the events the
UI shows), so it works the same for a run executed in this process or launched elsewhere: steps
starting and ending, the page lines the assets log ("page N committed, R rows…"), materialization
metadata (requests) and every log event at WARNING or above (retries, 429s, failures). Dagster's own
console output (~120 INFO lines per sync) and its beta/preview warnings are off unless `--verbose`.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

POLL_SECONDS = 0.5
# The page lines assets log: "<stream>: page 3 committed, 540 rows in the window so far" (windows),
# "products: page 2 committed, 400 of ~1200 products" (catalog), "... page 4 committed" (others).
_PAGE = re.compile(r"\bpage (\d+) committed")
_ROWS = re.compile(r"\b(\d+) (?:rows\b|of ~(\d+))")


def make_console() -> Console:
    """Lines never wrap (a query must stay pasteable); piped output gets room for the whole table."""
    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, soft_wrap=True, width=200)


def quiet_framework(verbose: bool) -> None:
    """Dagster's beta/preview/supersession warnings off (they speak to the code's authors, not to
    whoever runs a sync), unless --verbose."""
    if verbose:
        return
    import dagster as dg

    for category in (dg.BetaWarning, dg.PreviewWarning, dg.SupersessionWarning):
        warnings.filterwarnings("ignore", category=category)
    # The client's retry and 429 lines reach the terminal through the run's events (naming the
    # asset and partition), not as bare Python log lines.
    logging.getLogger("centra_pipelines").addHandler(logging.NullHandler())


@dataclass
class StepProgress:
    step: str
    partition: str
    started: float
    pages: int = 0
    rows: int | None = None
    expected: int | None = None
    requests: int = 0
    status: str = "running"
    ended: float | None = None
    received: dict[tuple[str, str], int] = field(default_factory=dict)  # (asset, partition) -> rows

    @property
    def seconds(self) -> float:
        return (self.ended or time.time()) - self.started

    @property
    def row_count(self) -> int:
        if self.rows is not None:
            return self.rows
        first = next(iter(self.received), None)  # the step's first asset: its main table
        return sum(n for (asset, _), n in self.received.items() if first and asset == first[0])

    @property
    def eta(self) -> str:
        if self.status != "running" or not self.expected or not self.rows:
            return ""
        left = self.seconds * max(self.expected - self.rows, 0) / self.rows
        return f"~{left:.0f} s left"

    def line(self) -> str:
        mark = {"running": "…", "ok": "✓", "failed": "✗"}[self.status]
        where = f" [{self.partition}]" if self.partition else ""
        rows = self.row_count if self.rows is not None or self.received else None  # checks write no rows
        parts = [f"{self.pages} pages" if self.pages else "", f"{rows:,} rows" if rows is not None else "",
                 f"{self.requests} requests" if self.requests else "", f"{self.seconds:.1f} s", self.eta]
        return f"{mark} {self.step}{where}  " + "  ".join(p for p in parts if p)


class SyncProgress:
    """Follows runs in the instance and shows their steps; `with progress.follow(instance, run_id,
    partition): <execute or launch the run and wait>`. A live table on a terminal, then one line per
    step; piped, one line per step as it finishes."""

    def __init__(self, verbose: bool = False, console: Console | None = None):
        self.verbose = verbose
        self.console = console or make_console()
        self.steps: dict[str, StepProgress] = {}

    @property
    def run_config(self) -> dict:
        """Run config for the sync jobs: Dagster's console logger prints every event with --verbose,
        nothing otherwise (this display shows progress and problems; the UI keeps every event)."""
        return {"loggers": {"console": {"config": {"log_level": "DEBUG" if self.verbose else "CRITICAL"}}}}

    @contextmanager
    def follow(self, instance, run_id: str, partition: str) -> Iterator[None]:
        self.steps, printed = {}, set()
        stop = threading.Event()
        cursor: list[str | None] = [None]
        live = Live(self._table(), console=self.console, refresh_per_second=4, transient=True) \
            if self.console.is_terminal else None

        def show_finished() -> None:
            for key, step in list(self.steps.items()):
                if step.status != "running" and key not in printed:
                    printed.add(key)
                    self.console.print(f"  {step.line()}", markup=False)

        def poll() -> None:
            while True:
                self._read(instance, run_id, partition, cursor)
                if live is not None:
                    live.update(self._table())
                else:
                    show_finished()
                if stop.wait(POLL_SECONDS):
                    return

        if live is not None:
            live.start()
        poller = threading.Thread(target=poll, name=f"progress-{run_id[:8]}", daemon=True)
        poller.start()
        try:
            yield
        finally:
            stop.set()
            poller.join()
            self._read(instance, run_id, partition, cursor)  # the events of the last moments
            if live is not None:
                live.stop()
            for step in self.steps.values():
                if step.status == "running":  # never finished: the run stopped around it
                    step.status = "failed"
            show_finished()

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        for step in self.steps.values():
            table.add_row(Text(f"  {step.line()}"))  # Text: a "[partition]" is not markup
        return table

    def _read(self, instance, run_id: str, partition: str, cursor: list[str | None]) -> None:
        from dagster import DagsterEventType as T

        while True:
            connection = instance.get_records_for_run(run_id, cursor=cursor[0], limit=500)
            for record in connection.records:
                self._apply(record.event_log_entry, partition, T)
            cursor[0] = connection.cursor
            if not connection.has_more:
                return

    def _apply(self, entry, partition: str, T) -> None:
        key = entry.step_key
        event = entry.dagster_event
        if key is None:
            return
        step = self.steps.get(key)
        if step is None:
            step = self.steps[key] = StepProgress(key, partition, entry.timestamp)
        if event is None:  # a log line
            text = entry.user_message or ""
            if entry.level >= logging.WARNING:
                where = f" [{partition}]" if partition else ""
                self.console.print(f"  ! {key}{where}: {text}", markup=False)
            page = _PAGE.search(text)
            if page:
                step.pages = max(step.pages, int(page.group(1)))
                rows = _ROWS.search(text[page.end():])
                if rows:
                    step.rows = int(rows.group(1))
                    step.expected = int(rows.group(2)) if rows.group(2) else step.expected
            return
        if event.event_type == T.STEP_START:
            step.started = entry.timestamp
        elif event.event_type == T.ASSET_MATERIALIZATION:
            mat = event.step_materialization_data.materialization
            meta = {k: v.value for k, v in mat.metadata.items()}
            # a daily partition's materialization carries the run's requests as run_requests
            step.requests = max(step.requests, int(meta.get("run_requests", meta.get("requests", 0)) or 0))
            step.received[(mat.asset_key.to_user_string(), mat.partition or "")] = int(meta.get("received", 0) or 0)
        elif event.event_type in (T.STEP_SUCCESS, T.STEP_FAILURE):
            step.status = "ok" if event.event_type == T.STEP_SUCCESS else "failed"
            step.ended = entry.timestamp
            if event.event_type == T.STEP_FAILURE:
                where = f" [{partition}]" if partition else ""
                message = event.step_failure_data.error.message.strip() if event.step_failure_data.error else ""
                self.console.print(f"  ✗ {key}{where} failed: {message}", markup=False)


def print_summary(rows: list[dict], console: Console | None = None) -> None:
    """The sync's table: one row per asset (and partition or range) with its figures and checks."""
    console = console or make_console()
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name, justify in (("asset", "left"), ("partition", "left"), ("received", "right"),
                          ("written", "right"), ("quarantined", "right"), ("requests", "right"),
                          ("429s", "right"), ("wait s (lane)", "right"), ("checks", "left")):
        table.add_column(name, justify=justify, no_wrap=name != "checks")
    for r in rows:
        cells = (r["asset"], r["partition"], r["received"], r["written"], r["quarantined"], r["requests"],
                 r["throttled"], r.get("wait", ""), r["checks"])
        table.add_row(*(Text(str(c)) for c in cells), style=None if r["ok"] else "red")
    console.print(table)
    failed = [r for r in rows if not r["ok"]]
    console.print(f"\n{len(rows) - len(failed)} materializations, {len(failed)} failed runs")


def print_next_steps(console: Console | None = None) -> None:
    """Where the data is, a query to paste, and how to open the UI on the same instance."""
    import os

    from centra_pipelines.warehouse import connect
    from centra_pipelines.warehouse.url import ENV_VAR, parse_url

    console = console or make_console()
    url = parse_url()
    with connect() as wh:
        orders, quarantine = wh.query_ref("orders"), wh.query_ref("quarantine")
    console.print(f"\nData: {url.location} ({url.engine}, schema {wh.schema})", markup=False)
    if url.engine == "duckdb":
        path = os.path.relpath(url.path) if not os.path.relpath(url.path).startswith("..") else str(url.path)
        console.print("Query it (DuckDB CLI, or the Python client installed with this project):", markup=False)
        console.print(f'  duckdb -readonly {path} "select count(*) from {orders}"', markup=False)
        console.print(f"  {_python()} -c \"import duckdb; duckdb.connect('{path}', read_only=True)"
                      f".sql('select count(*) from {orders}').show()\"", markup=False)
    else:  # the URL may hold a password: point at the variable, never print it
        console.print(f'Query it:\n  psql "${ENV_VAR}" -c "select count(*) from {orders}"', markup=False)
    console.print(f"Rows a contract rejected wait in {quarantine} (with their reason; "
                  "resolved_at is set once a valid version loads).", markup=False)
    console.print("Open the Dagster UI on this instance: centra-pipelines ui  (then http://127.0.0.1:3000)",
                  markup=False)


def _python() -> str:
    import os

    exe = sys.executable
    rel = os.path.relpath(exe)
    return rel if not rel.startswith("..") else exe
