"""Core behaviour of the sandbox Centra, through Sandbox.execute in-process (HTTP is tested elsewhere)."""

from __future__ import annotations

import base64
import json

import pytest

from centra_pipelines.sandbox import ids
from centra_pipelines.sandbox.products import ean_is_valid
from centra_pipelines.sandbox.state import Sandbox

LISTS = {  # root list -> (id field, max limit)
    "stores": 200, "markets": 200, "pricelists": 200, "currencies": 200, "languages": 200, "countries": 200,
    "warehouses": 200, "sizeCharts": 200, "products": 200, "productVariants": 200, "productSizes": 200,
    "displays": 200, "customers": 200, "orders": 100, "shipments": 200, "returns": 200, "vouchers": 200,
}
CONNECTIONS = ["orderConnection", "customerConnection", "productConnection", "shipmentConnection", "returnConnection"]


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(seed=7, scale="tiny")


def run(sb: Sandbox, query: str, variables=None, **kw) -> dict:
    outcome = sb.execute(query, variables, **kw)
    assert not outcome.errors, outcome.errors
    return outcome.data


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_list_pages_every_row_exactly_once(sandbox, name):
    truth_key = {"sizeCharts": "size_charts", "productVariants": "variants", "productSizes": "sizes"}.get(name, name)
    expected = sorted(str(r["id"]) for r in sandbox.truth()[truth_key])
    seen = []
    page = 1
    while True:
        rows = run(sandbox, f"{{ {name}(limit: 7, page: {page}) {{ id }} }}")[name]
        seen.extend(r["id"] for r in rows)
        if len(rows) < 7:
            break
        page += 1
    assert len(seen) == len(set(seen)) > 0
    assert sorted(map(str, seen)) == expected


@pytest.mark.parametrize("name", CONNECTIONS)
@pytest.mark.parametrize("sort", [None, "id_ASC"])
def test_every_connection_pages_every_row_exactly_once(sandbox, name, sort):
    if name == "orderConnection" and sort == "id_ASC":
        sort = "updatedAt_ASC"  # ties on updatedAt are broken by id, so keyset paging stays exact
    sort_arg = f", sort: [{sort}]" if sort else ""
    seen, after, total = [], None, None
    while True:
        after_arg = f', after: "{after}"' if after else ""
        data = run(sandbox, f"{{ {name}(first: 4{after_arg}{sort_arg}) {{ totalCount pageInfo {{ hasNextPage endCursor }}"
                            f" edges {{ cursor node {{ id }} }} }} }}")[name]
        total = data["totalCount"]
        seen.extend(e["node"]["id"] for e in data["edges"])
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total > 0


def test_order_cursor_is_base64_of_field_and_value(sandbox):
    edge = run(sandbox, "{ orderConnection(first: 1) { edges { cursor node { number } } } }")["orderConnection"]["edges"][0]
    assert base64.b64decode(edge["cursor"]).decode() == f"number:{edge['node']['number']}"


@pytest.mark.parametrize("query,message", [
    ("{ products(limit: 0) { id } }", "Limit must be in range 1 - 200."),
    ("{ products(limit: 201) { id } }", "Limit must be in range 1 - 200."),
    ("{ orders(limit: 101) { id } }", "Limit must be in range 1 - 100."),
    ("{ orderConnection(first: 101) { totalCount } }", "Limit must be in range 1 - 100."),
    ("{ events(limit: 201) { id } }", "Limit must be in range 1 - 200."),
])
def test_limit_outside_range_is_a_graphql_error(sandbox, query, message):
    outcome = sandbox.execute(query)
    assert outcome.data is None
    assert outcome.errors[0]["message"] == message
    assert outcome.errors[0]["extensions"]["category"] == "graphql"
    assert outcome.errors[0]["path"]


def test_default_limit_is_20(sandbox):
    assert len(run(sandbox, "{ orders { id } }")["orders"]) == 20


def test_missing_permission_is_an_authorization_error_naming_it(sandbox):
    outcome = sandbox.execute("{ orders { id } }", permissions=frozenset({"Product:read"}))
    assert outcome.errors == [{
        "message": "You need Order:read permission to access orders.",
        "locations": [{"line": 1, "column": 3}], "path": ["orders"],
        "extensions": {"category": "authorization"},
    }]
    assert outcome.permissions_used == ["Order:read"]


def test_nested_permission_nulls_only_that_part(sandbox):
    outcome = sandbox.execute("{ customers(limit: 1) { id totalOrders } }", permissions=frozenset({"Customer:read"}))
    assert outcome.data == {"customers": [{"id": 1, "totalOrders": None}]}
    assert outcome.errors[0]["message"] == "You need Customer.totalOrders:read permission to access totalOrders."


def test_filters_match_truth(sandbox):
    truth = sandbox.truth()
    shipped = [o["number"] for o in truth["orders"] if o["status"] == "SHIPPED" and o["store_id"] == 1]
    data = run(sandbox, "{ orders(where: {status: [SHIPPED], storeId: [1]}, limit: 100) { number } }")
    assert sorted(o["number"] for o in data["orders"]) == sorted(shipped)
    email = truth["customers"][3]["email"]
    data = run(sandbox, 'query($e: String) { customers(where: {email: {equals: $e}}) { id email } }', {"e": email})
    assert {c["id"] for c in data["customers"]} == {c["id"] for c in truth["customers"] if c["email"] == email}
    data = run(sandbox, '{ products(where: {name: {contains: "a"}}, limit: 200) { name } }')
    assert all("a" in p["name"].lower() for p in data["products"]) and data["products"]
    data = run(sandbox, "{ markets(where: {storeId: [2]}) { id store { id } } }")
    assert {m["store"]["id"] for m in data["markets"]} == {2}


def test_updated_at_range_accepts_both_date_forms(sandbox):
    iso = run(sandbox, 'query($f: DateTimeTz) { orders(where: {updatedAt: {from: $f}}, limit: 100) { number } }',
              {"f": "2026-03-20T00:00:00+01:00"})["orders"]
    plain = run(sandbox, 'query($f: DateTimeTz) { orders(where: {updatedAt: {from: $f}}, limit: 100) { number } }',
                {"f": "2026-03-20 00:00:00"})["orders"]
    expected = [o for o in sandbox.truth()["orders"] if o["updated_at"] >= "2026-03-19T23:00:00+00:00"]
    assert len(iso) == len(plain) == len(expected) > 0


def test_string_match_takes_exactly_one_key(sandbox):
    outcome = sandbox.execute('{ customers(where: {email: {equals: "a", contains: "b"}}) { id } }')
    assert outcome.errors and "Exactly one input field" in outcome.errors[0]["message"]


def test_sorts_are_applied_and_total(sandbox):
    rows = run(sandbox, "{ orders(sort: [updatedAt_ASC], limit: 100) { id updatedAt } }")["orders"]
    keys = [(r["updatedAt"], r["id"]) for r in rows]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    desc = run(sandbox, "{ products(sort: [id_DESC], limit: 200) { id } }")["products"]
    assert [p["id"] for p in desc] == sorted((p["id"] for p in desc), reverse=True)


def test_counters_agree_with_lists(sandbox):
    counters = run(sandbox, "{ counters { products orders(where: {status: [SHIPPED]}) customers displays returns shipments vouchers } }")["counters"]
    truth = sandbox.truth()
    assert counters["products"] == len(truth["products"])
    assert counters["orders"] == sum(1 for o in truth["orders"] if o["status"] == "SHIPPED")
    assert counters["customers"] == len(truth["customers"])
    assert counters["displays"] == len(truth["displays"])
    assert counters["shipments"] == len(truth["shipments"])


def test_dates_carry_store_offset_across_dst(sandbox):
    rows = run(sandbox, "{ orders(limit: 100, sort: [orderDate_ASC]) { orderDate } }")["orders"]
    offsets = {r["orderDate"][-6:] for r in rows}
    assert offsets <= {"+01:00", "+02:00"}
    custom = run(sandbox, '{ orders(limit: 1) { orderDate(format: "Y-m-d H:i:s") } }')["orders"][0]["orderDate"]
    assert len(custom) == 19 and custom[10] == " "


def test_order_totals_add_up_in_minor_units(sandbox):
    for o in sandbox.truth()["orders"]:
        assert o["line_total_minor"] + o["shipping_minor"] + o["handling_minor"] - o["discounts_minor"] == o["grand_total_minor"]
    data = run(sandbox, "{ orders(limit: 100) { grandTotal { value valueInCents currency { code } } totals { lineValues { valueInCents } shipping { valueInCents } handling { valueInCents } discounts { valueInCents } } } }")
    for o in data["orders"]:
        t = o["totals"]
        assert (t["lineValues"]["valueInCents"] + t["shipping"]["valueInCents"] + t["handling"]["valueInCents"]
                - t["discounts"]["valueInCents"]) == o["grandTotal"]["valueInCents"]


def test_catalog_has_what_real_catalogs_have():
    sb = Sandbox(seed=7, scale="small")
    t = sb.truth()
    assert {c["code"] for c in t["currencies"]} >= {"SEK", "EUR", "USD", "GBP", "NOK", "DKK", "JPY"}
    assert {s["type"] for s in t["stores"]} == {"DIRECT_TO_CONSUMER", "WHOLESALE"}
    assert any(not m["is_active"] for m in t["markets"]) and any(m["looks_like_test"] for m in t["markets"])
    assert {o["status"] for o in t["orders"]} >= {"PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "CANCELLED"}
    assert t["returns"] and t["shipments"] and any(o["voucher_ids"] for o in t["orders"])
    emails = [c["email"] for c in t["customers"] if c["email"]]
    assert len(emails) > len(set(emails))  # guest + registered pairs share an e-mail
    changed = {h["customer_id"] for h in t["customer_email_history"] if h["valid_to"]}
    assert changed
    kinds = {q["quirk"].split(" at ")[0] for q in t["quirks"]}
    assert {"EAN with wrong check digit", "missing sizes"} <= kinds
    bad = {q["id"] for q in t["quirks"] if q["entity"] == "sizes"}
    assert all(s["ean_valid"] == (s["id"] not in bad) for s in t["sizes"])
    products = {p["id"]: p for p in t["products"]}
    variants = {v["id"]: v for v in t["variants"]}
    for s in t["sizes"][:500]:
        product = products[s["product_id"]]
        if product["product_number"]:
            assert s["sku"] == product["product_number"] + variants[s["variant_id"]]["variant_number"] + s["size_number"]
    assert all(sl["physical"] == sl["free_to_allocate"] + sl["allocated"] for sl in t["stock_levels"])
    assert 0 < len(t["quirks"]) < 0.05 * (len(t["sizes"]) + len(t["variants"]) + len(t["customers"]))


def test_same_seed_same_data_and_other_seed_differs():
    a, b, c = Sandbox(seed=3, scale="tiny"), Sandbox(seed=3, scale="tiny"), Sandbox(seed=4, scale="tiny")
    assert json.dumps(a.truth(), sort_keys=True) == json.dumps(b.truth(), sort_keys=True)
    assert json.dumps(a.truth(), sort_keys=True) != json.dumps(c.truth(), sort_keys=True)
    a.advance(180)
    b.advance(180)
    assert json.dumps(a.truth(), sort_keys=True) == json.dumps(b.truth(), sort_keys=True)


def test_advance_bumps_updated_at_and_queues_events():
    sb = Sandbox(seed=11, scale="tiny")
    run(sb, "mutation { setEventListeners(input: [{objectType: Order}, {objectType: Customer}]) { userErrors { message } } }",
        integration="erp")
    run(sb, "mutation { setEventListeners(input: [{objectType: Order}]) { userErrors { message } } }", integration="erp")
    before = sb.now
    hooks = sb.advance(600)
    assert sb.now > before and hooks
    assert all(before.strftime("%Y-%m-%d") <= h["date"][:10] for h in hooks)
    order_refs = {h["id"] for h in hooks if h["type"] == "order"}
    assert order_refs
    changed = run(sb, 'query($f: DateTimeTz) { orders(where: {updatedAt: {from: $f}}, limit: 100) { number } }',
                  {"f": before.isoformat()})["orders"]
    assert order_refs <= {o["number"] for o in changed}
    events = run(sb, "{ events(limit: 200) { id objectType objectReference } }", integration="erp")["events"]
    assert {e["objectReference"] for e in events if e["objectType"] == "Order"} == order_refs
    assert run(sb, "{ events { id } }", integration="other")["events"] == []
    listeners = run(sb, "{ eventListeners { objectType } }", integration="erp")["eventListeners"]
    assert sorted(l["objectType"] for l in listeners) == ["Customer", "Order"]
    ids = [e["id"] for e in events]
    run(sb, "mutation($i: [Int!]!) { confirmEvents(input: {eventsIds: $i}) { userErrors { message } } }", {"i": ids},
        integration="erp")
    assert run(sb, "{ events { id } }", integration="erp")["events"] == []


def test_events_come_oldest_first_up_to_limit():
    sb = Sandbox(seed=5, scale="tiny")
    run(sb, "mutation { setEventListeners(input: [{objectType: Order}]) { userErrors { message } } }")
    sb.advance(900)
    first = run(sb, "{ events(limit: 2) { id } }")["events"]
    again = run(sb, "{ events(limit: 2) { id } }")["events"]
    assert first == again and [e["id"] for e in first] == sorted(e["id"] for e in first)


def test_strict_mode_rejects_unconfirmed_filters_and_fields():
    strict = Sandbox(seed=7, scale="tiny", strict=True)
    for query in ('{ products(where: {updatedAt: {from: "2026-01-01 00:00:00"}}) { id } }',
                  "{ orders(sort: [updatedAt_ASC]) { id } }",
                  "{ customers(where: {id: [1]}) { id } }",
                  "{ orders { id isLocked } }"):
        outcome = strict.execute(query)
        assert outcome.data is None and outcome.errors[0]["extensions"]["category"] == "graphql", query
    assert run(strict, "{ orders(where: {updatedAt: {from: \"2026-03-01 00:00:00\"}}, limit: 5) { number status } }")["orders"]
    loose = Sandbox(seed=7, scale="tiny")
    assert run(loose, '{ products(where: {updatedAt: {from: "2026-01-01 00:00:00"}}) { id } }')["products"]


def test_strict_mode_serves_every_order_status_it_knows():
    strict = Sandbox(seed=7, scale="small", strict=True)
    outcome = strict.execute("{ orders(limit: 100, page: 1) { number status } }")
    assert not outcome.errors
    page = 1
    while True:
        outcome = strict.execute(f"{{ orders(limit: 100, page: {page}) {{ status }} returns(limit: 200) {{ id }} }}")
        assert not outcome.errors, outcome.errors
        if len(outcome.data["orders"]) < 100:
            break
        page += 1


def test_complexity_grows_with_nested_lists(sandbox):
    small = sandbox.execute("{ products(limit: 1) { id } }").complexity
    nested = sandbox.execute("{ products(limit: 5) { id variants { productSizes { stock { physicalQuantity } } } } }").complexity
    cheap = sandbox.execute("{ products(limit: 5) { id variants { productSizes { stock { freeToAllocateQuantity } } } } }").complexity
    assert small < cheap < nested
    assert sandbox.execute("{ centraIPs }").complexity >= 10


def test_rate_limits_come_from_the_callable(sandbox):
    rows = [{"type": t, "intervalSeconds": i, "quota": 100, "usedQuota": 40, "remainingQuota": 60}
            for t in ("REQUEST_COUNT", "QUERY_COMPLEXITY", "MUTATION_COUNT") for i in ("TEN_SECONDS", "ONE_HOUR")]
    data = run(sandbox, "{ rateLimits(where: {type: [REQUEST_COUNT]}) { type intervalSeconds quota usedQuota remainingQuota } }",
               rate_limits=lambda: rows)
    assert len(data["rateLimits"]) == 2
    assert all(r["quota"] == r["usedQuota"] + r["remainingQuota"] for r in data["rateLimits"])


def test_event_target_and_interfaces_resolve_to_concrete_types(sandbox):
    data = run(sandbox, "{ orders(limit: 100) { __typename shipments { __typename } discountsApplied { __typename } } returns { __typename } }")
    assert {o["__typename"] for o in data["orders"]} == {"DirectToConsumerOrder", "WholesaleOrder"}


def test_sizes_have_valid_or_listed_eans(sandbox):
    sizes = run(sandbox, "{ productSizes(limit: 200) { id EAN GTIN SKU } }")["productSizes"]
    bad = {q["id"] for q in sandbox.truth()["quirks"] if q["entity"] == "sizes"}
    for s in sizes:
        assert ean_is_valid(s["EAN"]) or s["id"] in bad


def test_sizes_by_id_are_served_as_the_scan_serves_them_without_generating_the_catalog():
    """A stock webhook's re-fetch asks for sizes by id. The answer is the scan's (same rows, id order,
    unknown ids and a deleted product's sizes left out, paged), but only the named sizes' products are
    generated: the scan generated every product of the catalog for each such request."""
    sb = Sandbox(seed=7, scale="tiny")
    sizes = sb.truth()["sizes"]
    picked = sorted({sizes[3]["id"], sizes[len(sizes) // 2]["id"], sizes[-1]["id"]})
    gone = sizes[len(sizes) // 3]["id"]
    sb.catalog.heads[ids.product_of_variant(ids.variant_of_size(gone)) - 1].deleted = True
    sb.catalog.invalidate_sizes()
    asked = [*picked, picked[0], gone, 999_999_999]
    fields = "id SKU quantity stock(limit: 200) { warehouse { id } physicalQuantity allocatedQuantity }"
    query = "query($where: ProductSizeFilter, $limit: Int, $page: Int) { productSizes(where: $where, limit: $limit, page: $page) { %s } }" % fields
    sb.catalog._cache.clear()
    fast = run(sb, query, {"where": {"id": asked}, "limit": 200, "page": 1})["productSizes"]
    generated = len(sb.catalog._cache)
    scanned = run(sb, query, {"where": {"id": asked, "notNull": ["id"]}, "limit": 200, "page": 1})["productSizes"]
    assert [int(s["id"]) for s in fast] == picked
    assert fast == scanned
    assert generated <= len(picked) < len(sb.catalog.heads)
    assert run(sb, query, {"where": {"id": asked}, "limit": 2, "page": 2})["productSizes"] == scanned[2:4]
