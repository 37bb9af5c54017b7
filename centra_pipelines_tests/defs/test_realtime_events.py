"""The centra_events consumer against the sandbox's event queue: apply, confirm after commit, and a
crash between commit and confirm leading to a harmless redelivery."""

import logging

import pandas as pd
import pytest

from centra_pipelines.centra import CentraClient
from centra_pipelines.centra.events import EventQueue
from centra_pipelines.defs.realtime.assets import served_event_types
from centra_pipelines.defs.realtime.processing import CENTRA_EVENTS, consume_events, writer_for
from centra_pipelines.mapping import load_mapping
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.test_realtime_webhooks import assert_same, snapshot
from centra_pipelines_tests.defs.truth import live


class Crash(Exception):
    pass


def run_consumer(defs, instance) -> dict:
    result = defs.resolve_job_def("centra_events_job").execute_in_process(instance=instance)
    assert result.success
    [materialization] = result.asset_materializations_for_node("centra_events")
    return {k: v.value for k, v in materialization.metadata.items()}


def pending(sandbox) -> list:
    with CentraClient(sandbox.url, "sandbox") as client:
        return EventQueue(client).pull(served_event_types(client))


def assert_orders_match(wh, truth, numbers) -> None:
    orders = live(wh, "orders").set_index("number")
    checked = 0
    for o in truth["orders"]:
        if o["number"] in numbers and o["country"] is not None:
            assert (orders.loc[o["number"], "centra_status"], orders.loc[o["number"], "updated_at"]) == (
                o["status"], pd.Timestamp(o["updated_at"]))
            checked += 1
    assert checked


def test_events_are_applied_then_confirmed_and_a_crash_before_confirm_is_harmless(make_sandbox, tmp_path,
                                                                                   dagster_instance):
    sandbox = make_sandbox(scale="small")
    url = duckdb_url(tmp_path / "warehouse" / "centra.duckdb")
    defs = make_defs(sandbox, url)

    first = run_consumer(defs, dagster_instance)  # registers the listeners; nothing queued before
    assert first["events_applied"] == 0
    sandbox.advance(120)
    queued = pending(sandbox)
    assert queued and {e.object_type for e in queued} >= {"Order", "ProductSize"}

    applied = run_consumer(defs, dagster_instance)
    assert applied["events_applied"] == len(queued) and applied["events_redelivered"] == 0
    assert pending(sandbox) == []
    assert run_consumer(defs, dagster_instance)["events_applied"] == 0  # the second run finds none
    truth = sandbox.truth()
    with connect(url) as wh:
        assert sorted(live(wh, "centra_events")["id"]) == sorted(e.id for e in queued)
        assert_orders_match(wh, truth, {e.reference for e in queued if e.object_type == "Order"})
        stock = live(wh, "stock_levels")
        sizes = {e.reference for e in queued if e.object_type == "ProductSize"}
        assert {(int(r.warehouse_id), int(r.size_id), int(r.physical)) for r in stock.itertuples()} == {
            (s["warehouse_id"], s["size_id"], s["physical"]) for s in truth["stock_levels"] if s["size_id"] in sizes}

    # A crash after the warehouse commit and before confirmEvents.
    sandbox.advance(60)
    queued = pending(sandbox)
    assert queued

    def crash() -> None:
        raise Crash("killed between commit and confirm")

    with CentraClient(sandbox.url, "sandbox") as client, connect(url) as wh:
        types = served_event_types(client)
        with pytest.raises(Crash):
            consume_events(client, writer_for(wh, CENTRA_EVENTS), EventQueue(client), types, load_mapping(),
                           "crashed-run", logging.getLogger("test"), after_commit=crash)
        crashed = snapshot(wh, "centra_events")
        assert set(live(wh, "centra_events")["id"]) >= {e.id for e in queued}  # committed
    assert [e.id for e in pending(sandbox)] == [e.id for e in queued]  # not confirmed: redelivered

    again = run_consumer(defs, dagster_instance)
    assert again["events_redelivered"] == len(queued) and again["events_applied"] == 0
    assert pending(sandbox) == []
    with connect(url) as wh:
        assert_same(crashed, snapshot(wh, "centra_events"))
        numbers = {e.reference for e in queued if e.object_type == "Order"}
        if numbers:
            assert_orders_match(wh, sandbox.truth(), numbers)
