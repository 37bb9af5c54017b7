"""`centra-pipelines doctor` and the checks `sync` runs first, against the sandbox over real HTTP."""

import json
import subprocess
import sys

import pytest

from centra_pipelines.cli import main
from centra_pipelines.sandbox.auth import Token


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean configuration: a DuckDB warehouse in tmp_path, no Centra settings inherited."""
    for name in ("CENTRA_API_URL", "CENTRA_API_TOKEN", "CENTRA_API_SECONDARY_TOKEN", "CENTRA_API_TOKEN_FILE",
                 "CENTRA_MARKETS", "CENTRA_STORES", "CENTRA_WAREHOUSES", "CENTRA_MAPPING_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CENTRA_WAREHOUSE_URL", f"duckdb:///{tmp_path / 'centra.duckdb'}")
    return monkeypatch


def doctor(env, server, token="sandbox", *args):
    env.setenv("CENTRA_API_URL", server.url)
    env.setenv("CENTRA_API_TOKEN", token)
    return main(["doctor", *args])


def lines(out: str) -> dict[str, tuple[str, str]]:
    """The table's rows: check -> (verdict, detail); columns are separated by two spaces."""
    rows = {}
    for line in out.splitlines()[2:]:
        cells = [c.strip() for c in line.split("  ") if c.strip()]
        if len(cells) >= 3:
            rows[cells[0]] = (cells[1], "  ".join(cells[2:]))
    return rows


def test_doctor_against_the_sandbox_exits_0_with_a_table(env, sandbox_server, capsys):
    assert doctor(env, sandbox_server) == 0
    out = capsys.readouterr().out
    assert "ready to sync" in out
    rows = lines(out)
    assert {rows[c][0] for c in ("reachable", "token", "schema", "stream modes", "permissions", "markets",
                                 "warehouses", "first sync", "warehouse")} == {"ok"}
    assert "syncs 'Sweden'" in rows["markets"][1] and "'TEST market': looks like a test market" in rows["markets"][1]
    assert "refuses 'Old Malmö DC': status INACTIVE" in rows["warehouses"][1]


def test_doctor_json_names_each_streams_mode_and_the_first_sync_estimate(env, make_sandbox, capsys):
    assert doctor(env, make_sandbox(strict=True), "sandbox", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["exit_code"] == 0
    # strict: the reference confirms no updatedAt filter on products and no updatedAt_ASC sort on orders
    assert report["modes"]["products"] == report["modes"]["orders"] == "pages"
    checks = {c["check"]: c for c in report["checks"]}
    assert "products: pages + Product event queue" in checks["stream modes"]["detail"]
    assert "orders: pages in updatedAt windows" in checks["stream modes"]["detail"]
    assert checks["first sync"]["verdict"] == "ok" and "requests" in checks["first sync"]["detail"]


def test_a_wrong_token_fails_with_one_clear_line(env, sandbox_server, capsys):
    assert doctor(env, sandbox_server, "not-the-token") == 2
    out = capsys.readouterr().out
    token = [line for line in out.splitlines() if line.startswith("token")]
    assert len(token) == 1 and "FAIL" in token[0] and "rejected the integration token (HTTP 401)" in token[0]
    assert "not-the-token" not in out


def test_missing_permissions_are_reported_per_entity_with_their_names(env, make_sandbox, capsys):
    limited = Token(secret="limited-token", name="limited", permissions=frozenset({
        "Store:read", "Market:read", "Country:read", "Pricelist:read", "Warehouse:read", "Product:read",
        "Order:read", "Order.billingAddress:read", "Currency:read"}))
    assert doctor(env, make_sandbox(tokens=(limited,)), "limited-token") == 2
    rows = lines(capsys.readouterr().out)
    assert rows["access customers"][0] == "FAIL" and "lacks Customer:read" in rows["access customers"][1]
    assert "lacks Voucher:read" in rows["access vouchers"][1]
    assert "lacks Event:read" in rows["access event queue"][1]
    assert "access orders" not in rows and "access products" not in rows
    assert rows["permissions"][0] == "FAIL"


def test_a_missing_permission_for_an_optional_list_warns_and_does_not_block(env, make_sandbox, capsys):
    from centra_pipelines.sandbox.permissions import READ_PERMISSIONS

    token = Token(secret="no-brands", name="no-brands",
                  permissions=frozenset(READ_PERMISSIONS - {"Brand:read", "Account:read"}))
    assert doctor(env, make_sandbox(tokens=(token,)), "no-brands") == 0
    rows = lines(capsys.readouterr().out)
    assert rows["access brands"][0] == "warn" and "lacks Brand:read" in rows["access brands"][1]
    assert rows["access accounts"][0] == "warn" and "lacks Account:read" in rows["access accounts"][1]
    assert rows["permissions"][0] == "warn"


def test_a_used_field_removed_fails_the_schema_line_naming_it(env, make_sandbox, capsys):
    assert doctor(env, make_sandbox(drop_fields=("Order.isOnHold",))) == 2
    rows = lines(capsys.readouterr().out)
    assert rows["schema"][0] == "FAIL" and "Order.isOnHold (used by ORDERS_PAGE)" in rows["schema"][1]


# --- sync: the blocking checks before any job ---------------------------------------------------------


def sync_fails_with_one_line(capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(["sync"])
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and captured.out == "", captured
    return err[0]


def test_sync_with_centra_on_a_closed_port_exits_2_naming_it(env, capsys):
    env.setenv("CENTRA_API_URL", "http://127.0.0.1:9/graphql")
    env.setenv("CENTRA_API_TOKEN", "sandbox")
    line = sync_fails_with_one_line(capsys)
    assert line.startswith("centra-pipelines sync: not started: reachable: no GraphQL answer from "
                           "http://127.0.0.1:9/graphql") and "ConnectError" in line


def test_sync_with_a_wrong_token_exits_2_naming_it(env, sandbox_server, capsys):
    env.setenv("CENTRA_API_URL", sandbox_server.url)
    env.setenv("CENTRA_API_TOKEN", "wrong-token")
    line = sync_fails_with_one_line(capsys)
    assert "token: Centra rejected the integration token (HTTP 401)" in line and "wrong-token" not in line


def test_sync_with_a_mysql_warehouse_exits_2_naming_it(env, capsys):
    env.setenv("CENTRA_WAREHOUSE_URL", "mysql://x")
    line = sync_fails_with_one_line(capsys)
    assert "warehouse: Unsupported warehouse URL scheme 'mysql'" in line and "CENTRA_WAREHOUSE_URL" in line


def test_sync_with_an_unreachable_postgresql_exits_2_without_its_password(env, capsys):
    env.setenv("CENTRA_WAREHOUSE_URL", "postgresql://postgres:s3cret-pw@127.0.0.1:9/centra")
    line = sync_fails_with_one_line(capsys)
    assert "warehouse: PostgreSQL at 127.0.0.1:9/centra refused the connection" in line
    assert "s3cret-pw" not in line


def test_the_installed_command_prints_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CENTRA_API_URL": "http://127.0.0.1:9/graphql", "CENTRA_API_TOKEN": "x",
           "CENTRA_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'w.duckdb'}", "DAGSTER_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "centra_pipelines.cli", "sync"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr and "reachable" in done.stderr


def test_the_selection_lines_follow_the_configuration_and_refuse_a_named_test_market(env, sandbox_server, capsys):
    env.setenv("CENTRA_STORES", "Retail")
    assert doctor(env, sandbox_server) == 0
    rows = lines(capsys.readouterr().out)
    assert rows["stores"] == ("ok", "syncs Retail (DIRECT_TO_CONSUMER, id 1); leaves out Wholesale (not in CENTRA_STORES)")
    assert "'Sweden'" in rows["markets"][1] and "Wholesale Nordics" not in rows["markets"][1]

    env.setenv("CENTRA_MARKETS", "Sweden,TEST market")
    assert doctor(env, sandbox_server) == 2
    rows = lines(capsys.readouterr().out)
    assert rows["markets"][0] == "FAIL" and "'TEST market'" in rows["markets"][1]
    assert "looks like a test market" in rows["markets"][1]
