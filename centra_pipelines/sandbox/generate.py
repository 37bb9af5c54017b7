"""Deterministic, seeded generator of a Centra-like brand: same (seed, scale, now) -> same data.

The parts live in modules named after what they emulate: reference data (reference.py), the lazy
catalog (products.py, catalog.py), customers and accounts (customers.py), orders and vouchers
(orders.py), catalog structure (structure.py). This module runs them in the one order that keeps
every seed's data the same: they share the main random sequence.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from . import customers, orders, products, reference, structure
from .catalog import Catalog

SCALES: dict[str, dict[str, int]] = {
    "tiny": {"products": 20, "customers": 30, "orders": 40, "vouchers": 6, "accounts": 3},
    "small": {"products": 300, "customers": 400, "orders": 600, "vouchers": 20, "accounts": 8},
    "medium": {"products": 5_000, "customers": 4_000, "orders": 6_000, "vouchers": 50, "accounts": 30},
    "large": {"products": 60_000, "customers": 10_000, "orders": 12_000, "vouchers": 100, "accounts": 60},
}


def generate(seed: int, scale: str, now: datetime, *, strict: bool = False) -> Catalog:
    """Generate the brand. `strict` only swaps values of enums strict mode does not serve."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; use one of {', '.join(SCALES)}.")
    sizes = SCALES[scale]
    cat = Catalog(seed=seed, scale=scale, now=now, strict=strict)
    rng = random.Random(seed)
    reference.build(cat, rng)
    products.product_heads(cat, sizes["products"])
    customers.generate_customers(cat, rng, sizes["customers"])
    customers.generate_accounts(cat, rng, sizes["accounts"])
    orders.generate_vouchers(cat, rng, sizes["vouchers"])
    structure.build(cat)  # draws from its own generators: the main sequence above and below is unchanged
    for _ in range(sizes["orders"]):
        orders.add_order(cat, rng, created=now - timedelta(days=120) + timedelta(seconds=rng.randrange(120 * 86400)))
    _number_orders(cat)
    customers.link_orders(cat)
    structure.assign_buyers(cat)
    for order in cat.orders:
        for line in order["lines"]:
            structure.line_tax(cat, line)
    return cat


def _number_orders(cat: Catalog) -> None:
    """Order numbers follow order dates, as in Centra; ids follow numbers."""
    cat.orders.sort(key=lambda o: o["orderDate"])
    renamed = {}
    for i, order in enumerate(cat.orders):
        order["number"] = 1001 + i
        old_id = order["id"]
        order["id"] = orders.order_id(cat.seed, order["number"])
        renamed[old_id] = order["id"]
        for k, shipment in enumerate(order["shipments"], start=1):
            shipment["number"] = f"{order['number']}-{k}"
    for quirk in cat.quirks:  # quirks name orders by their final id
        if quirk["entity"] == "orders":
            quirk["id"] = renamed.get(quirk["id"], quirk["id"])
