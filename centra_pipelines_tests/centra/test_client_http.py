"""The Centra client against the sandbox Centra over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import time

import pytest

from centra_pipelines.centra import (
    STREAMS,
    AuthError,
    CentraClient,
    CentraPermissionError,
    Cursor,
    RetryPolicy,
    queries,
)
from centra_pipelines.sandbox.auth import Token

FAST_RETRY = RetryPolicy(attempts=12, max_seconds=60, initial_wait=0.01, max_wait=0.1)
SECRETS = ("primary-secret-7f3a9c", "secondary-secret-b81d2e", "limited-secret-44c0aa")


def client_for(server, token="sandbox", **kwargs) -> CentraClient:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("timeout", 5.0)
    return CentraClient(server.url, token, **kwargs)


def ids(rows) -> list:
    return [row["id"] for row in rows]


def graphql_requests(server, operation: str | None = None) -> list[dict]:
    log = [r for r in server.requests() if r["status"] != 0]  # status 0: connection dropped by a fault
    return [r for r in log if operation is None or r["operation"] == operation]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.parametrize("strict", [False, True], ids=["keyset", "pages"])
def test_faults_lose_no_product_and_duplicate_none(make_sandbox, strict):
    server = make_sandbox(scale="small", strict=strict, time_scale=50,
                          faults="5xx=0.2,429=0.05,reset=0.05,nonjson=0.02,truncate=0.02,storm=3,seed=11")
    truth = sorted(ids(server.truth()["products"]))
    # The sandbox grants any rate (tier off): a client budgeted for Enhanced sends the ~60 requests without
    # pacing them (at half of Growth, 10 s of waiting that this test is not about).
    with client_for(server, tier="enhanced", share=1.0) as client:
        pages = list(client.pages("products", limit=25))
        seen = [pid for page in pages for pid in ids(page.rows)]
        assert client.capabilities().plan("products").mode == ("pages" if strict else "keyset")
        final = pages[-1].stats  # the iteration's running totals
        assert pages[-1].done and final.rows == len(truth) and final.pages == len(pages)
        # every request in the sandbox log but the one-time introspection belongs to this iteration
        assert final.requests == len([r for r in server.requests() if r["operation"] != "Capabilities"])
        assert len(seen) == len(set(seen))  # none twice
        assert sorted(seen) == truth  # none missing
        assert client.stats.retries > 0 and client.stats.throttled > 0  # the faults did happen


def test_token_expiry_mid_iteration_switches_to_secondary_and_completes(make_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    tokens = (Token(secret=SECRETS[0], name="first"), Token(secret=SECRETS[1], name="second"))
    server = make_sandbox(scale="small", tokens=tokens, faults="expire_at=4")
    truth = sorted(ids(server.truth()["products"]))
    with client_for(server, SECRETS[0], secondary_token=SECRETS[1]) as client:
        seen = [pid for page in client.pages("products", limit=20) for pid in ids(page.rows)]
        assert client.tokens.name == "secondary"
        assert_no_secret(repr(client), repr(client.tokens))
    assert sorted(seen) == truth and len(seen) == len(set(seen))
    log = graphql_requests(server)
    assert [r["status"] for r in log].count(401) == 1  # switched once, on the first rejection
    assert {r["token"] for r in log if r["status"] == 200} == {"first", "second"}
    assert "now using the secondary token" in caplog.text
    assert_no_secret(caplog.text)


def test_every_token_rejected_raises_auth_error_without_the_token(make_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_sandbox(tokens=(Token(secret="someone-else", name="other"),))
    with client_for(server, SECRETS[0], secondary_token=SECRETS[1]) as client:
        with pytest.raises(AuthError, match="expired or been revoked") as raised:
            client.execute(queries.RATE_LIMITS)
    assert [r["status"] for r in graphql_requests(server)] == [401, 401]
    assert_no_secret(str(raised.value), repr(raised.value), caplog.text)


def test_permission_error_names_permission_and_sends_one_request(make_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_sandbox(tokens=(Token(secret=SECRETS[2], name="limited", permissions=frozenset({"Product:read"})),))
    with client_for(server, SECRETS[2]) as client:
        server.reset_log()
        with pytest.raises(CentraPermissionError) as raised:
            client.execute(queries.ORDERS_PAGE, {"limit": 10, "page": 1})
    assert raised.value.permission == "Order:read"
    assert "Order:read" in str(raised.value) and raised.value.path == ["orders"]
    assert len(server.requests()) == 1  # not retried
    assert_no_secret(str(raised.value), caplog.text)


@pytest.mark.parametrize("retry_after_format", ["seconds", "epoch", "http-date"])
def test_retry_after_in_every_form_is_honoured(make_sandbox, retry_after_format):
    # The client believes in a bigger tier than the sandbox grants, so the sandbox's own
    # limiter answers 429; honouring Retry-After means the next request is admitted.
    server = make_sandbox(tier="growth", time_scale=3, retry_after_format=retry_after_format)
    with client_for(server, tier="enhanced", share=1.0, time_scale=30) as client:
        for _ in range(90):
            client.execute(queries.RATE_LIMITS)
        statuses = [r["status"] for r in graphql_requests(server)]
        assert statuses.count(429) >= 1
        assert client.stats.throttled == statuses.count(429)
        assert client.stats.retries == 0  # a 429 is not a failure
        assert len(statuses) == client.stats.requests  # every answer not a 429 was a success
        assert statuses.count(200) == client.stats.requests - client.stats.throttled >= 90
        assert all(not (a == 429 and b == 429) for a, b in zip(statuses, statuses[1:]))  # waited long enough


@pytest.mark.parametrize("strict", [False, True], ids=["keyset", "pages"])
def test_saved_cursor_resumes_at_next_page_without_earlier_requests(make_sandbox, strict):
    server = make_sandbox(scale="small", strict=strict)
    truth = sorted(ids(server.truth()["products"]))
    with client_for(server) as client:
        first: list = []
        for page in client.pages("products", limit=50):
            first += ids(page.rows)
            if page.number == 2:
                saved = page.cursor.to_json()
                break
    server.reset_log()
    with client_for(server) as client:
        rest = [pid for page in client.pages("products", limit=50, cursor=saved) for pid in ids(page.rows)]
    assert not set(first) & set(rest)
    assert sorted(first + rest) == truth
    cursor = Cursor.from_json(saved)
    page_requests = graphql_requests(server, "ProductsPage")
    first_vars = page_requests[0]["variables"]
    if strict:
        assert all(r["variables"]["page"] >= 3 for r in page_requests)
        assert first_vars["page"] == 3
    else:
        assert all("updatedAt" in (r["variables"].get("where") or {}) for r in page_requests)
        assert first_vars["where"]["updatedAt"]["from"] == cursor.updated_from
        assert first_vars["page"] == cursor.page


def test_strict_sandbox_every_stream_completes_by_its_fallback(make_sandbox, caplog):
    caplog.set_level(logging.INFO)
    # ~100 pages of 7 rows: the client's budget on a 20 times faster clock, as the sandbox's (at Growth's
    # pace the walk would wait ~20 s for its budget, which this test is not about).
    server = make_sandbox(scale="tiny", strict=True, time_scale=20)
    truth = server.truth()
    with client_for(server, time_scale=20) as client:
        capabilities = client.capabilities()
        for name in STREAMS:
            assert capabilities.plan(name).mode == "pages", name
            if name == "stock":  # one warehouse at a time
                warehouse = truth["warehouses"][0]["id"]
                rows = [row for page in client.pages(name, limit=7, variables={"id": warehouse}) for row in page.rows]
                expected = [s["size_id"] for s in truth["stock_levels"] if s["warehouse_id"] == warehouse]
                assert sorted(r["productSize"]["id"] for r in rows) == sorted(expected)
                continue
            rows = [row for page in client.pages(name, limit=7) for row in page.rows]
            truth_rows = truth["products" if name == "product_ids" else name]
            assert sorted(ids(rows)) == sorted(ids(truth_rows)), name
    assert "Centra stream products: pages" in caplog.text
    assert capabilities.plan("products").event_object_type == "Product"


def test_schema_drift_between_runs_is_detected(make_sandbox, caplog):
    with client_for(make_sandbox(scale="tiny")) as client:
        before = client.capabilities().fingerprint
    assert client.capabilities().modes()["products"] == "keyset"
    caplog.set_level(logging.WARNING)
    with client_for(make_sandbox(scale="tiny", strict=True)) as client:
        after = client.capabilities(previous_fingerprint=before)
    assert "ProductFilter.updatedAt" in after.drift["gone"]
    assert "schema drift" in caplog.text


def test_a_few_requests_in_flight_return_results_in_order_within_budget(make_sandbox):
    server = make_sandbox(scale="small", tier="growth", time_scale=20)
    with client_for(server, max_in_flight=3, time_scale=20) as client:
        results = client.execute_many(
            [(queries.PRODUCTS_PAGE, {"limit": 10, "page": n, "sort": ["id_ASC"]}) for n in range(1, 9)]
        )
    got = [row["id"] for result in results for row in result.data["products"]]
    assert got == sorted(ids(server.truth()["products"]))[:80]
    assert [r["status"] for r in server.requests()].count(429) == 0
    assert client.stats.requests == 8 and client.stats.complexity == sum(r.complexity for r in results)


def test_server_time_is_centras_clock_from_the_date_header(make_sandbox):
    """The row-count check reads Centra's now from the Date header: the sandbox's is its own clock (the
    time of the updatedAt values it serves), not the machine's, and moves with it."""
    server = make_sandbox(scale="tiny")
    with client_for(server) as client:
        assert client.server_time is None
        client.execute(queries.RATE_LIMITS)
        assert client.server_time == server.sandbox.now.replace(microsecond=0)
        server.advance(90)
        client.execute(queries.RATE_LIMITS)
        assert client.server_time == server.sandbox.now.replace(microsecond=0)


@pytest.mark.parametrize("strict", [False, True], ids=["keyset", "pages"])
def test_next_page_is_requested_while_the_caller_holds_the_current_one_and_none_after_the_last(make_sandbox, strict):
    server = make_sandbox(scale="small", strict=strict)
    server.reset_log()
    with client_for(server) as client:
        pages = iter(client.pages("products", limit=50))
        first = next(pages)
        deadline = time.monotonic() + 10
        while len(graphql_requests(server, "ProductsPage")) < 2:  # page 2 asked for before we ask
            assert time.monotonic() < deadline, "page 2 was not requested while page 1 was held"
            time.sleep(0.01)
        time.sleep(0.3)
        assert len(graphql_requests(server, "ProductsPage")) == 2, "only one page ahead"
        rest = list(pages)
    every = [first, *rest]
    assert every[-1].done and not any(p.done for p in every[:-1])
    time.sleep(0.3)
    # exactly one request per page: none after the last one
    assert len(graphql_requests(server, "ProductsPage")) == len(every) == every[-1].stats.pages
    assert sorted(pid for p in every for pid in ids(p.rows)) == sorted(ids(server.truth()["products"]))
    # each page knows when Centra answered it
    moments = [p.server_time for p in every]
    assert all(moments) and moments == sorted(moments)
