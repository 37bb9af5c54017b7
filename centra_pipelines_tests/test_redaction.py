"""Credentials inside URLs are masked wherever we print, log, raise or store them."""

import os
import subprocess
import sys

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


def test_failed_sync_leaves_no_url_password_or_token_in_its_output_or_the_instance(tmp_path, pg_url):
    home = tmp_path / "dagster_home"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("sync:\n  initial_import_start: 2026-11-25\n")  # a few daily windows: a short run
    env = {**os.environ, "DAGSTER_HOME": str(home), "CENTRA_MAPPING_FILE": str(mapping),
           "CENTRA_API_URL": f"http://etl:{API_PASSWORD}@127.0.0.1:9/graphql", "CENTRA_API_TOKEN": TOKEN,
           # PostgreSQL trusts the test user, so the warehouse works with a password in its URL.
           "CENTRA_WAREHOUSE_URL": pg_url.replace("postgres@", f"postgres:{PG_PASSWORD}@", 1)}
    result = subprocess.run([sys.executable, "-m", "centra_pipelines.cli", "sync"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Centra: http://etl:***@127.0.0.1:9/graphql" in result.stdout
    assert "holds credentials" in output  # the runs failed for the reason, and said it masked
    stored = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name == "runs.db" for path in stored)  # the failed runs are in the instance
    for path in stored:
        data = path.read_bytes()
        for secret in (API_PASSWORD, PG_PASSWORD, TOKEN):
            assert secret.encode() not in data, f"{secret!r} stored in {path}"
    for secret in (API_PASSWORD, PG_PASSWORD, TOKEN):
        assert secret not in output
