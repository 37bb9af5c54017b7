"""Issue 17: sales_daily, customer_order_history and customer_segments equal values computed here,
independently, from the sandbox's own orders and returns; after Centra changes, a refresh recomputes
only the days and identities of the changed rows; the analytics run by themselves after a sync."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timezone
from decimal import ROUND_HALF_EVEN, Decimal

import dagster as dg
import pandas as pd

from centra_pipelines.mapping import load_mapping
from centra_pipelines.warehouse import connect, duckdb_url, model
from centra_pipelines_tests.defs.conftest import make_defs
from centra_pipelines_tests.defs.truth import live, selected_markets

FIRST, LAST = "2025-11-25", "2026-03-31"
NO_LOOKBACK = {"ops": {"order_windows": {"config": {"lookback_days": 0}}, "returns": {"config": {"lookback_days": 0}}}}
CENT = Decimal("0.01")  # the base currency (SEK) has two decimals
SALES_MONEY = ("gross", "discounts", "tax", "shipping", "grand_total", "returned", "refunded", "net")


def _run(defs, instance, job: str, first: str | None = None, last: str | None = None, **kwargs):
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last} if first else {}
    result = defs.resolve_job_def(job).execute_in_process(instance=instance, tags=tags, raise_on_error=False, **kwargs)
    assert result.success, job
    return result


def _sync(defs, instance, first: str, last: str) -> None:
    """Orders and returns changed in [first, last], customers, identities (and what base currency and
    product categories need: pricelists, currencies, every selected market's displays)."""
    _run(defs, instance, "reference_and_catalog_job", asset_selection=[dg.AssetKey(k) for k in (
        "pricelists", "currencies", "markets")])
    _run(defs, instance, "market_catalog_job")  # every selected market's displays in one run
    _run(defs, instance, "customers_daily_job", "2024-01-01", last,
         run_config={"ops": {"customer_windows": {"config": {"lookback_days": 0}}}})
    _run(defs, instance, "customer_identities_job")
    _run(defs, instance, "orders_daily_job", first, last, run_config=NO_LOOKBACK)


def _analytics(defs, instance) -> dict[str, dict]:
    """Run analytics_job; every check passes; the metadata of each materialization, by asset."""
    result = _run(defs, instance, "analytics_job")
    mats = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
            for e in result.get_asset_materialization_events()}
    checks = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert set(checks) == {"sales_daily", "customer_order_history", "customer_segments"}
    assert all(c.passed for c in checks.values()), {k: c.metadata for k, c in checks.items() if not c.passed}
    return mats


# --- the expected tables, from the sandbox's objects ----------------------------------------------

def _amount(value) -> Decimal:
    return Decimal(repr(float(value)))


def _base(amount: Decimal, rate) -> Decimal:
    return (amount * Decimal(repr(rate))).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _day(moment) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d")


def _synced(server, wh) -> tuple[list[dict], list[dict]]:
    """The sandbox's orders that are in the warehouse (not quarantined), and their returns."""
    ids = set(live(wh, "orders")["id"])
    orders = [o for o in server.sandbox.catalog.orders if o["id"] in ids]
    returns = [r for r in server.sandbox.catalog.returns if r["order"]["id"] in ids and r["status"] != "CANCELLED"]
    return orders, returns


def _order_amounts(o: dict) -> dict[str, Decimal]:
    t, rate = o["totals"], o["currencyBaseRate"]
    parts = {"gross": [t["lineValues"]], "discounts": [t["discounts"]], "tax": [t["taxIncluded"], t["taxAdded"]],
             "shipping": [t["shipping"], t["handling"]], "grand_total": [o["grandTotal"]]}
    out = {}
    for name, values in parts.items():
        amounts = [_amount(v["value"]) for v in values]
        out[name] = sum(amounts, Decimal(0))
        out[f"{name}_base"] = sum((_base(a, rate) for a in amounts), Decimal(0))
    return out


def _return_amounts(r: dict) -> dict[str, Decimal]:
    refunded = sum((_amount(e["value"]["value"]) for e in r["refundPaymentHistory"] if e["status"] == "SUCCESS"),
                   Decimal(0))
    returned = _amount(r["grandTotal"]["value"])
    rate = r["currencyBaseRate"]
    return {"returned": returned, "refunded": refunded, "returned_base": _base(returned, rate),
            "refunded_base": _base(refunded, rate)}


def _channel(o: dict) -> str:
    return "wholesale" if o["__typename"] == "WholesaleOrder" else "dtc"


def expected_sales_daily(orders: list[dict], returns: list[dict], excluded: list[str]) -> dict[tuple, dict]:
    rows: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))
    for o in orders:
        if o["status"] in excluded:
            continue
        row = rows[(_day(o["orderDate"]), o["market"]["id"], o["pricelist"]["currency"]["code"], _channel(o))]
        row["orders"] += 1
        row["units"] += sum(l["quantity"] - l["cancelledQuantity"] for l in o["lines"])
        for name, value in _order_amounts(o).items():
            row[name] += value
    for r in returns:
        o = r["order"]
        row = rows[(_day(r["createdAt"]), o["market"]["id"], o["pricelist"]["currency"]["code"], _channel(o))]
        row["returns"] += 1
        row["returned_units"] += r["totalQuantity"]
        for name, value in _return_amounts(r).items():
            row[name] += value
    for row in rows.values():
        row["net"] = row["grand_total"] - row["refunded"]
        row["net_base"] = row["grand_total_base"] - row["refunded_base"]
    return rows


def product_category(product: dict, markets: set[int]) -> dict | None:
    """The product's category as the analytics define it: the canonical category of its displays in the
    synced markets, the lowest id when they differ (None: no such display)."""
    shown = [d["canonicalCategory"] for d in product["displays"]
             if d["canonicalCategory"] and {m["id"] for m in d["markets"]} & markets]
    return min(shown, key=lambda c: c["id"]) if shown else None


def expected_history(orders: list[dict], returns: list[dict], identity: dict[int, int],
                     excluded: list[str], markets: set[int]) -> dict[int, dict]:
    people: dict[int, dict] = {}
    counted = {}
    for o in orders:
        if o["status"] in excluded or o["customer"] is None:
            continue
        who = identity.get(o["customer"]["id"], o["customer"]["id"])
        counted[o["id"]] = who
        p = people.setdefault(who, {"orders": 0, "units": 0, "gross_base": Decimal(0), "customers": set(),
                                    "markets": set(), "at": [], "returned_units": 0, "refunded_base": Decimal(0),
                                    "categories": defaultdict(int)})
        p["orders"] += 1
        p["units"] += sum(l["quantity"] - l["cancelledQuantity"] for l in o["lines"])
        for line in o["lines"]:
            category = product_category(line["product"], markets)
            if category is not None:
                p["categories"][(category["id"], category["name"])] += line["quantity"] - line["cancelledQuantity"]
        p["gross_base"] += _order_amounts(o)["grand_total_base"]
        p["customers"].add(o["customer"]["id"])
        p["markets"].add(o["market"]["id"])
        p["at"].append(o["orderDate"])
    for r in returns:
        who = counted.get(r["order"]["id"])
        if who is not None:
            people[who]["returned_units"] += r["totalQuantity"]
            people[who]["refunded_base"] += _return_amounts(r)["refunded_base"]
    return {who: {"orders": p["orders"], "units": p["units"], "customers": len(p["customers"]),
                  "gross_base": p["gross_base"], "refunded_base": p["refunded_base"],
                  "net_base": p["gross_base"] - p["refunded_base"], "returned_units": p["returned_units"],
                  "returns_rate": p["returned_units"] / p["units"] if p["units"] else None,
                  "markets": ",".join(str(m) for m in sorted(p["markets"])),
                  "first_order_at": pd.Timestamp(min(p["at"])), "last_order_at": pd.Timestamp(max(p["at"])),
                  "favourite_category": min(p["categories"], key=lambda c: (-p["categories"][c], c[0]))[1]}
            for who, p in people.items()}


def _scores(values: dict[int, float], bins: int, descending: bool = False) -> dict[int, int]:
    """1 + floor(bins × percent rank), ties sharing a rank (as SQL's PERCENT_RANK)."""
    ordered = sorted(values.values(), reverse=descending)
    n = len(ordered)
    out = {}
    for key, v in values.items():
        rank = 1 + sum(1 for w in ordered if (w > v if descending else w < v))
        share = (rank - 1) / (n - 1) if n > 1 else 0.0
        out[key] = min(bins, 1 + math.floor(bins * share))
    return out


def expected_segments(history: dict[int, dict], as_of, mapping) -> dict[int, tuple]:
    bins = mapping.analytics.rfm_bins
    recency = {who: (as_of - h["last_order_at"].tz_convert("UTC").date()).days for who, h in history.items()}
    r = _scores(recency, bins, descending=True)
    f = _scores({who: h["orders"] for who, h in history.items()}, bins)
    m = _scores({who: h["net_base"] for who, h in history.items()}, bins)
    out = {}
    for who in history:
        scores = {"r": r[who], "f": f[who], "m": m[who]}
        segment = next(rule.segment for rule in mapping.analytics.segments
                       if all(lo <= scores[k] <= hi for k, (lo, hi) in rule.when.items()))
        out[who] = (r[who], f[who], m[who], segment)
    return out


def assert_analytics_match(server, url: str) -> dict[int, tuple]:
    mapping = load_mapping()
    excluded = mapping.analytics.excluded_order_statuses
    with connect(url) as wh:
        orders, returns = _synced(server, wh)
        identity = {int(c): int(i) for c, i in zip(*(live(wh, "customer_identities")[k]
                                                       for k in ("customer_id", "identity_id")))}
        sales = live(wh, "sales_daily")
        history = live(wh, "customer_order_history").set_index("identity_id")
        segments = live(wh, "customer_segments").set_index("identity_id")

    expected = expected_sales_daily(orders, returns, excluded)
    assert {o["status"] for o in orders} & set(excluded) and returns, "the sandbox should hold cancelled orders and returns"
    got = {(str(r.day), int(r.market_id), r.currency, r.channel): r for r in sales.itertuples()}
    assert set(got) == set(expected)
    assert {k[3] for k in got} == {"dtc", "wholesale"} and {k[2] for k in got} >= {"SEK", "JPY", "EUR"}
    for key, want in expected.items():
        row = got[key]
        assert (row.orders, row.units, row.returns, row.returned_units) == (
            want["orders"], want["units"], want["returns"], want["returned_units"]), key
        for name in SALES_MONEY:
            assert getattr(row, name) == want[name] and getattr(row, f"{name}_base") == want[f"{name}_base"], (key, name)
    assert sum(w["tax"] for w in expected.values()) > 0

    markets = {m["id"] for m in selected_markets(server.truth())}
    want_history = expected_history(orders, returns, identity, excluded, markets)
    assert set(history.index) == set(want_history)
    assert any(h["customers"] > 1 for h in want_history.values()), "some identity should join two customers"
    assert len({h["favourite_category"] for h in want_history.values()}) > 1
    for who, want in want_history.items():
        row = history.loc[who]
        assert (row["orders"], row["units"], row["customers"], row["returned_units"], row["markets"]) == (
            want["orders"], want["units"], want["customers"], want["returned_units"], want["markets"]), who
        assert (row["gross_base"], row["refunded_base"], row["net_base"]) == (
            want["gross_base"], want["refunded_base"], want["net_base"]), who
        assert (row["first_order_at"], row["last_order_at"]) == (want["first_order_at"], want["last_order_at"])
        assert row["favourite_category"] == want["favourite_category"], who
        assert (pd.isna(row["returns_rate"]) and want["returns_rate"] is None) or math.isclose(
            row["returns_rate"], want["returns_rate"])

    as_of = segments["as_of"].iloc[0]
    want_segments = expected_segments(want_history, as_of, mapping)
    assert set(segments.index) == set(want_segments)
    for who, (r, f, m, segment) in want_segments.items():
        row = segments.loc[who]
        assert (row["r_score"], row["f_score"], row["m_score"], row["segment"]) == (r, f, m, segment), who
        assert row["rfm"] == f"{r}{f}{m}"
        assert row["cohort_month"] == want_history[who]["first_order_at"].tz_convert("UTC").date().replace(day=1)
    assert len({s for *_, s in want_segments.values()}) >= 3
    return want_segments


def test_analytics_equal_the_sandbox_and_refresh_only_what_changed(make_sandbox, warehouse_url, dagster_instance):
    server = make_sandbox(scale="small")
    defs = make_defs(server, warehouse_url)
    _sync(defs, dagster_instance, FIRST, LAST)
    first = _analytics(defs, dagster_instance)
    segments_before = assert_analytics_match(server, warehouse_url)
    with connect(warehouse_url) as wh:
        days = live(wh, "sales_daily")["day"].nunique()
        identities = len(live(wh, "customer_order_history"))
        identity_before = live(wh, "customer_identities").set_index("customer_id")["identity_id"].to_dict()
    assert first["sales_daily"]["days_recomputed"].value == days
    assert first["customer_order_history"]["identities_recomputed"].value >= identities

    # Nothing changed: nothing is recomputed.
    again = _analytics(defs, dagster_instance)
    assert again["sales_daily"]["days_recomputed"].value == 0
    assert again["customer_order_history"]["identities_recomputed"].value == 0
    assert again["customer_segments"]["identities_changed_segment"].value == 0

    # Centra moves on for half a day; today's windows are synced again.
    server.advance(8 * 60)
    today = _day(server.sandbox.now)
    _sync(defs, dagster_instance, today, today)
    with connect(warehouse_url) as wh:
        orders, returns = _synced(server, wh)
        identity_after = live(wh, "customer_identities").set_index("customer_id")["identity_id"].to_dict()
    # every order and return of today's windows was written again: those are the changed rows
    resynced = [o for o in orders if _day(o["updatedAt"]) == today]
    resynced_returns = [r for r in returns if _day(r["createdAt"]) == today]
    assert resynced and len(resynced) < len(orders)
    want_days = {_day(o["orderDate"]) for o in resynced} | {_day(r["createdAt"]) for r in resynced_returns}
    moved = {c for c in identity_after if identity_before.get(c) != identity_after[c]}
    who = lambda cid: identity_after.get(cid, cid)  # noqa: E731
    want_identities = ({who(o["customer"]["id"]) for o in resynced if o["customer"]}
                       | {who(r["order"]["customer"]["id"]) for r in resynced_returns if r["order"]["customer"]}
                       | {identity_after[c] for c in moved} | {identity_before[c] for c in moved if c in identity_before}
                       | moved)

    incremental = _analytics(defs, dagster_instance)
    assert incremental["sales_daily"]["changed_orders"].value == len(resynced)
    assert incremental["sales_daily"]["days_recomputed"].value == len(want_days) < days
    assert incremental["customer_order_history"]["identities_recomputed"].value == len(want_identities)
    assert len(want_identities) < identities
    segments_after = assert_analytics_match(server, warehouse_url)

    # The segment history holds every identity's first segment, then exactly the transitions seen.
    with connect(warehouse_url) as wh:
        changes = live(wh, "customer_segment_changes")
    assert len(changes) == len(segments_before) + sum(
        1 for i in set(segments_before) | set(segments_after) if segments_before.get(i, (None,) * 4)[3]
        != segments_after.get(i, (None,) * 4)[3])
    assert changes["previous_segment"].isna().sum() >= len(segments_before)


def test_full_rebuild_equals_incremental_and_checks_catch_a_tampered_day(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="tiny")
    url = duckdb_url(tmp_path / "centra.duckdb")
    defs = make_defs(server, url)
    _sync(defs, dagster_instance, FIRST, LAST)
    _analytics(defs, dagster_instance)
    with connect(url) as wh:
        before = live(wh, "sales_daily").drop(columns=["synced_at"]).sort_values(["day", "market_id", "channel"])
        day = before["day"].iloc[0]
        with wh.transaction() as tx:  # a day that no longer matches the orders table
            tx.mark_deleted(model.ORDERS,
                            list(live(wh, "orders").loc[lambda f: f["order_date"].dt.date == day, "id"])[:1],
                            pd.Timestamp.now(tz="UTC"))
    result = defs.resolve_job_def("analytics_job").execute_in_process(
        instance=dagster_instance, raise_on_error=False,
        run_config={"ops": {"sales_daily": {"config": {"full": True}}}})
    assert result.success
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key == dg.AssetKey("sales_daily"))
    assert check.passed  # the full rebuild counted the deletion
    with connect(url) as wh:
        after = live(wh, "sales_daily").drop(columns=["synced_at"]).sort_values(["day", "market_id", "channel"])
        assert after.loc[after["day"] == day, "orders"].sum() == before.loc[before["day"] == day, "orders"].sum() - 1
        row = live(wh, "sales_daily").drop(columns=["deleted_at", "synced_at"]).sort_values("day").tail(1)
        row["grand_total"] = row["grand_total"] + 1
        with wh.transaction() as tx:  # tamper with the table itself: the check names the day
            tx.upsert(model.SALES_DAILY, row)
        tampered = row["day"].iloc[0]
    result = _run(defs, dagster_instance, "analytics_job")
    check = next(e for e in result.get_asset_check_evaluations() if e.asset_key == dg.AssetKey("sales_daily"))
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert [m["day"][:10] for m in check.metadata["first_mismatches"].value] == [str(tampered)]


def test_analytics_run_by_themselves_after_the_sources(make_sandbox, tmp_path, dagster_instance):
    server = make_sandbox(scale="tiny")
    defs = make_defs(server, duckdb_url(tmp_path / "centra.duckdb"))
    selection = dg.AssetSelection.groups("analytics")
    analytics = ["sales_daily", "customer_order_history", "customer_segments", "customer_segment_changes"]

    def tick(cursor=None):
        result = dg.evaluate_automation_conditions(defs=defs, instance=dagster_instance, asset_selection=selection,
                                                   cursor=cursor)
        return result, {name for name in analytics if result.get_num_requested(dg.AssetKey(name))}

    idle, requested = tick()
    assert requested == set()  # nothing synced yet: nothing to compute
    _run(defs, dagster_instance, "orders_daily_job", "2026-03-30", "2026-03-31", run_config=NO_LOOKBACK)
    after_orders, requested = tick(idle.cursor)
    assert requested == set(analytics)  # sales and history after orders; segments after history, same tick
    _run(defs, dagster_instance, "analytics_job")
    handled, requested = tick(after_orders.cursor)
    assert requested == set()  # handled: nothing new upstream
    _run(defs, dagster_instance, "customer_identities_job")
    _, requested = tick(handled.cursor)
    assert requested == {"customer_order_history", "customer_segments", "customer_segment_changes"}
