"""Authentication and permissions of the sandbox Centra over real HTTP."""

from datetime import datetime, timezone

import httpx

from centra_pipelines.sandbox.auth import Token

STORES = {"query": "query Stores { stores { id name } }", "operationName": "Stores"}


def test_missing_token_is_401_and_says_so(sandbox_server):
    response = httpx.post(sandbox_server.url, json=STORES)
    assert response.status_code == 401
    assert "Missing access token" in response.json()["errors"][0]["message"]


def test_unknown_token_is_401_without_echoing_it(sandbox_server):
    secret = "not-a-real-token-5f2c"
    response = httpx.post(sandbox_server.url, json=STORES, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Unknown access token."
    assert secret not in response.text


def test_expired_token_is_401_on_the_sandbox_clock(make_sandbox):
    # The sandbox clock starts at a fixed anchor (2026-03-31) and only moves by advance().
    server = make_sandbox(tokens=(Token("fresh", name="fresh"),
                                  Token("old", name="old", expires_at=datetime(2026, 1, 1, tzinfo=timezone.utc))))
    old = httpx.post(server.url, json=STORES, headers={"Authorization": "Bearer old"})
    fresh = httpx.post(server.url, json=STORES, headers={"Authorization": "Bearer fresh"})
    assert old.status_code == 401
    assert "expired" in old.json()["errors"][0]["message"]
    assert fresh.status_code == 200
    assert fresh.json()["data"]["stores"]


def test_cookie_authentication_works(sandbox_server):
    response = httpx.post(sandbox_server.url, json=STORES, cookies={"graphql-access": "sandbox"})
    assert response.status_code == 200
    assert len(response.json()["data"]["stores"]) >= 1


def test_bearer_response_has_centra_envelope(sandbox_server):
    body = httpx.post(sandbox_server.url, json=STORES, headers={"Authorization": "Bearer sandbox"}).json()
    assert body["data"]["stores"][0]["id"] >= 1
    extensions = body["extensions"]
    assert isinstance(extensions["complexity"], int) and extensions["complexity"] >= 1
    assert isinstance(extensions["permissionsUsed"], list)
    assert extensions["appVersion"].startswith("v")


def test_missing_permission_is_graphql_error_with_http_200(make_sandbox):
    server = make_sandbox(tokens=(Token("products-only", name="pim", permissions=frozenset({"Product:read"})),))
    headers = {"Authorization": "Bearer products-only"}
    response = httpx.post(server.url, json={"query": "query O { orders(limit: 1) { id number } }"}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    # `orders` is non-null in the schema, so the null propagates to `data` as GraphQL prescribes.
    assert body["data"] is None or body["data"]["orders"] is None
    [error] = body["errors"]
    assert error["message"] == "You need Order:read permission to access orders."
    assert error["path"] == ["orders"]
    assert error["extensions"]["category"] == "authorization"
    assert "complexity" in body["extensions"]
    allowed = httpx.post(server.url, json={"query": "{ products(limit: 1) { id } }"}, headers=headers).json()
    assert "errors" not in allowed and allowed["data"]["products"][0]["id"] >= 1


def test_expire_at_fault_expires_only_the_first_token(make_sandbox):
    server = make_sandbox(faults="expire_at=3",
                          tokens=(Token("first", name="first"), Token("second", name="second")))
    statuses = [httpx.post(server.url, json=STORES, headers={"Authorization": "Bearer first"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 401, 401]
    second = httpx.post(server.url, json=STORES, headers={"Authorization": "Bearer second"})
    assert second.status_code == 200

