"""End to end: the sandbox sends signed webhooks to the real receiver; one sensor tick and its run bring
the warehouse to the sandbox's truth for what they name; duplicates and replays change nothing."""

import json
import time

import dagster as dg
import httpx
import pandas as pd

from centra_pipelines.defs.realtime.sensors import build_webhook_landing_sensor
from centra_pipelines.sandbox.webhooks import encode_payload, signature_header
from centra_pipelines.warehouse import connect, duckdb_url
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import live

SECRET = "receiver-secret-1"
DATA = ("orders", "order_lines", "shipments", "applied_vouchers", "returns", "customers",
        "stock_levels")
VOLATILE = ["synced_at", "observed_at"]  # when a row was written or observed, not what it says


def snapshot(wh, ledger: str = "webhook_calls") -> dict[str, pd.DataFrame]:
    out = {}
    for table in (*DATA, ledger, "quarantine"):
        frame = wh.read(table).drop(columns=[c for c in (*VOLATILE, "seen_at") if c], errors="ignore")
        out[table] = frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)
    return out


def assert_same(before: dict, after: dict) -> None:
    for table, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[table], obj=table)


def tick_and_run(sensor, defs, instance, cursor):
    result = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))
    runs = [defs.resolve_job_def("webhook_batch_job").execute_in_process(run_config=r.run_config, instance=instance)
            for r in result.run_requests]
    return result, runs


def test_webhooks_reach_the_warehouse_and_duplicates_change_nothing(make_sandbox, make_receiver, tmp_path,
                                                                    dagster_instance):
    receiver = make_receiver(secrets=(SECRET,))
    sandbox = make_sandbox(scale="small", webhook_url=receiver.url, webhook_secret=SECRET)
    landing = tmp_path / "landing"
    url = duckdb_url(tmp_path / "warehouse" / "centra.duckdb")
    defs = make_defs(sandbox, url)
    sensor = build_webhook_landing_sensor(landing=landing, batch_size=500, settle_seconds=0, retry_seconds=3600)

    first, second = sandbox.advance(120), sandbox.advance(120)  # each advance sends its own calls
    hooks = first + second
    assert sandbox.flush_webhooks()
    landed = sorted(p.name for p in (landing / "incoming").glob("*.json"))
    assert len(landed) == -(-len(first) // 100) - (-len(second) // 100) >= 2  # ≤ 100 events per call

    tick, [run] = tick_and_run(sensor, defs, dagster_instance, None)
    assert run.success and tick.run_requests[0].run_config["ops"]["webhook_calls"]["config"]["files"] == landed
    assert not list((landing / "incoming").glob("*.json"))
    assert sorted(p.name for p in (landing / "processed").glob("*.json")) == landed

    truth = sandbox.truth()
    named = {kind: {h["id"] for h in hooks if h["type"] == kind} for kind in ("order", "customer", "stock", "shipment")}
    assert named["order"] and named["stock"] and named["customer"], "240 minutes of a small shop touch all kinds"
    with connect(url) as wh:
        orders = live(wh, "orders").set_index("number")
        for o in truth["orders"]:
            if o["number"] in named["order"] and o["country"] is not None:  # null country: quarantined (quirk)
                row = orders.loc[o["number"]]
                assert (row["id"], row["centra_status"], row["updated_at"]) == (
                    o["id"], o["status"], pd.Timestamp(o["updated_at"]))
        shipments = live(wh, "shipments").set_index("id")
        for s in truth["shipments"]:
            if s["id"] in named["shipment"]:
                assert bool(shipments.loc[s["id"], "is_shipped"]) == s["is_shipped"]
        stock = live(wh, "stock_levels")
        got = {(int(r.warehouse_id), int(r.size_id)): (int(r.physical), int(r.allocated), int(r.free_to_allocate))
               for r in stock.itertuples()}
        expected = {(s["warehouse_id"], s["size_id"]): (s["physical"], s["allocated"], s["free_to_allocate"])
                    for s in truth["stock_levels"] if s["size_id"] in named["stock"]}
        assert got == expected
        customers = live(wh, "customers").set_index("id")
        for c in truth["customers"]:
            if c["id"] in named["customer"] and c["email"]:
                assert (customers.loc[c["id"], "email"], customers.loc[c["id"], "updated_at"]) == (
                    c["email"], pd.Timestamp(c["updated_at"]))
        calls = live(wh, "webhook_calls")
        assert sorted(calls["file_name"]) == landed and set(calls["outcome"]) == {"processed"}
        before = snapshot(wh)

    # A retried delivery: the same body, re-signed with a new timestamp, lands as a new file.
    record = json.loads((landing / "processed" / landed[0]).read_bytes())
    body = encode_payload(record["payload"]["events"])
    answer = httpx.post(receiver.url, content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Centra-Signature": signature_header(SECRET, int(time.time()), body)})
    assert answer.status_code == 200
    duplicate = answer.json()["landed"]
    assert json.loads((landing / "incoming" / duplicate).read_bytes())["body_sha256"] == record["body_sha256"]
    # And a file that is no webhook call at all.
    bogus = duplicate.replace(duplicate[24:], "0" * 32 + ".json")
    (landing / "incoming" / bogus).write_bytes(b"{not json")
    sandbox.reset_log()

    tick2, [run2] = tick_and_run(sensor, defs, dagster_instance, tick.cursor)
    assert run2.success
    assert sorted(tick2.run_requests[0].run_config["ops"]["webhook_calls"]["config"]["files"]) == sorted([duplicate, bogus])
    assert not [r for r in sandbox.requests() if r["operation"] in ("OrdersPage", "CustomerById", "SizesStock")]
    assert (landing / "processed" / duplicate).exists()
    assert (landing / "rejected" / bogus).exists()
    reason = json.loads((landing / "rejected" / f"{bogus}.reason").read_bytes())
    assert reason["reason"].startswith("unreadable landing file")
    with connect(url) as wh:
        after = snapshot(wh)
        calls = live(wh, "webhook_calls").set_index("file_name")
        assert calls.loc[duplicate, "outcome"] == "duplicate" and calls.loc[bogus, "outcome"] == "rejected"
    before_calls, after_calls = before.pop("webhook_calls"), after.pop("webhook_calls")
    assert_same(before, after)
    assert set(after_calls["file_name"]) == set(before_calls["file_name"]) | {duplicate, bogus}

    # Replaying the first batch (same run config): every file is already settled; nothing changes.
    replay = defs.resolve_job_def("webhook_batch_job").execute_in_process(
        run_config=tick.run_requests[0].run_config, instance=dagster_instance)
    assert replay.success
    [materialization] = replay.asset_materializations_for_node("webhook_calls")
    assert materialization.metadata["calls_already_settled"].value == len(landed)
    assert sorted(p.name for p in (landing / "processed").glob("*.json")) == sorted([*landed, duplicate])
    with connect(url) as wh:
        again = snapshot(wh)
    again.pop("webhook_calls")
    assert_same(after, again)
