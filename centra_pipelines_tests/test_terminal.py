"""The README's first command as a new user sees it: quiet, progress per asset, and at the end where
the data is and a query that works on the default DuckDB file."""

import os
import re

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

    # The printed Python line runs as printed, from the project folder, and counts the orders synced.
    python_line = tail[3].strip()
    query = re.search(r"\.sql\('([^']+)'\)", python_line).group(1)
    assert query == "select count(*) from centra.orders"
    os.chdir(synced_project.root)
    with duckdb.connect("data/warehouse.duckdb", read_only=True) as con:
        [(orders,)] = con.sql(query).fetchall()
        [(quarantined,)] = con.sql("select count(*) from centra.quarantine where table_name = 'orders'").fetchall()
    received, written = int(summary["orders"][2]), int(summary["orders"][3])
    assert orders == written == received - quarantined > 0

    # The instance the sync used has the repository's dagster.yaml in effect.
    linked = synced_project.root / ".dagster_home" / "dagster.yaml"
    assert linked.resolve() == (__import__("pathlib").Path(__file__).parents[1] / "dagster.yaml").resolve()
