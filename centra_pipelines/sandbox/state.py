"""The sandbox Centra's state: generated brand data, the clock, event queues, GraphQL execution.

`Sandbox` is what the HTTP layer serves and what tests may call in-process. The clock starts at a
fixed anchor (same seed -> same data) and only moves by `advance()`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from graphql import GraphQLError, GraphQLSchema, execute, parse, validate
from graphql.language import OperationDefinitionNode, OperationType

from . import data as gen
from . import structure
from .dates import iso_utc
from .events import EventQueues
from .resolvers import Context, complexity_of, served_schema

ANCHOR = datetime(2026, 3, 31, 12, 0, 0, tzinfo=timezone.utc)


@dataclass
class ExecutionOutcome:
    data: dict | None
    errors: list[dict] = field(default_factory=list)
    complexity: int = 0
    is_mutation: bool = False
    permissions_used: list[str] = field(default_factory=list)


def _format_error(error: GraphQLError, default_category: str) -> dict:
    out = error.formatted
    extensions = dict(out.get("extensions") or {})
    extensions.setdefault("category", default_category)
    out["extensions"] = extensions
    return out


class Sandbox:
    """A seeded Centra brand you can query with GraphQL and move forward in time."""

    def __init__(self, seed: int = 7, scale: str = "small", strict: bool = False, now: datetime | None = None,
                 drop_fields: tuple[str, ...] = (), bad_rows: float = 0.0):
        self.seed = seed
        self.bad_rows = bad_rows  # share of rows of each kind served spoiled (sandbox/spoil.py)
        self.scale = scale
        self.strict = strict
        self.now = (now or ANCHOR).astimezone(timezone.utc)
        self.catalog = gen.generate(seed, scale, self.now, strict=strict)
        self.schema: GraphQLSchema = served_schema(strict, tuple(drop_fields))
        self.events = EventQueues()
        self.stats: dict[str, int] = {"queries": 0, "mutations": 0, "advanced_minutes": 0}

    # ------------------------------------------------------------------ GraphQL
    def execute(self, query: str, variables: dict | None = None, *, permissions: frozenset[str] | None = None,
                integration: str = "default", operation_name: str | None = None,
                rate_limits: Callable[[], list[dict]] | None = None) -> ExecutionOutcome:
        try:
            document = parse(query)
        except GraphQLError as error:
            return ExecutionOutcome(data=None, errors=[_format_error(error, "graphql")], complexity=1)
        operation = next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)
                          and (operation_name is None or (d.name and d.name.value == operation_name))), None)
        is_mutation = operation is not None and operation.operation == OperationType.MUTATION
        errors = validate(self.schema, document)
        if errors:
            return ExecutionOutcome(data=None, errors=[_format_error(e, "graphql") for e in errors],
                                    complexity=1, is_mutation=is_mutation)
        context = Context(self.catalog, self, permissions, integration, rate_limits)
        result = execute(self.schema, document, variable_values=variables, operation_name=operation_name,
                         context_value=context)
        self.stats["mutations" if is_mutation else "queries"] += 1
        return ExecutionOutcome(
            data=result.data,
            errors=[_format_error(e, "graphql") for e in result.errors or []],
            complexity=max(1, complexity_of(result.data) + context.extra_complexity),
            is_mutation=is_mutation,
            permissions_used=sorted(context.used),
        )

    # ------------------------------------------------------------------ time
    def advance(self, minutes: int) -> list[dict]:
        """Simulate business activity over `minutes`; returns Centra webhook events for the changes."""
        if minutes <= 0:
            return []
        start = self.now
        end = start + timedelta(minutes=minutes)
        rng = random.Random(f"{self.seed}:{start.isoformat()}:{minutes}")
        cat = self.catalog
        self.now = cat.now = end
        per_hour = {"tiny": 4, "small": 10, "medium": 40, "large": 80}[self.scale]
        count = max(1, round(per_hour * minutes / 60 * (0.5 + rng.random())))
        actions = [(self._new_order, 25), (self._progress_order, 25), (self._stock_change, 15),
                   (self._customer_edit, 10), (self._new_customer, 5), (self._catalog_edit, 10),
                   (self._new_return, 5), (self._delete_something, 2)]
        webhooks: list[dict] = []
        for i in range(count):
            at = start + (end - start) * (i + 1) / (count + 1)
            at = at.replace(microsecond=0)
            action = rng.choices([a for a, _ in actions], weights=[w for _, w in actions])[0]
            webhooks.extend(action(rng, at))
        self.stats["advanced_minutes"] += minutes
        return webhooks

    @staticmethod
    def _hook(type_: str, action: str, at: datetime, ident: int) -> dict:
        return {"type": type_, "action": action, "date": at.strftime("%Y-%m-%d %H:%M:%S.%f"), "id": ident}

    def _order_changed(self, order: dict, at: datetime, change: str = "UPDATED") -> list[dict]:
        order["updatedAt"] = at
        self.events.publish("Order", change, order["number"], order, at, order["store"], order["market"])
        return [self._hook("order", {"CREATED": "create", "UPDATED": "update"}.get(change, "update"), at, order["number"])]

    def _new_order(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        order = gen.add_order(cat, rng, at, status=rng.choice(["PENDING", "CONFIRMED"]))
        order["number"] = max(o["number"] for o in cat.orders) + 1
        order["id"] = hashlib.md5(f"{self.seed}:order:{order['number']}".encode()).hexdigest()
        if order["customer"] is not None:
            order["customer"]["totalOrders"] = (order["customer"]["totalOrders"] or 0) + 1
            order["customer"]["lastOrder"] = order
        return self._order_changed(order, at, "CREATED")

    def _progress_order(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        open_orders = [o for o in cat.orders if o["status"] in ("PENDING", "CONFIRMED", "PROCESSING")]
        if not open_orders:
            return self._new_order(rng, at)
        order = rng.choice(open_orders[-200:])
        hooks = []
        if order["status"] == "PENDING":
            order["status"] = "CANCELLED" if rng.random() < 0.15 else "CONFIRMED"
            order["_waitingForPayment"] = False
            if order["status"] == "CANCELLED":
                for line in order["lines"]:
                    line["cancelledQuantity"] = line["quantity"]
        elif order["status"] == "CONFIRMED":
            order["status"] = "PROCESSING"
            shipment = gen.add_shipment(cat, order, at, shipped=False, rng=rng)
            shipment["number"] = f"{order['number']}-{len(order['shipments'])}"
            self.events.publish("Shipment", "CREATED", shipment["id"], shipment, at, order["store"], order["market"])
            hooks.append(self._hook("shipment", "create", at, shipment["id"]))
        else:
            order["status"] = "SHIPPED"
            for shipment in order["shipments"]:
                if not shipment["isShipped"]:
                    shipment.update(isShipped=True, isPrinted=True, isPaid=True, isCaptured=True, shippedAt=at,
                                    paidAt=at, capturedAt=at, capturedValue=order["grandTotal"], updatedAt=at,
                                    trackingNumber=f"JJD{rng.randrange(10**10):010d}")
                    for line in order["lines"]:
                        line["shippedQuantity"] = line["quantity"] - line["cancelledQuantity"]
                    self.events.publish("Shipment", "COMPLETED", shipment["id"], shipment, at, order["store"], order["market"])
                    hooks.append(self._hook("shipment", "update", at, shipment["id"]))
        return hooks + self._order_changed(order, at)

    def _new_return(self, rng: random.Random, at: datetime) -> list[dict]:
        shipped = [o for o in self.catalog.orders[-500:] if o["status"] == "SHIPPED" and o["shipments"] and not o["returns"]]
        if not shipped:
            return []
        order = rng.choice(shipped)
        ret = gen.add_return(self.catalog, order, at, rng=rng)
        self.events.publish("Return", "CREATED", ret["id"], ret, at, order["store"], order["market"])
        return [self._hook("return", "create", at, ret["id"])] + self._order_changed(order, at)

    def _stock_change(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        head = rng.choice(cat.heads)
        if head.deleted:
            return []
        product = cat.materialize(head.id)
        sizes = [s for v in product["variants"] for s in v["productSizes"]]
        if not sizes:
            return []
        size = rng.choice(sizes)
        row = rng.choice(size["stock"])
        physical = max(row["allocatedQuantity"], row["physicalQuantity"] + rng.choice([-3, -2, -1, 5, 10, 20]))
        row.update(gen.stock_row(size, row["warehouse"], physical, row["allocatedQuantity"]))
        size["quantity"] = sum(r["physicalQuantity"] for r in size["stock"])
        size["updatedAt"] = at
        self.events.publish("ProductSize", "UPDATED", size["id"], None, at)
        return [self._hook("stock", "update", at, size["id"])]

    def _customer_edit(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        customers = [c for c in cat.customers if not c.get("_deleted")]
        customer = rng.choice(customers)
        if rng.random() < 0.4 and customer["email"]:
            gen.change_email(cat, customer, f"{customer['firstName'].lower()}.{customer['id']}.{rng.randrange(1000)}@moved.example", at)
        else:
            customer["phoneNumber"] = f"+46 70 {rng.randrange(10**6):06d}"
        customer["updatedAt"] = at
        self.events.publish("Customer", "UPDATED", customer["id"], customer, at, customer["store"])
        return [self._hook("customer", "update", at, customer["id"])]

    def _new_customer(self, rng: random.Random, at: datetime) -> list[dict]:
        customer = gen.new_customer(self.catalog, rng, at, registered=rng.random() < 0.6)
        self.events.publish("Customer", "CREATED", customer["id"], customer, at, customer["store"])
        return [self._hook("customer", "create", at, customer["id"])]

    def _catalog_edit(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        head = rng.choice(cat.heads)
        if head.deleted:
            return []
        product = cat.materialize(head.id)
        if rng.random() < 0.5:
            head.name = product["name"] = f"{product['name'].split(' (')[0]} ({rng.choice(['new', 'updated', 'SS26'])})"
        else:
            head.status = product["status"] = "INACTIVE" if product["status"] == "ACTIVE" else "ACTIVE"
        head.updatedAt = product["updatedAt"] = at
        for d in product["displays"]:
            d["name"], d["updatedAt"] = product["name"], at
        self.events.publish("Product", "UPDATED", product["id"], product, at)
        return [self._hook("product", "update", at, product["id"])]

    def _delete_something(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        if rng.random() < 0.5:
            live = [v for v in cat.vouchers if not v.get("_deleted")]
            if not live:
                return []
            voucher = rng.choice(live)
            voucher["_deleted"], voucher["updatedAt"] = True, at
            self.events.publish("Voucher", "DELETED", voucher["id"], None, at)
            return [self._hook("voucher", "delete", at, voucher["id"])]
        head = rng.choice(cat.heads)
        if head.deleted:
            return []
        head.deleted, head.updatedAt = True, at
        cat.overrides.pop(head.id, None)
        cat._cache.pop(head.id, None)
        cat.invalidate_sizes()
        self.events.publish("Product", "DELETED", head.id, None, at)
        return [self._hook("product", "delete", at, head.id)]

    # ------------------------------------------------------------------ ground truth
    def truth(self) -> dict[str, list[dict[str, Any]]]:
        """The full current state, flat and JSON-serialisable (dates ISO UTC), for tests to compare."""
        cat = self.catalog
        ref = lambda obj: None if obj is None else obj["id"]  # noqa: E731
        out: dict[str, list[dict]] = {
            "stores": [{"id": s["id"], "name": s["name"], "type": s["type"]} for s in cat.stores],
            "currencies": [{"id": c["id"], "code": c["code"], "name": c["name"], "is_base": c["isBase"],
                            "decimals": c["_decimals"], "base_rate": c["_rate"]} for c in cat.currencies],
            "languages": [{"id": l["id"], "code": l["code"], "name": l["name"], "is_active": l["isActive"]}
                          for l in cat.languages],
            "countries": [{"id": c["id"], "code": c["code"], "name": c["name"], "is_eu": c["isEU"]} for c in cat.countries],
            "markets": [{"id": m["id"], "name": m["name"], "store_id": m["store"]["id"], "is_active": m["_active"],
                         "looks_like_test": m["_test"], "country_codes": [c["code"] for c in m["assignedToCountries"]],
                         "pricelist_id": m["_pricelist"]["id"]} for m in cat.markets],
            "pricelists": [{"id": p["id"], "name": p["name"], "status": p["status"], "store_id": p["store"]["id"],
                            "currency": p["currency"]["code"], "market_id": p["_market"]["id"],
                            "updated_at": iso_utc(p["updatedAt"])} for p in cat.pricelists],
            "warehouses": [{"id": w["id"], "name": w["name"], "status": w["status"]} for w in cat.warehouses],
            "size_charts": [{"id": c["id"], "name": c["name"], "sizes": [s["name"] for s in c["sizes"]]}
                            for c in cat.size_charts],
            "products": [], "variants": [], "sizes": [], "prices": [], "displays": [], "stock_levels": [],
        }
        for head in cat.live_heads():
            p = cat.product(head.id)
            out["products"].append({"id": p["id"], "name": p["name"], "status": p["status"],
                                    "product_number": p["productNumber"], "size_chart_id": cat.size_charts[head.chart]["id"],
                                    "created_at": iso_utc(p["createdAt"]), "updated_at": iso_utc(p["updatedAt"])})
            for price in p["_prices"].values():
                out["prices"].append({"product_id": p["id"], "pricelist_id": price["pricelist"]["id"],
                                      "currency": price["pricelist"]["currency"]["code"], "amount_minor": price["_minor"],
                                      "amount": price["price"]["value"]})
            for d in p["displays"]:
                out["displays"].append({"id": d["id"], "product_id": p["id"], "store_id": d["store"]["id"],
                                        "status": d["status"], "updated_at": iso_utc(d["updatedAt"])})
            for v in p["variants"]:
                out["variants"].append({"id": v["id"], "product_id": p["id"], "name": v["name"], "status": v["status"],
                                        "variant_number": v["variantNumber"], "updated_at": iso_utc(v["updatedAt"])})
                for s in v["productSizes"]:
                    out["sizes"].append({"id": s["id"], "variant_id": v["id"], "product_id": p["id"],
                                         "size_id": s["size"]["id"], "size_name": s["size"]["name"],
                                         "size_number": s["sizeNumber"], "sku": s["SKU"], "ean": s["EAN"],
                                         "ean_valid": gen.ean_is_valid(s["EAN"]), "updated_at": iso_utc(s["updatedAt"])})
                    for st in s["stock"]:
                        out["stock_levels"].append({
                            "size_id": s["id"], "warehouse_id": st["warehouse"]["id"],
                            "physical": st["physicalQuantity"], "allocated": st["allocatedQuantity"],
                            "free_to_allocate": st["freeToAllocateQuantity"]})
        out["customers"] = [{
            "id": c["id"], "email": c["email"], "first_name": c["firstName"], "last_name": c["lastName"],
            "status": c["status"], "is_registered": c["_registered"], "store_id": c["store"]["id"],
            "total_orders": c["totalOrders"], "created_at": iso_utc(c["createdAt"]), "updated_at": iso_utc(c["updatedAt"]),
        } for c in cat.customers if not c.get("_deleted")]
        out["customer_email_history"] = [{**row, "valid_from": iso_utc(row["valid_from"]),
                                          "valid_to": iso_utc(row["valid_to"])} for row in cat.email_history]
        out["orders"], out["order_lines"] = [], []
        for o in cat.orders:
            cur = o["pricelist"]["currency"]
            out["orders"].append({
                "id": o["id"], "number": o["number"], "type": o["__typename"], "status": o["status"],
                "store_id": o["store"]["id"], "market_id": o["market"]["id"], "pricelist_id": o["pricelist"]["id"],
                "customer_id": ref(o["customer"]), "account_id": ref(o["account"]), "currency": cur["code"],
                "currency_base_rate": o["currencyBaseRate"], "country": o["country"]["code"] if o["country"] else None,
                "is_on_hold": o["isOnHold"], "is_waiting_for_payment": o["_waitingForPayment"],
                "billing_email": (o["billingAddress"] or {}).get("email"),
                "line_total_minor": o["_line_total"], "shipping_minor": o["_shipping"], "handling_minor": o["_handling"],
                "discounts_minor": o["_discounts"], "grand_total_minor": o["_grand"], "grand_total": o["grandTotal"]["value"],
                "voucher_ids": [d["voucher"]["id"] for d in o["discountsApplied"] if d.get("voucher")],
                "order_date": iso_utc(o["orderDate"]), "created_at": iso_utc(o["createdAt"]),
                "updated_at": iso_utc(o["updatedAt"]),
            })
            for l in o["lines"]:
                out["order_lines"].append({
                    "id": l["id"], "order_id": o["id"], "order_number": o["number"], "product_id": l["product"]["id"],
                    "variant_id": l["productVariant"]["id"], "size_id": l["productSize"]["id"], "sku": l["productSize"]["SKU"],
                    "quantity": l["quantity"], "cancelled_quantity": l["cancelledQuantity"],
                    "shipped_quantity": l["shippedQuantity"], "returned_quantity": l["returnedQuantity"],
                    "unit_price_minor": l["_unit"], "line_value_minor": l["_unit"] * l["quantity"],
                    "discount_percent": l["discountPercent"], "tax_percent": l["taxPercent"],
                    "taxable_minor": structure.line_net(cat, l),
                    "tax_minor": l["_unit"] * l["quantity"] - structure.line_net(cat, l)})
        out["shipments"] = [{
            "id": s["id"], "number": s["number"], "order_id": s["order"]["id"], "order_number": s["order"]["number"],
            "is_shipped": s["isShipped"], "is_paid": s["isPaid"], "created_at": iso_utc(s["createdAt"]),
            "updated_at": iso_utc(s["updatedAt"]), "shipped_at": iso_utc(s["shippedAt"])} for s in cat.shipments]
        out["returns"] = [{
            "id": r["id"], "order_id": r["order"]["id"], "order_number": r["order"]["number"],
            "shipment_id": r["shipment"]["id"], "return_status": r["returnStatus"], "total_quantity": r["totalQuantity"],
            "grand_total": r["grandTotal"]["value"], "refunded": sum(e["value"]["value"] for e in r["refundPaymentHistory"]),
            "created_at": iso_utc(r["createdAt"])} for r in cat.returns]
        out["vouchers"] = [{
            "id": v["id"], "name": v["name"], "status": v["status"], "method": v["method"], "type": v["type"],
            "code": v["code"], "successful_usages": v["successfulUsages"], "created_at": iso_utc(v["createdAt"]),
            "updated_at": iso_utc(v["updatedAt"])} for v in cat.vouchers if not v.get("_deleted")]
        structure_truth = structure.truth(cat)
        out["quirks"] = [dict(q) for q in cat.quirks] + structure_truth.pop("quirks")
        out.update(structure_truth)
        return out
