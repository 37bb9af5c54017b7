"""The README's first command as a new user sees it: quiet, progress per asset, and at the end where
the data is and a query that works on the default DuckDB file."""

import re
import subprocess
from pathlib import Path

import duckdb


def test_readme_sync_output_has_no_banner_or_warnings_and_ends_with_the_data_path_and_a_query(synced_project):
    result = synced_project.result
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    # Nothing from the framework: no telemetry banner, no Beta/Preview warnings, no per-event log lines.
    assert result.stderr == ""
    for noise in ("telemetry", "Telemetry", "Warning", "WARNING", " - INFO - ", " - DEBUG - ", "dagster - "):
        assert noise not in out, noise
    # Progress per asset (step), with its partition or range, pages, rows and requests.
    assert re.search(r"^  ✓ order_windows \[2026-03-01\.\.2026-03-31\]  \d+ pages  \d+ rows  \d+ requests", out, re.M), out
    assert re.search(r"^  ✓ stock_levels \[1-stockholm-dc\]  ", out, re.M), out
    # The summary, then where the data is and how to look at it, as the last lines.
    summary = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("orders ")}
    tail = out.strip().splitlines()[-6:]
    data = synced_project.root / "data" / "warehouse.duckdb"
    assert tail[0] == f"Data: {data} (duckdb, schema centra)"
    assert tail[2] == '  duckdb -readonly data/warehouse.duckdb "select count(*) from centra.orders"'
    assert "centra-pipelines ui" in tail[-1]

    # The printed Python line runs as printed, pasted in a shell in the project folder, and counts the
    # orders the sync wrote.
    python_line = tail[3].strip()
    assert "select count(*) from centra.orders" in python_line
    shown = subprocess.run(python_line, shell=True, cwd=synced_project.root, capture_output=True, text=True,
                           check=True).stdout
    [orders] = [int(n) for n in re.findall(r"│\s+(\d+)\s+│", shown)]
    with duckdb.connect(str(synced_project.root / "data" / "warehouse.duckdb"), read_only=True) as con:
        [(quarantined,)] = con.sql("select count(*) from centra.quarantine where table_name = 'orders'").fetchall()
    received, written = int(summary["orders"][2]), int(summary["orders"][3])
    assert orders == written == received - quarantined > 0

    # The instance the sync used has the repository's dagster.yaml in effect, with the embedded storage.
    written = (synced_project.root / ".dagster_home" / "dagster.yaml").read_text()
    assert (Path(__file__).parents[1] / "dagster.yaml").read_text() in written
    assert "centra_pipelines.instance_storage" in written


def test_progress_follows_the_run_and_names_the_asset_and_partition_of_a_retry(make_sandbox, tmp_path):
    import io

    import dagster as dg
    from rich.console import Console

    from centra_pipelines.sync import _run
    from centra_pipelines.terminal import SyncProgress
    from centra_pipelines.warehouse import duckdb_url
    from centra_pipelines_tests.defs.conftest import make_defs

    server = make_sandbox(scale="tiny")
    defs = make_defs(server, duckdb_url(tmp_path / "warehouse.duckdb"))
    out = io.StringIO()
    progress = SyncProgress(console=Console(file=out, width=200, soft_wrap=True))
    # The repository's dagster.yaml hands the Centra client's logger to Dagster: its lines are step events.
    overrides = {"python_logs": {"managed_python_loggers": ["centra_pipelines.centra"]}}
    with dg.instance_for_test(temp_dir=str(tmp_path), overrides=overrides) as instance:
        assert all(r["ok"] for r in _run(defs, instance, "reference_and_catalog_job", None, progress))
        assert "1-stockholm-dc" in instance.get_dynamic_partitions("warehouse")
        # Half the requests fail with 5xx; the client retries them. Seed 12 fails each of the two pages once
        # (seed 3 failed four in a row twice: ~15 s of back-off before the same lines).
        server.set_faults("5xx=0.5,seed=12")
        out.truncate(0), out.seek(0)
        [row] = _run(defs, instance, "stock_job", "1-stockholm-dc", progress)
    shown = out.getvalue()
    assert re.search(r"^  ! stock_levels \[1-stockholm-dc\]: Centra request failed .*retry 1 of \d", shown, re.M), shown
    line = re.search(r"^  ✓ stock_levels \[1-stockholm-dc\]  2 pages  (\d+) rows  (\d+) requests", shown, re.M)
    assert line, shown
    assert int(line.group(1)) == row["received"] and int(line.group(2)) == row["requests"] > 0
