"""Fault injection: plan parsing, determinism, and each fault as an httpx client sees it."""

import json

import httpx
import pytest

from centra_pipelines.sandbox.faults import FaultInjector, FaultPlan

STORES = {"query": "query Stores { stores { id } }"}
AUTH = {"Authorization": "Bearer sandbox"}


def test_parse_full_spec():
    plan = FaultPlan.parse("5xx=0.2,429=0.1,reset=0.05,slow=0.01,truncate=0.02,nonjson=0.02,fail_at=40,"
                           "expire_at=100,seed=3,storm=4,slow_seconds=2.5")
    assert plan.probabilities == {"5xx": 0.2, "429": 0.1, "reset": 0.05, "slow": 0.01, "truncate": 0.02,
                                  "nonjson": 0.02}
    assert (plan.fail_at, plan.expire_at, plan.seed, plan.storm, plan.slow_seconds) == (40, 100, 3, 4, 2.5)
    assert FaultPlan.parse(plan.spec()) == plan


@pytest.mark.parametrize("spec, message", [
    ("boom=0.1", "unknown fault spec key 'boom'"),
    ("5xx=lots", "'lots' is not a number"),
    ("5xx=0.7,reset=0.6", "more than 1"),
    ("fail_at=0", "counts requests from 1"),
    ("reset", "KEY=VALUE"),
])
def test_parse_rejects_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        FaultPlan.parse(spec)


def test_same_plan_gives_same_faults_in_order():
    plan = FaultPlan.parse("5xx=0.3,429=0.1,reset=0.1,seed=11")
    first, second = FaultInjector(plan), FaultInjector(plan)
    sequence = [first.next() for _ in range(200)]
    assert sequence == [second.next() for _ in range(200)]
    kinds = [f.kind for f in sequence]
    assert {"5xx", "429", "reset", None} <= set(kinds)
    # a 429 starts a storm of `storm` (default 3) consecutive 429s
    start = kinds.index("429")
    assert kinds[start:start + 3] == ["429"] * 3


def test_5xx_fault_answers_server_error(make_sandbox):
    server = make_sandbox(faults="5xx=1")
    statuses = {httpx.post(server.url, json=STORES, headers=AUTH).status_code for _ in range(12)}
    assert statuses <= {500, 502, 503} and len(statuses) >= 2


def test_reset_fault_drops_the_connection(make_sandbox):
    server = make_sandbox(faults="reset=1")
    with pytest.raises(httpx.TransportError):
        httpx.post(server.url, json=STORES, headers=AUTH)


def test_truncate_fault_cuts_the_json_body(make_sandbox):
    server = make_sandbox(faults="truncate=1")
    response = httpx.post(server.url, json=STORES, headers=AUTH)
    assert response.status_code == 200
    assert response.text.startswith('{"data"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_nonjson_fault_answers_html(make_sandbox):
    server = make_sandbox(faults="nonjson=1")
    response = httpx.post(server.url, json=STORES, headers=AUTH)
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_slow_fault_outlasts_the_client_timeout(make_sandbox):
    server = make_sandbox(faults="slow=1,slow_seconds=3")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(server.url, json=STORES, headers=AUTH, timeout=0.3)


def test_429_storm_answers_429_with_retry_after(make_sandbox):
    server = make_sandbox(faults="429=1,storm=2")
    response = httpx.post(server.url, json=STORES, headers=AUTH)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_fail_at_answers_503_from_request_n_until_the_plan_changes(make_sandbox):
    server = make_sandbox(faults="fail_at=3")
    with httpx.Client(headers=AUTH) as client:
        statuses = [client.post(server.url, json=STORES).status_code for _ in range(5)]
        assert statuses == [200, 200, 503, 503, 503]
        # changed live through the control endpoint; numbering restarts with the new plan
        changed = client.post(f"{server.base_url}/_sandbox/faults", json={"spec": ""})
        assert changed.status_code == 200
        assert client.post(server.url, json=STORES).status_code == 200


def test_fault_endpoint_rejects_a_bad_spec_and_keeps_the_plan(make_sandbox):
    server = make_sandbox(faults="fail_at=2")
    response = httpx.post(f"{server.base_url}/_sandbox/faults", json={"spec": "nope=1"})
    assert response.status_code == 400
    assert "unknown fault spec key" in response.json()["error"]
    assert httpx.get(f"{server.base_url}/_sandbox/faults").json()["spec"].startswith("fail_at=2")


def test_faults_are_recorded_in_the_request_log(make_sandbox):
    server = make_sandbox(faults="fail_at=2")
    for _ in range(2):
        httpx.post(server.url, json=STORES, headers=AUTH)
    log = server.requests()
    assert [(r["status"], r["fault"]) for r in log] == [(200, None), (503, "fail_at")]
