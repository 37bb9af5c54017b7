"""Token rotation and redaction, without a server."""

import logging

import pytest

from centra_pipelines.centra.capabilities import plan_capabilities
from centra_pipelines.centra.errors import CentraPermissionError, error_from_graphql, QueryError
from centra_pipelines.centra.tokens import TokenSource


def test_rotation_switches_to_secondary_once_then_gives_up(caplog):
    caplog.set_level(logging.INFO)
    source = TokenSource("tok-primary-123", secondary="tok-secondary-456")
    assert source.name == "primary"
    assert source.rotate("tok-primary-123") is True
    assert (source.name, source.token) == ("secondary", "tok-secondary-456")
    assert source.rotate("tok-secondary-456") is False
    assert "secondary" in caplog.text
    for secret in source.secrets():
        assert secret not in caplog.text
        assert secret not in repr(source)


def test_token_file_is_reread_on_401(tmp_path):
    path = tmp_path / "centra-token"
    path.write_text("tok-old\n")
    source = TokenSource(token_file=path)
    assert source.token == "tok-old"
    assert source.rotate("tok-old") is False  # file unchanged: nothing new to try
    path.write_text("tok-new\n")
    assert source.rotate("tok-old") is True
    assert (source.name, source.token) == ("token file", "tok-new")


def test_no_token_at_all_is_refused():
    with pytest.raises(ValueError, match="no Centra token"):
        TokenSource()


def test_graphql_errors_are_classified_permission_first():
    error = error_from_graphql([
        {"message": "Bad thing", "path": ["x"], "extensions": {"category": "graphql"}},
        {"message": "You need Order.shippingAddress:read permission to access shippingAddress.",
         "path": ["orders", 0, "shippingAddress"], "extensions": {"category": "authorization"}},
    ])
    assert isinstance(error, CentraPermissionError)
    assert error.permission == "Order.shippingAddress:read"
    assert "orders.0.shippingAddress" in str(error)
    query_error = error_from_graphql([{"message": "Cannot query field 'nope' on type 'Product'.", "path": ["products"]}])
    assert isinstance(query_error, QueryError) and "nope" in str(query_error) and query_error.path == ["products"]


def test_schema_drift_is_reported_against_previous_fingerprint(caplog):
    full = {"ProductFilter": {"inputFields": [{"name": "updatedAt"}, {"name": "id"}]},
            "ProductSort": {"enumValues": [{"name": "id_ASC"}, {"name": "updatedAt_ASC"}]},
            "Product": {"fields": [{"name": "id"}, {"name": "updatedAt"}]}}
    before = plan_capabilities(full)
    assert before.plan("products").mode == "keyset"
    stripped = {**full, "ProductFilter": {"inputFields": [{"name": "id"}]}}
    with caplog.at_level(logging.WARNING):
        after = plan_capabilities(stripped, previous=before.fingerprint)
    assert after.plan("products").mode == "pages"
    assert after.drift == {"gone": ["ProductFilter.updatedAt"], "new": []}
    assert "schema drift" in caplog.text
    assert after.fingerprint["hash"] != before.fingerprint["hash"]
