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


# --- one connection per process, handed over on demand (duckdb_engine._HeldFile) ----------------

def _busy_holder(url: str, started, stop, results) -> None:
    """Writes a row every 0.1 s (never idle long enough to let the file go on its own) until told to
    stop; reports how many it wrote."""
    with connect(url, lock_timeout=60) as wh:
        for i in range(1000):
            with wh.transaction() as tx:
                tx.upsert(SPEC, pd.DataFrame({"id": [100 + i], "writer": ["holder"]}))
            started.set()
            if stop.wait(0.1):
                break
        results.put(i + 1)


def test_a_busy_process_hands_the_file_over_when_another_asks(tmp_path):
    import time

    url = duckdb_url(tmp_path / "centra.duckdb")
    with connect(url) as wh:
        wh.ensure_tables([SPEC])
    started, stop, results = _SPAWN.Event(), _SPAWN.Event(), _SPAWN.Queue()
    proc = _SPAWN.Process(target=_busy_holder, args=(url, started, stop, results))
    proc.start()
    try:
        assert started.wait(60), "the holder did not start"
        # The holder keeps its connection between its writes; without the hand-over this waits until
        # the holder's last write (100 s away) and times out.
        with connect(url, lock_timeout=20) as other:
            with other.transaction() as tx:
                tx.upsert(SPEC, pd.DataFrame({"id": [1], "writer": ["other"]}))
            held = (other.read(SPEC)["writer"] == "holder").sum()
            deadline = time.monotonic() + 30
            while (other.read(SPEC)["writer"] == "holder").sum() < held + 3:  # it goes on, taking turns
                assert time.monotonic() < deadline, "the holder stopped writing after the hand-over"
            stop.set()
        written = results.get(timeout=60)
    finally:
        proc.join(60)
        if proc.is_alive():
            proc.kill()
    assert written < 1000  # it was stopped, not done
    with connect(url) as wh:
        assert wh.read(SPEC)["writer"].value_counts().to_dict() == {"holder": written, "other": 1}


def _plain_duckdb_reader(path: str, results) -> None:
    import time

    import duckdb

    deadline = time.monotonic() + 20
    while True:  # a DuckDB shell does not take our lock: it can only try until the file is free
        try:
            with duckdb.connect(path, read_only=True) as con:
                results.put(con.execute("SELECT writer FROM main.events").fetchall())
                return
        except duckdb.Error:
            if time.monotonic() > deadline:
                results.put("still held")
                return
            time.sleep(0.1)


def test_an_idle_process_lets_the_file_go_for_programs_that_do_not_ask(tmp_path):
    path = tmp_path / "centra.duckdb"
    with connect(duckdb_url(path), schema="main") as wh:
        wh.ensure_tables([SPEC])
        with wh.transaction() as tx:
            tx.upsert(SPEC, pd.DataFrame({"id": [1], "writer": ["first"]}))
        results = _SPAWN.Queue()
        proc = _SPAWN.Process(target=_plain_duckdb_reader, args=(str(path), results))
        proc.start()  # while this Warehouse is still open, idle
        assert results.get(timeout=60) == [("first",)]
        proc.join(60)
        # and this process opens the file again when it needs it
        assert wh.read(SPEC)["writer"].tolist() == ["first"]


def test_threads_of_one_process_share_the_file_one_session_at_a_time(tmp_path):
    import threading

    url = duckdb_url(tmp_path / "centra.duckdb")
    with connect(url) as wh:
        wh.ensure_tables([SPEC])
    failures = []

    def writer(first: int) -> None:
        try:
            with connect(url, lock_timeout=30) as own:
                for i in range(first, first + 20):
                    with own.transaction() as tx:
                        tx.upsert(SPEC, pd.DataFrame({"id": [i], "writer": [f"thread {first}"]}))
        except Exception as exc:  # reported below, with the thread's failure
            failures.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(first,)) for first in (0, 100, 200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    with connect(url) as wh:
        assert wh.count(SPEC) == 60


def test_a_second_warehouse_inside_an_open_transaction_times_out_clearly(tmp_path):
    url = duckdb_url(tmp_path / "centra.duckdb")
    with connect(url) as wh, connect(url, lock_timeout=0.3) as other:
        wh.ensure_tables([SPEC])
        with wh.transaction() as tx:
            tx.upsert(SPEC, pd.DataFrame({"id": [1], "writer": ["first"]}))
            try:
                other.read(SPEC)
            except WarehouseLockTimeout as exc:
                message = str(exc)
            else:
                raise AssertionError("a read beside an open transaction on the same file did not wait")
        assert "Timed out after 0.3 s" in message and "another session of this process" in message
        assert other.read(SPEC)["writer"].tolist() == ["first"]  # once the transaction ended


def test_a_file_deleted_while_held_is_not_written_through_the_old_connection(tmp_path):
    path = tmp_path / "centra.duckdb"
    with connect(duckdb_url(path)) as wh:
        wh.ensure_tables([SPEC])
        with wh.transaction() as tx:
            tx.upsert(SPEC, pd.DataFrame({"id": [1], "writer": ["before"]}))
        path.unlink()  # within the second this process keeps the file open
        for stale in tmp_path.glob("centra.duckdb.wal"):
            stale.unlink()
    with connect(duckdb_url(path)) as wh:
        wh.ensure_tables([SPEC])
        assert wh.count(SPEC) == 0
    assert path.exists()


# --- tables checked once per holding of the file (Warehouse.ensure_tables) ---------------------

def _drop_table(url: str, results) -> None:
    with connect(url, lock_timeout=60) as wh, wh.transaction() as tx:
        tx._s.execute(f"DROP TABLE {wh.table_ref(SPEC.name)}")
    results.put("dropped")


def test_a_table_dropped_by_another_process_is_created_again(tmp_path):
    url = duckdb_url(tmp_path / "centra.duckdb")
    with connect(url) as wh:
        wh.ensure_tables([SPEC])
        wh.ensure_tables([SPEC])  # checked already while this process holds the file
        with wh.transaction() as tx:
            tx.upsert(SPEC, pd.DataFrame({"id": [1], "writer": ["first"]}))
        # Another process takes the file (ours hands it over) and drops the table.
        results = _SPAWN.Queue()
        proc = _SPAWN.Process(target=_drop_table, args=(url, results))
        proc.start()
        assert results.get(timeout=60) == "dropped"
        proc.join(60)
        # Holding the file again, this process checks the table anew: it is created, not assumed.
        wh.ensure_tables([SPEC])
        with wh.transaction() as tx:
            tx.upsert(SPEC, pd.DataFrame({"id": [2], "writer": ["second"]}))
        assert wh.read(SPEC)["writer"].tolist() == ["second"]
