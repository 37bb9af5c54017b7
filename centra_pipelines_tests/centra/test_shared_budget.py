"""One Centra budget for a whole deployment: processes share it through a store, lanes order them,
and a killed process holds nothing. Against the sandbox's rate limiter over real HTTP.

The sandbox runs the Growth tier with a neighbour (the brand's other integrations) spending 45% of
every bucket, so what is left for us is our share (0.5) plus a tenth: enough for the jitter of
loopback arrivals (two requests sent 1/30 s apart may arrive closer), not for a second share.
"""

from __future__ import annotations

import bisect
import multiprocessing as mp
import os
import signal
import time
from datetime import datetime

import dagster as dg
import pytest

from centra_pipelines.centra import CentraClient, queries
from centra_pipelines.centra.throttle import TIERS, Throttle
from centra_pipelines.defs.resources import instance_budget_url
from centra_pipelines.sandbox.auth import Token
from centra_pipelines.warehouse import duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs

SHARE = 0.5
TIME_SCALE = 10.0  # one 10 s window lasts 1 s
WINDOW = 10.0 / TIME_SCALE
CAPACITY = SHARE * TIERS["growth"].quotas[("requests", 10.0)]  # 30 requests per window
NEIGHBOUR = 0.45
JITTER = 5  # requests: arrivals bunched by scheduling delays on a busy machine (2 cores, many processes)
_SPAWN = mp.get_context("spawn")  # fresh interpreters, like Dagster run workers


def _spend(url: str, token: str, budget_url: str, lane: str, ready, go, stop) -> None:
    """A worker: as many requests as the shared budget lets it send, until told to stop."""
    with CentraClient(url, token, share=SHARE, time_scale=TIME_SCALE, lane=lane, budget_url=budget_url) as client:
        ready.set()
        go.wait(60)
        while not stop.is_set():
            client.execute(queries.MARKETS_PAGE, {"limit": 1, "page": 1})


def _start(sandbox, budget_url: str, lanes: dict[str, str], go, stop) -> dict[str, mp.Process]:
    workers = {}
    for name, lane in lanes.items():
        ready = _SPAWN.Event()
        worker = _SPAWN.Process(target=_spend, args=(sandbox.url, name, budget_url, lane, ready, go, stop), daemon=True)
        worker.start()
        assert ready.wait(60), f"worker {name} did not start"
        workers[name] = worker
    return workers


def _log(sandbox) -> list[tuple[float, str, int]]:
    """(seconds, token name, HTTP status) of every request the sandbox saw."""
    return [(datetime.fromisoformat(r["time"]).timestamp(), r["token"], r["status"]) for r in sandbox.requests()]


def _assert_within_share(log) -> None:
    """No interval of one window, wherever it starts, holds more requests than our share."""
    times = sorted(t for t, _, _ in log)
    for i, start in enumerate(times):
        count = bisect.bisect_left(times, start + WINDOW) - i
        assert count <= CAPACITY + JITTER, f"{count} requests in the window from {start:.2f}: above the share"


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def budget_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'budget.sqlite'}"
    if request.param == "redis":  # the budget's key names the sandbox's port: no other test shares it
        return request.getfixturevalue("redis_url")
    return request.getfixturevalue("pg_url")


def test_three_processes_share_one_budget_lanes_first_and_a_killed_one_frees_its_part(make_sandbox, budget_url):
    names = {"realtime-worker": "realtime", "backfill-1": "backfill", "backfill-2": "backfill"}
    sandbox = make_sandbox(tier="growth", time_scale=TIME_SCALE, neighbour=NEIGHBOUR,
                           tokens=tuple(Token(name, name=name) for name in names))
    go, stop = _SPAWN.Event(), _SPAWN.Event()
    workers = _start(sandbox, budget_url, names, go, stop)
    try:
        started = time.time()
        go.set()
        time.sleep(4 * WINDOW)
        os.kill(workers["realtime-worker"].pid, signal.SIGKILL)
        killed = time.time()
        time.sleep(4 * WINDOW)
        stop.set()
        ended = time.time()
        for worker in workers.values():
            worker.join(30)
    finally:
        for worker in workers.values():
            if worker.is_alive():
                worker.kill()
    log = _log(sandbox)

    assert [entry for entry in log if entry[2] == 429] == []
    _assert_within_share(log)
    # While the real-time worker wanted requests, the two backfills gave way to it.
    before = [name for t, name, _ in log if started + WINDOW <= t < killed]
    assert before.count("realtime-worker") >= 0.7 * len(before)
    # Once it was killed, its place in the queue expired and the backfills spent what their lane may
    # (BACKFILL_SHARE of each window). They spend it in bursts as the window's slots expire, so the
    # interval may begin just after one: one window less is counted.
    freed_from = killed + Throttle.WAITER_GRACE + Throttle.LONGEST_SLEEP / 2
    after = [name for t, name, _ in log if freed_from <= t < ended]
    assert "realtime-worker" not in after
    assert len(after) >= 0.8 * Throttle.BACKFILL_SHARE[10.0] * CAPACITY * ((ended - freed_from) / WINDOW - 1)
    assert after.count("backfill-1") > 0 and after.count("backfill-2") > 0


def test_realtime_run_during_a_backfill_waits_less_than_one_window(make_sandbox, tmp_path):
    sandbox = make_sandbox(tier="growth", time_scale=TIME_SCALE, neighbour=NEIGHBOUR,
                           tokens=(Token("backfill-worker", name="backfill-worker"), Token("sandbox", name="runs")))
    (tmp_path / "dagster_home").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home")) as instance:
        budget_url = instance_budget_url(instance)
        assert budget_url.startswith("sqlite:///")  # the instance's directory: every process of the machine
        go, stop = _SPAWN.Event(), _SPAWN.Event()
        workers = _start(sandbox, budget_url, {"backfill-worker": "backfill"}, go, stop)
        try:
            go.set()
            time.sleep(2 * WINDOW)  # the backfill has spent the burst and now holds the budget
            defs = make_defs(sandbox, duckdb_url(tmp_path / "warehouse.duckdb"), time_scale=TIME_SCALE,
                             share=SHARE)
            result = defs.resolve_job_def("centra_events_job").execute_in_process(instance=instance)
            run_ended = time.time()
            time.sleep(WINDOW)
        finally:
            stop.set()
            for worker in workers.values():
                worker.join(30)
    assert result.success
    [materialization] = result.asset_materializations_for_node("centra_events")
    meta = {k: v.value for k, v in materialization.metadata.items()}
    log = _log(sandbox)

    assert meta["centra_lane"] == "realtime"  # from the job, not configured
    assert meta["requests"] >= 3
    # Time the run's requests waited on the budget, all of them together (the first included).
    assert meta["throttle_wait_seconds"] <= WINDOW
    run_requests = [t for t, name, _ in log if name == "runs"]
    assert len(run_requests) == meta["requests"]
    # The backfill held the budget: it spent most of a window's share just before the run's first
    # request, and went on after the run; nobody overspent.
    first = run_requests[0]
    assert sum(1 for t, name, _ in log if name == "backfill-worker" and first - WINDOW <= t < first) >= 0.7 * CAPACITY
    assert any(name == "backfill-worker" and run_ended < t for t, name, _ in log)
    assert [entry for entry in log if entry[2] == 429] == []
    _assert_within_share(log)
