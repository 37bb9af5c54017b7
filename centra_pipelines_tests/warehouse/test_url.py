from __future__ import annotations

import socket
from pathlib import Path

import pytest

from centra_pipelines.redaction import redact_url
from centra_pipelines.warehouse import (
    WarehouseConnectionError,
    WarehouseURLError,
    connect,
    parse_url,
)

PASSWORD = "S3cret-pw_42"


def test_duckdb_urls_resolve_relative_and_absolute_paths(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert parse_url("duckdb:///data/centra.duckdb").path == tmp_path / "data" / "centra.duckdb"
    assert parse_url("duckdb:///./x.duckdb").path == tmp_path / "x.duckdb"
    assert parse_url("duckdb:////var/lib/centra.duckdb").path == Path("/var/lib/centra.duckdb")


def test_default_url_is_duckdb_under_data(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CENTRA_WAREHOUSE_URL", raising=False)
    assert parse_url(None).path == tmp_path / "data" / "warehouse.duckdb"
    monkeypatch.setenv("CENTRA_WAREHOUSE_URL", "postgresql://etl@db.internal:6543/brand")
    url = parse_url(None)
    assert (url.engine, url.host, url.port, url.database, url.user) == ("postgresql", "db.internal", 6543, "brand", "etl")


def test_connect_creates_the_duckdb_parent_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with connect("duckdb:///nested/dir/centra.duckdb") as wh:
        assert wh.count("sync_state") == 0
    assert (tmp_path / "nested" / "dir" / "centra.duckdb").exists()


def test_passwords_are_masked_in_str_and_repr():
    url = parse_url(f"postgresql://etl:{PASSWORD}@db:5432/brand?sslmode=require")
    assert url.password == PASSWORD
    for text in (str(url), repr(url), url.redacted, redact_url(f"dsn host=db password={PASSWORD} user=x")):
        assert PASSWORD not in text
        assert "***" in text
    assert str(url) == "postgresql://etl:***@db:5432/brand?sslmode=require"


def test_bad_scheme_names_the_scheme_without_the_password():
    with pytest.raises(WarehouseURLError) as err:
        parse_url(f"mysql://etl:{PASSWORD}@db:3306/brand")
    assert "'mysql'" in str(err.value) and "duckdb:///" in str(err.value)
    assert PASSWORD not in str(err.value)
    with pytest.raises(WarehouseURLError, match="no scheme"):
        parse_url(f"etl:{PASSWORD}@db")
    with pytest.raises(WarehouseURLError) as err:
        parse_url(f"postgresql://etl:{PASSWORD}@db:notaport/brand")
    assert PASSWORD not in str(err.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_postgres_says_where_and_masks_the_password():
    port = _closed_port()
    with pytest.raises(WarehouseConnectionError) as err:
        connect(f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/test", connect_timeout=2)
    text = str(err.value)
    assert f"127.0.0.1:{port}/test" in text
    assert PASSWORD not in text and PASSWORD not in repr(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__  # driver error not chained


def test_connected_postgres_warehouse_never_shows_its_password(pg_url):
    # The test server trusts local connections, so any password is accepted.
    url = pg_url.replace("postgres@", f"postgres:{PASSWORD}@")
    with connect(url) as wh:
        assert PASSWORD not in repr(wh) and PASSWORD not in str(wh.url)
        with pytest.raises(Exception) as err:
            wh.read("SELECT * FROM no_such_table")
        assert PASSWORD not in str(err.value)


def test_duckdb_path_that_cannot_be_created_says_where(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(WarehouseConnectionError, match=str(blocker)):
        connect(f"duckdb:///{blocker}/centra.duckdb")
