"""The sandbox Centra's state: generated brand data, the clock and the business activity it moves
(new and progressing orders, stock and catalog edits, customers, returns, deletions), event queues,
GraphQL execution.

`Sandbox` is what the HTTP layer serves and what tests may call in-process. The clock starts at a
fixed anchor (same seed -> same data) and only moves by `advance()`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from graphql import GraphQLError, GraphQLSchema, execute, parse, validate
from graphql.language import OperationDefinitionNode, OperationType

from .customers import change_email, new_customer
from .events import EventQueues
from .generate import generate
from .orders import add_order, add_return, add_shipment, order_id
from .products import ProductHead, stock_row
from .resolvers import Context, complexity_of, served_schema
from .truth import truth

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
        self.catalog = generate(seed, scale, self.now, strict=strict)
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
        order = add_order(cat, rng, at, status=rng.choice(["PENDING", "CONFIRMED"]))
        order["number"] = max(o["number"] for o in cat.orders) + 1
        order["id"] = order_id(self.seed, order["number"])
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
            shipment = add_shipment(cat, order, at, shipped=False, rng=rng)
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
        ret = add_return(self.catalog, order, at, rng=rng)
        self.events.publish("Return", "CREATED", ret["id"], ret, at, order["store"], order["market"])
        return [self._hook("return", "create", at, ret["id"])] + self._order_changed(order, at)

    def _pick_product(self, rng: random.Random) -> tuple[ProductHead, dict] | None:
        """A random product, pinned so it can change; None if the pick was deleted (then nothing happens)."""
        head = rng.choice(self.catalog.heads)
        return None if head.deleted else (head, self.catalog.materialize(head.id))

    def _stock_change(self, rng: random.Random, at: datetime) -> list[dict]:
        picked = self._pick_product(rng)
        if picked is None:
            return []
        _, product = picked
        sizes = [s for v in product["variants"] for s in v["productSizes"]]
        if not sizes:
            return []
        size = rng.choice(sizes)
        row = rng.choice(size["stock"])
        physical = max(row["allocatedQuantity"], row["physicalQuantity"] + rng.choice([-3, -2, -1, 5, 10, 20]))
        row.update(stock_row(size, row["warehouse"], physical, row["allocatedQuantity"]))
        size["quantity"] = sum(r["physicalQuantity"] for r in size["stock"])
        size["updatedAt"] = at
        self.events.publish("ProductSize", "UPDATED", size["id"], None, at)
        return [self._hook("stock", "update", at, size["id"])]

    def _customer_edit(self, rng: random.Random, at: datetime) -> list[dict]:
        cat = self.catalog
        customers = [c for c in cat.customers if not c.get("_deleted")]
        customer = rng.choice(customers)
        if rng.random() < 0.4 and customer["email"]:
            change_email(cat, customer, f"{customer['firstName'].lower()}.{customer['id']}.{rng.randrange(1000)}@moved.example", at)
        else:
            customer["phoneNumber"] = f"+46 70 {rng.randrange(10**6):06d}"
        customer["updatedAt"] = at
        self.events.publish("Customer", "UPDATED", customer["id"], customer, at, customer["store"])
        return [self._hook("customer", "update", at, customer["id"])]

    def _new_customer(self, rng: random.Random, at: datetime) -> list[dict]:
        customer = new_customer(self.catalog, rng, at, registered=rng.random() < 0.6)
        self.events.publish("Customer", "CREATED", customer["id"], customer, at, customer["store"])
        return [self._hook("customer", "create", at, customer["id"])]

    def _catalog_edit(self, rng: random.Random, at: datetime) -> list[dict]:
        picked = self._pick_product(rng)
        if picked is None:
            return []
        head, product = picked
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
        return truth(self.catalog)
