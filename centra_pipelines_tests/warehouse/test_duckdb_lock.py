"""DuckDB admits one writer process: our processes queue on <file>.lock instead of crashing."""

from __future__ import annotations

import multiprocessing as mp

import pandas as pd

from centra_pipelines.warehouse import TableSpec, WarehouseLockTimeout, connect, duckdb_url

SPEC = TableSpec("events", {"id": "bigint", "writer": "text"}, ("id",))
_SPAWN = mp.get_context("spawn")  # a fresh interpreter, like a Dagster step process


def _second_writer(url: str, lock_timeout: float, ready, go, results) -> None:
    with connect(url, lock_timeout=lock_timeout) as wh:
        ready.set()
        go.wait(60)
        results.put("waiting")
        try:
            with wh.transaction() as tx:
                # Runs only once the first process has committed: it must see that row.
                seen = wh.read(SPEC)["writer"].tolist()
                tx.upsert(SPEC, pd.DataFrame({"id": [2], "writer": ["second"]}))
            results.put(("committed", seen))
        except WarehouseLockTimeout as exc:
            results.put(("timeout", str(exc)))


def _run_against_open_transaction(tmp_path, lock_timeout: float):
    url = duckdb_url(tmp_path / "centra.duckdb")
    with connect(url) as wh:
        wh.ensure_tables([SPEC])
        ready, go, results = _SPAWN.Event(), _SPAWN.Event(), _SPAWN.Queue()
        proc = _SPAWN.Process(target=_second_writer, args=(url, lock_timeout, ready, go, results))
        proc.start()
        try:
            assert ready.wait(60), "second process did not start"
            with wh.transaction() as tx:
                tx.upsert(SPEC, pd.DataFrame({"id": [1], "writer": ["first"]}))
                go.set()
                assert results.get(timeout=60) == "waiting"
                outcome = results.get(timeout=60) if lock_timeout < 5 else None
            if outcome is None:
                outcome = results.get(timeout=60)
            proc.join(60)
            return outcome, wh.read(SPEC)["writer"].tolist()
        finally:
            if proc.is_alive():
                proc.kill()


def test_second_process_waits_for_the_writer_lock(tmp_path):
    outcome, rows = _run_against_open_transaction(tmp_path, lock_timeout=60)
    assert outcome == ("committed", ["first"])
    assert rows == ["first", "second"]


def test_second_process_times_out_with_a_clear_message(tmp_path):
    outcome, rows = _run_against_open_transaction(tmp_path, lock_timeout=0.5)
    kind, message = outcome
    assert kind == "timeout"
    assert f"{tmp_path / 'centra.duckdb.lock'}" in message
    assert "Timed out after 0.5 s" in message and "one writer process" in message
    import os

    assert f"pid {os.getpid()}" in message  # names the process holding the lock
    assert rows == ["first"]
