"""CentraResource builds a working client from the environment, or points at the sandbox."""

import pytest

from centra_pipelines.centra import queries
from centra_pipelines.defs.resources import SANDBOX_URL, CentraResource, centra_resource_from_env


def test_resource_reads_url_and_token_from_environment(sandbox_server, monkeypatch):
    monkeypatch.setenv("CENTRA_API_URL", sandbox_server.url)
    monkeypatch.setenv("CENTRA_API_TOKEN", "sandbox")
    resource = centra_resource_from_env().process_config_and_initialize()
    with resource.get_client() as client:
        markets = client.execute(queries.MARKETS_PAGE, {"limit": 50}).data["markets"]
    assert sorted(m["id"] for m in markets) == sorted(m["id"] for m in sandbox_server.truth()["markets"])
    assert "sandbox" not in repr(client)


def test_resource_without_url_points_at_the_sandbox(monkeypatch):
    monkeypatch.delenv("CENTRA_API_URL", raising=False)
    monkeypatch.delenv("CENTRA_API_TOKEN", raising=False)
    resource = centra_resource_from_env().process_config_and_initialize()
    assert resource.url is None
    with resource.get_client() as client:
        assert client.url == SANDBOX_URL
        assert client.tokens.name == "primary"


def test_explicit_url_without_token_is_refused():
    with pytest.raises(ValueError, match="no Centra token"):
        CentraResource(url="https://brand.centra.com/graphql").get_client()
