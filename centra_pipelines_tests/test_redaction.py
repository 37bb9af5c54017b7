"""Credentials inside URLs are masked wherever we print, log, raise or store them."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from centra_pipelines.centra import CentraClient, CentraError
from centra_pipelines.redaction import redact_url

API_PASSWORD = "ApiPw-7:7@x"  # holds the separators a naive pattern stops at
PG_PASSWORD = "PgPw-88y"
TOKEN = "tok-secret-123456"


@pytest.mark.parametrize("text, shown", [
    (f"https://etl:{API_PASSWORD}@brand.centra.com/graphql", "https://etl:***@brand.centra.com/graphql"),
    (f"failed: postgresql://etl:{PG_PASSWORD}@db:5432/x?sslmode=require (timeout)",
     "failed: postgresql://etl:***@db:5432/x?sslmode=require (timeout)"),
    (f"dsn host=db password='{PG_PASSWORD}' user=x", "dsn host=db password=*** user=x"),
    (f"https://hooks.example.com/in?channel=a&token={TOKEN}&sig=abc",
     "https://hooks.example.com/in?channel=a&token=***&sig=***"),
    # Nothing to mask: left exactly as it was.
    ("https://brand.centra.com:443/graphql", "https://brand.centra.com:443/graphql"),
    ("duckdb:///data/centra.duckdb", "duckdb:///data/centra.duckdb"),
    ("postgresql://etl@db/x and mail ops@brand.com", "postgresql://etl@db/x and mail ops@brand.com"),
    ("asset key=orders, token=refresh in a message", "asset key=orders, token=refresh in a message"),
])
def test_redact_url_masks_passwords_and_credential_parameters_only(text, shown):
    assert redact_url(text) == shown


def test_centra_url_with_credentials_is_refused_with_them_masked():
    with pytest.raises(CentraError) as err:
        CentraClient(f"https://etl:{API_PASSWORD}@brand.centra.com/graphql", TOKEN)
    assert "holds credentials" in str(err.value) and "https://etl:***@brand.centra.com/graphql" in str(err.value)
    assert API_PASSWORD not in str(err.value) and "7@x" not in str(err.value)


def _sync(tmp_path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "centra_pipelines.cli", "sync"], env={**os.environ, **env},
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_sync_refuses_a_centra_url_with_credentials_in_one_masked_line(tmp_path):
    result = _sync(tmp_path, {"DAGSTER_HOME": str(tmp_path / "home"), "CENTRA_API_TOKEN": TOKEN,
                              "CENTRA_API_URL": f"http://etl:{API_PASSWORD}@127.0.0.1:9/graphql",
                              "CENTRA_WAREHOUSE_URL": f"duckdb:///{tmp_path}/w.duckdb"})
    assert result.returncode == 2
    assert "http://etl:***@127.0.0.1:9/graphql holds credentials" in result.stderr
    assert "Traceback" not in result.stderr
    for secret in (API_PASSWORD, TOKEN):
        assert secret not in result.stdout + result.stderr


def test_sync_leaves_no_password_or_token_in_its_output_or_the_instance(tmp_path, pg_url, make_sandbox):
    from centra_pipelines.sandbox.auth import Token

    server = make_sandbox(tokens=(Token(secret=TOKEN, name="etl"),))
    home = tmp_path / "dagster_home"
    mapping = tmp_path / "mapping.yaml"
    start = (server.sandbox.now.date() - timedelta(days=3)).isoformat()
    mapping.write_text(f"sync:\n  initial_import_start: {start}\n")  # a few daily windows: a short run
    # PostgreSQL trusts the test user, so the warehouse works with a password in its URL.
    result = _sync(tmp_path, {"DAGSTER_HOME": str(home), "CENTRA_MAPPING_FILE": str(mapping),
                              "CENTRA_API_URL": server.url, "CENTRA_API_TOKEN": TOKEN,
                              "CENTRA_WAREHOUSE_URL": pg_url.replace("postgres@", f"postgres:{PG_PASSWORD}@", 1)})
    output = result.stdout + result.stderr
    stored = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name == "runs.db" for path in stored), output[-2000:]  # the runs are in the instance
    assert any(path.suffix in (".out", ".err") for path in stored)  # with their compute logs
    for path in stored:
        data = path.read_bytes()
        for secret in (API_PASSWORD, PG_PASSWORD, TOKEN):
            assert secret.encode() not in data, f"{secret!r} stored in {path}"
    for secret in (PG_PASSWORD, TOKEN):
        assert secret not in output
