"""The request log of the sandbox (GET /_sandbox/requests): operations, never tokens."""

import httpx

from centra_pipelines.sandbox.auth import Token

SECRET = "log-test-secret-9d1e"


def test_request_log_records_operations_and_token_names_not_tokens(make_sandbox):
    server = make_sandbox(tokens=(Token(SECRET, name="erp"),))
    headers = {"Authorization": f"Bearer {SECRET}"}
    httpx.post(server.url, headers=headers, json={
        "query": "query Markets($limit: Int) { markets(limit: $limit) { id } }", "variables": {"limit": 5}})
    httpx.post(server.url, headers=headers, json={
        "query": "query A { stores { id } } query B { currencies { code } }", "operationName": "B"})
    httpx.post(server.url, json={"query": "query Anonymous { stores { id } }"},
               headers={"Authorization": "Bearer wrong-" + SECRET})
    response = httpx.get(f"{server.base_url}/_sandbox/requests")
    assert SECRET not in response.text
    log = response.json()["requests"]
    assert [(r["seq"], r["token"], r["operation"], r["status"]) for r in log] == [
        (1, "erp", "Markets", 200), (2, "erp", "B", 200), (3, None, "Anonymous", 401)]
    assert log[0]["variables"] == {"limit": 5}
    assert log[0]["complexity"] >= 1


def test_reset_log_empties_it(make_sandbox):
    server = make_sandbox()
    httpx.post(server.url, json={"query": "{ stores { id } }"}, headers={"Authorization": "Bearer sandbox"})
    assert len(server.requests()) == 1
    assert httpx.post(f"{server.base_url}/_sandbox/reset-log").status_code == 200
    assert httpx.get(f"{server.base_url}/_sandbox/requests").json() == {"requests": []}


def test_token_secrets_are_not_in_repr():
    token = Token(SECRET, name="erp")
    assert SECRET not in repr(token)


def test_health_and_bad_request_body(make_sandbox):
    server = make_sandbox(seed=11)
    health = httpx.get(f"{server.base_url}/_sandbox/health").json()
    assert (health["status"], health["seed"], health["scale"]) == ("ok", 11, "tiny")
    bad = httpx.post(server.url, content=b"not json", headers={"Authorization": "Bearer sandbox"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["category"] == "graphql"
