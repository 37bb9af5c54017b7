"""Issue 5 end to end: customers, identities, orders (lines, shipments, vouchers), returns and vouchers
from the sandbox into a real warehouse, with mapping, money, UTC times and reconciliation checks."""

from decimal import Decimal

import dagster as dg
import pandas as pd
import pytest

from centra_pipelines.mapping import load_mapping
from centra_pipelines.warehouse import connect, duckdb_url, model
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import live, quarantined_keys

# Modest windows keep the tests fast (a range run records one materialization per partition):
# the sandbox's orders were all placed and changed after 2025-12-01; its clock is 2026-03-31T12:00Z.
FIRST, LAST = "2025-11-25", "2026-03-31"
CUSTOMERS_FIRST = "2026-01-01"
NO_LOOKBACK = {"orders_daily_job": {"ops": {"order_windows": {"config": {"lookback_days": 0}},
                                            "returns": {"config": {"lookback_days": 0}}}},
               "customers_daily_job": {"ops": {"customer_windows": {"config": {"lookback_days": 0}}}}}


@pytest.fixture
def dagster_instance():
    """An in-memory instance: a range run writes one materialization per partition and asset, which
    an on-disk SQLite instance stores ~10x slower (these tests are about the warehouse, not run storage)."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def in_range(moment: str, first: str, last: str = LAST) -> bool:
    return first <= moment[:10] <= last


def _range(first: str, last: str) -> dict:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def _run(defs, instance, job: str, first: str | None = FIRST, last: str | None = LAST, **kwargs):
    tags = _range(first, last) if first else {}
    return defs.resolve_job_def(job).execute_in_process(instance=instance, tags=tags, raise_on_error=False, **kwargs)


def _sync(defs, instance) -> dict[str, dg.ExecuteInProcessResult]:
    runs = {"reference": _run(defs, instance, "reference_and_catalog_job", None,
                              asset_selection=[dg.AssetKey("pricelists"), dg.AssetKey("currencies")])}
    runs["customers_daily_job"] = _run(defs, instance, "customers_daily_job", CUSTOMERS_FIRST,
                                       run_config=NO_LOOKBACK["customers_daily_job"])
    runs["orders_daily_job"] = _run(defs, instance, "orders_daily_job", run_config=NO_LOOKBACK["orders_daily_job"])
    for job in ("customer_identities_job", "promotions_job"):
        runs[job] = _run(defs, instance, job, None)
    assert all(r.success for r in runs.values()), [k for k, r in runs.items() if not r.success]
    return runs


def _checks(result) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


def _minor(amount: Decimal, decimals: int) -> int:
    scaled = amount * (10 ** decimals)
    assert scaled == scaled.to_integral_value(), f"{amount} has more than {decimals} decimals"
    return int(scaled)


def test_sync_equals_the_sandbox_truth(sandbox_server, warehouse_url, dagster_instance):
    defs = make_defs(sandbox_server, warehouse_url)
    runs = _sync(defs, dagster_instance)
    truth = sandbox_server.truth()
    mapping = load_mapping()
    decimals = {c["code"]: c["decimals"] for c in truth["currencies"]}
    synced = [c for c in truth["customers"] if in_range(c["updated_at"], CUSTOMERS_FIRST)]
    null_email = {c["id"] for c in synced if c["email"] is None}
    null_country = {q["id"] for q in truth["quirks"] if q["entity"] == "orders"}
    assert null_email and null_country, "the sandbox should spoil some customers and orders at this scale"

    with connect(warehouse_url) as wh:
        customers = live(wh, "customers").set_index("id")
        assert set(customers.index) == {c["id"] for c in synced} - null_email
        for c in synced:
            if c["id"] in null_email:
                continue
            row = customers.loc[c["id"]]
            assert (row["email"], int(row["store_id"])) == (c["email"], c["store_id"])
            assert row["updated_at"] == pd.Timestamp(c["updated_at"])
            assert row["partition"] == pd.Timestamp(c["updated_at"]).strftime("%Y-%m-%d")
        assert quarantined_keys(wh, "customers") == {str(i) for i in null_email}

        orders = live(wh, "orders").set_index("id")
        expected = {o["id"]: o for o in truth["orders"] if o["id"] not in null_country}
        assert set(orders.index) == set(expected)
        assert quarantined_keys(wh, "orders") == null_country
        for oid, o in expected.items():
            row = orders.loc[oid]
            assert int(row["number"]) == o["number"] and row["order_type"] == o["type"]
            assert row["centra_status"] == o["status"] and row["currency"] == o["currency"]
            assert row["status"] == ("on_hold" if o["is_on_hold"] else mapping.order_status[o["status"]])
            assert row["billing_email"] == o["billing_email"]
            d = decimals[o["currency"]]
            assert _minor(row["grand_total"], d) == o["grand_total_minor"]
            assert _minor(row["lines_total"], d) == o["line_total_minor"]
            assert _minor(row["discounts"], d) == o["discounts_minor"]
            assert _minor(row["shipping"], d) == o["shipping_minor"]
            # base currency (SEK, 2 decimals) = amount x Centra's rate, rounded half-even
            base = (row["grand_total"] * Decimal(repr(o["currency_base_rate"]))).quantize(Decimal("0.01"))
            assert row["grand_total_base"] == base and row["base_currency"] == "SEK"
            assert row["updated_at"] == pd.Timestamp(o["updated_at"])
            assert row["order_date"] == pd.Timestamp(o["order_date"])
        assert {o["status"] for o in expected.values()} >= {"SHIPPED", "CANCELLED", "PENDING"}
        assert (orders["currency"] == "JPY").any() and (orders["order_type"] == "WholesaleOrder").any()

        lines = live(wh, "order_lines").set_index("id")
        assert set(lines.index) == {l["id"] for l in truth["order_lines"]}
        for l in truth["order_lines"]:
            row = lines.loc[l["id"]]
            d = decimals[row["currency"]]
            assert (row["order_id"], row["sku"], int(row["quantity"])) == (l["order_id"], l["sku"], l["quantity"])
            assert _minor(row["unit_price"], d) == l["unit_price_minor"]
            assert _minor(row["line_value"], d) == l["line_value_minor"]

        shipments = live(wh, "shipments").set_index("id")
        assert set(shipments.index) == {s["id"] for s in truth["shipments"]}
        for s in truth["shipments"]:
            row = shipments.loc[s["id"]]
            assert (row["order_id"], row["number"], bool(row["is_shipped"])) == (s["order_id"], s["number"], s["is_shipped"])
            assert row["status"] == ("shipped" if s["is_shipped"] else "awaiting_payment")

        returns = live(wh, "returns").set_index("id")
        assert set(returns.index) == {r["id"] for r in truth["returns"]}
        for r in truth["returns"]:
            row = returns.loc[r["id"]]
            assert (row["order_id"], int(row["shipment_id"])) == (r["order_id"], r["shipment_id"])
            assert row["status"] == mapping.returns.return_status[r["return_status"]]
            assert row["refund_status"] == ("refunded" if r["refunded"] else "not_refunded")
            assert row["refunded"] == Decimal(repr(r["refunded"])).quantize(row["grand_total"])

        vouchers = live(wh, "vouchers").set_index("id")
        assert set(vouchers.index) == {v["id"] for v in truth["vouchers"]}
        applied = live(wh, "applied_vouchers")
        got = applied.dropna(subset=["voucher_id"]).groupby("order_id")["voucher_id"].apply(
            lambda s: sorted(int(v) for v in s)).to_dict()
        # children of a quarantined order still load (they are valid rows; the order waits in quarantine)
        assert got == {o["id"]: sorted(o["voucher_ids"]) for o in truth["orders"] if o["voucher_ids"]}

    checks = _checks(runs["orders_daily_job"])
    for name in ("mapping_completeness", "currency_consistency", "totals", "row_count_reconciliation"):
        assert checks[("orders", name)].passed, name
    # the sandbox reports discounts as positive amounts: the totals check says which sign it saw
    signs = checks[("orders", "totals")].metadata["discount_signs_seen"].value
    assert list(signs) == ["positive"] and signs["positive"] > 0
    assert not checks[("orders", "contract")].passed  # null-country orders quarantined (WARN)
    assert checks[("returns", "row_count_reconciliation")].passed
    assert _checks(runs["customers_daily_job"])[("customers", "row_count_reconciliation")].passed


def test_dst_change_day_times_are_utc(sandbox_server, tmp_path, dagster_instance):
    """Orders changed across the 2026-03-29 DST change (+01:00 → +02:00) land at their UTC instant."""
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    assert _run(defs, dagster_instance, "orders_daily_job", "2026-03-28", "2026-03-30",
                run_config={"ops": {"order_windows": {"config": {"lookback_days": 0}}}},
                asset_selection=[dg.AssetKey(k) for k in ("orders", "order_lines", "shipments",
                                                          "applied_vouchers", "buyers")]).success
    truth = [o for o in sandbox_server.truth()["orders"] if "2026-03-28" <= o["updated_at"][:10] <= "2026-03-30"]
    assert any(o["updated_at"][:10] == "2026-03-30" for o in truth) and any(o["updated_at"][:10] == "2026-03-28" for o in truth)
    with connect(url) as wh:
        orders = live(wh, "orders").set_index("id")
    for o in truth:
        if o["id"] in orders.index:
            assert orders.loc[o["id"], "updated_at"] == pd.Timestamp(o["updated_at"])
            assert orders.loc[o["id"], "partition"] == o["updated_at"][:10]
    assert len(orders) >= len(truth) - 2  # at most the null-country quirks are held back


def test_90_day_backfill_is_one_run_and_rerun_changes_nothing(sandbox_server, tmp_path, dagster_instance):
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    _run(defs, dagster_instance, "reference_and_catalog_job", None, asset_selection=[dg.AssetKey("pricelists")])
    sandbox_server.reset_log()
    first = _run(defs, dagster_instance, "orders_daily_job", "2026-01-01", "2026-03-31",
                 run_config=NO_LOOKBACK["orders_daily_job"])
    assert first.success
    assert len(dagster_instance.get_runs()) == 2  # the reference run and ONE run for 90 partitions
    pages = [r for r in sandbox_server.requests() if r["operation"] == "OrdersPage"]
    truth = sandbox_server.truth()
    in_window = [o for o in truth["orders"] if "2026-01-01" <= o["updated_at"][:10] <= "2026-03-31"]
    assert len(pages) == -(-len(in_window) // 100)  # ceil(changed orders / 100): the page cap, no waste
    spoiled = {q["id"] for q in truth["quirks"] if q["entity"] == "orders"}
    with connect(url) as wh:
        before = live(wh, "orders").drop(columns=["synced_at"]).sort_values("id").reset_index(drop=True)
        assert set(before["id"]) == {o["id"] for o in in_window} - spoiled
    again = _run(defs, dagster_instance, "orders_daily_job", "2026-01-01", "2026-03-31",
                 run_config=NO_LOOKBACK["orders_daily_job"])
    assert again.success
    mats = [e.event_specific_data.materialization for e in again.get_asset_materialization_events()]
    # a daily asset carries the run's totals as run_<name> on its last partition (each partition its
    # own received/row_count); the unpartitioned child assets as plain names
    totals = [m.metadata.get("inserted", m.metadata.get("run_inserted")) for m in mats]
    assert {m.partition for m, t in zip(mats, totals) if t is not None and m.partition} == {"2026-03-31"}
    assert all(t.value == 0 for t in totals if t is not None)
    with connect(url) as wh:
        after = live(wh, "orders").drop(columns=["synced_at"]).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)


def test_reconciliation_fails_naming_partitions_with_rows_missing(sandbox_server, tmp_path, dagster_instance):
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    assert _run(defs, dagster_instance, "orders_daily_job", "2026-02-01", "2026-03-31").success
    assert _checks(_run(defs, dagster_instance, "reconciliation_job", "2026-02-01", "2026-03-31"))[
        ("orders", "row_count_reconciliation")].passed
    with connect(url) as wh:
        victims = wh.read(f"SELECT id, partition FROM {wh.table_ref('orders')} "
                          f"WHERE partition >= '2026-02-01' ORDER BY number LIMIT 3")
        with wh.transaction() as tx:  # rows gone from the warehouse (deleted_at set) while Centra has them
            tx.mark_deleted(model.ORDERS, list(victims["id"]), pd.Timestamp.now(tz="UTC"))
    result = _run(defs, dagster_instance, "reconciliation_job", "2026-02-01", "2026-03-31")
    evaluation = _checks(result)[("orders", "row_count_reconciliation")]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["rows_missing"].value == 3
    off = {m["partition"] for m in evaluation.metadata["first_mismatches"].value}
    assert off == set(victims["partition"])
    assert _checks(result)[("returns", "row_count_reconciliation")].passed


def test_bad_mapping_file_fails_before_any_request(sandbox_server, tmp_path, dagster_instance, monkeypatch):
    bad = tmp_path / "mapping.yaml"
    bad.write_text("order_status:\n  SHIPPD: completed\ncurrencies:\n  JPY: {minor_units: two}\n")
    monkeypatch.setenv("CENTRA_MAPPING_FILE", str(bad))
    defs = make_defs(sandbox_server, duckdb_url(tmp_path / "centra.duckdb"))
    sandbox_server.reset_log()
    result = _run(defs, dagster_instance, "orders_daily_job", "2026-03-01", "2026-03-02")
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    message = failure.step_failure_data.error.message + str(failure.step_failure_data.user_failure_data)
    assert "order_status.SHIPPD" in message and "currencies.JPY.minor_units" in message
    assert sandbox_server.requests() == []


def test_unmapped_status_fails_completeness_naming_it(sandbox_server, tmp_path, dagster_instance, monkeypatch):
    partial = tmp_path / "mapping.yaml"
    partial.write_text("order_status:\n  ARCHIVED: null\n")
    monkeypatch.setenv("CENTRA_MAPPING_FILE", str(partial))
    defs = make_defs(sandbox_server, duckdb_url(tmp_path / "centra.duckdb"))
    result = _run(defs, dagster_instance, "orders_daily_job", "2026-01-01", "2026-03-31")
    evaluation = _checks(result)[("orders", "mapping_completeness")]
    assert not evaluation.passed
    assert evaluation.metadata["uncovered"].value == ["order_status.ARCHIVED: Centra order status not mapped"]


def test_identities_join_shared_emails_and_email_changes_seen_on_orders(sandbox_server, tmp_path, dagster_instance):
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(sandbox_server, url)
    assert _run(defs, dagster_instance, "customers_daily_job", "2024-01-01", LAST).success
    assert _run(defs, dagster_instance, "orders_daily_job").success
    assert _run(defs, dagster_instance, "customer_identities_job", None).success
    truth = sandbox_server.truth()
    # (the sandbox dates a few second accounts after its own clock: those are not synced yet)
    people = {c["id"]: c for c in truth["customers"] if c["email"] and c["updated_at"][:10] <= LAST}
    with connect(url) as wh:
        identity = live(wh, "customer_identities").set_index("customer_id")["identity_id"].astype(int).to_dict()
        merges = live(wh, "customer_identity_merges")
    holder: dict[tuple, list[int]] = {}
    for c in people.values():
        holder.setdefault((c["store_id"], c["email"].strip().lower()), []).append(c["id"])
    pairs = [ids for ids in holder.values() if len(ids) > 1]
    assert pairs, "the sandbox should hold guest + registered pairs"
    for ids in pairs:
        assert {identity[i] for i in ids} == {min(ids)} or len({identity[i] for i in ids}) == 1
    # the guest/registered pairs of the sandbox's truth are one identity
    twins = [ids for ids in pairs if {people[i]["is_registered"] for i in ids} == {True, False}]
    assert twins and all(len({identity[i] for i in ids}) == 1 for ids in twins)
    # an order placed with an address another customer holds now links the two (e-mail changes)
    changed = 0
    synced_orders = [o for o in truth["orders"] if o["customer_id"] in people and o["billing_email"]
                     and o["updated_at"][:10] <= LAST and o["country"] is not None]
    for o in synced_orders:
        store = people[o["customer_id"]]["store_id"]
        for other in holder.get((store, o["billing_email"].strip().lower()), []):
            if other != o["customer_id"]:
                assert identity[other] == identity[o["customer_id"]]
                changed += 1
    assert changed, "the sandbox should hold customers who ordered with an address they later gave up"
    assert set(merges["reason"]) == {"same_email", "order_email"}
    assert merges["evidence_email"].notna().all()


def test_strict_schema_customers_are_windowed_in_memory(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="tiny", strict=True)
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    result = _run(defs, dagster_instance, "customers_daily_job", "2025-01-01", "2025-12-31",
                  run_config={"ops": {"customer_windows": {"config": {"lookback_days": 0}}}})
    assert result.success
    mat = next(e.event_specific_data.materialization for e in result.get_asset_materialization_events()
               if e.asset_key == dg.AssetKey("customers") and e.partition == "2025-12-31")
    assert mat.metadata["run_filtered_in_memory"].value is True  # a run figure, on the run's last day
    assert _checks(result)[("customers", "row_count_reconciliation")].passed
    truth = server.truth()
    expected = {c["id"] for c in truth["customers"] if c["updated_at"][:4] == "2025" and c["email"]}
    with connect(url) as wh:
        assert set(live(wh, "customers")["id"]) == expected


def test_orders_changed_during_the_run_do_not_fail_reconciliation_and_lost_rows_still_do(make_sandbox, tmp_path,
                                                                                      dagster_instance):
    """Centra moves on while a backfill pulls (orders progress, new ones arrive): an order pulled and then
    changed counts on its new day in Centra while the warehouse keeps it on its old day until the change
    lands. The run's reconciliation counts both sides as of the pull's start, so it passes; a row lost
    from the warehouse still fails it."""
    import threading

    server = make_sandbox(scale="small")
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    assert _run(defs, dagster_instance, "reference_and_catalog_job", None,
                asset_selection=[dg.AssetKey("pricelists"), dg.AssetKey("currencies")]).success
    first, last = "2025-11-25", "2026-03-30"  # the past days: what changes now lands on 2026-03-31
    stop, changed = threading.Event(), set()

    def business() -> None:  # a minute of Centra time every 50 ms: orders progress and new ones arrive
        while not stop.is_set():
            changed.update(h["id"] for h in server.advance(1) if h["type"] == "order")
            stop.wait(0.05)

    worker = threading.Thread(target=business)
    worker.start()
    try:
        run = _run(defs, dagster_instance, "orders_daily_job", first, last, run_config=NO_LOOKBACK["orders_daily_job"])
    finally:
        stop.set()
        worker.join()
    truth = {o["id"]: o for o in server.truth()["orders"]}
    with connect(url) as wh:
        stored = live(wh, "orders")
    moved = [o for o, p, u in zip(stored["id"], stored["partition"], stored["updated_at"])
             if truth[o]["updated_at"][:10] != p and pd.Timestamp(truth[o]["updated_at"]) > u]
    assert moved, "no order pulled by the run changed before its check: the race this test is about did not happen"
    evaluation = _checks(run)[("orders", "row_count_reconciliation")]
    assert evaluation.passed, evaluation.metadata["first_mismatches"].value
    assert run.success
    assert evaluation.metadata["rows_changed_since"].value >= len(moved)

    # The changes land (the incremental run of the days since), then two unchanged orders are lost.
    assert _run(defs, dagster_instance, "orders_daily_job", "2026-03-31", server.sandbox.now.date().isoformat(),
                run_config=NO_LOOKBACK["orders_daily_job"]).success
    with connect(url) as wh:
        victims = wh.read(f"SELECT id, partition FROM {wh.table_ref('orders')} "
                          f"WHERE partition <= '{last}' ORDER BY number LIMIT 2")
        with wh.transaction() as tx:
            tx.mark_deleted(model.ORDERS, list(victims["id"]), pd.Timestamp.now(tz="UTC"))
    evaluation = _checks(_run(defs, dagster_instance, "reconciliation_job", first, last))[
        ("orders", "row_count_reconciliation")]
    assert not evaluation.passed
    assert evaluation.metadata["rows_missing"].value == 2
    assert {m["partition"] for m in evaluation.metadata["first_mismatches"].value} == set(victims["partition"])


def test_incremental_run_starts_where_the_last_pull_left_off_and_a_backfill_re_reads(make_sandbox, tmp_path,
                                                                                   dagster_instance, monkeypatch):
    """A run tagged centra/window=since_last_pull (sync's re-runs, the incremental schedules) pulls only what
    changed since the stream's last pull, and the warehouse still equals Centra; an untagged run of the
    same days (a backfill) re-reads the whole window and its lookback."""
    pages_of = tmp_path / "mapping.yaml"
    pages_of.write_text("sync:\n  orders_page_size: 5\n")  # small pages: a page count tells windows apart
    monkeypatch.setenv("CENTRA_MAPPING_FILE", str(pages_of))
    server = make_sandbox(scale="small")
    url = duckdb_url(tmp_path / "centra.duckdb")
    # The sandbox grants any rate (tier off): a client budgeted for Enhanced sends the first run's ~50 pages
    # unpaced (at half of Growth they waited ~8 s, which this test is not about).
    defs = make_defs(server, url, tier="enhanced", share=1.0)
    since = {"centra/window": "since_last_pull"}
    assert _run(defs, dagster_instance, "reference_and_catalog_job", None,
                asset_selection=[dg.AssetKey("pricelists"), dg.AssetKey("currencies")]).success

    def orders_pages(run_first: str, tags: dict | None) -> tuple[dg.ExecuteInProcessResult, int]:
        server.reset_log()
        run = defs.resolve_job_def("orders_daily_job").execute_in_process(
            instance=dagster_instance, raise_on_error=False,
            tags={**_range(run_first, "2026-03-31"), **(tags or {})})
        assert run.success
        return run, sum(1 for r in server.requests() if r["operation"] == "OrdersPage")

    first, _ = orders_pages("2026-03-01", since)  # nothing covered yet: the whole window and its lookback
    as_of = [e.event_specific_data.materialization.metadata["run_centra_as_of"].value
             for e in first.get_asset_materialization_events()
             if "run_centra_as_of" in e.event_specific_data.materialization.metadata][0]
    changed = {h["id"] for h in server.advance(30) if h["type"] == "order"}
    assert changed
    run, pages = orders_pages("2026-03-31", since)
    truth = {o["id"]: o for o in server.truth()["orders"]}
    since_first = [o for o in truth.values() if pd.Timestamp(o["updated_at"]) >= pd.Timestamp(as_of)]
    assert changed <= {o["number"] for o in since_first}  # the history names orders by number
    figures = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
               for e in run.get_asset_materialization_events()
               if "run_window_start" in e.event_specific_data.materialization.metadata}
    assert pd.Timestamp(figures["orders"]["run_window_start"].value) == pd.Timestamp(as_of)
    # returns are windowed by createdAt, which their later changes do not move: they re-read the lookback
    assert pd.Timestamp(figures["returns"]["run_window_start"].value) == pd.Timestamp("2026-03-28T00:00:00Z")
    figures = figures["orders"]
    assert figures["run_orders"].value == len(since_first)  # only the orders changed since the first pull's as-of

    spoiled = {q["id"] for q in server.truth()["quirks"] if q["entity"] == "orders"}
    window_start = pd.Timestamp("2026-02-26T00:00:00Z")  # the first run's first day less the 3-day lookback
    with connect(url) as wh:
        stored = live(wh, "orders").set_index("id")
    expected = {i for i, o in truth.items() if pd.Timestamp(o["updated_at"]) >= window_start} - spoiled
    assert set(stored.index) == expected
    assert all(stored.at[i, "updated_at"] == pd.Timestamp(truth[i]["updated_at"]) for i in expected)

    # the same day untagged: its whole window and lookback again, far more than the changes
    _, again = orders_pages("2026-03-31", None)
    in_lookback = [o for o in truth.values() if pd.Timestamp(o["updated_at"]) >= pd.Timestamp("2026-03-28T00:00:00Z")]
    assert len(in_lookback) > 2 * len(since_first) and again > pages
