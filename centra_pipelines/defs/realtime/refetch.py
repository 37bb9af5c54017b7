"""What a webhook call or a queued event names, re-fetched from Centra as table frames.

A notification carries only a reference (an order number, a shipment/return/customer/size id),
never the data, so the current state is read by id through the client and flattened with the same
flatteners as the scheduled syncs; the caller writes the frames through `StreamWriter.write`, so
contracts, quarantine and the conflict rule (newer `updated_at` wins) are the scheduled syncs' too.
Re-fetching is idempotent: the same references twice give the same rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd

from centra_pipelines.centra import CentraClient, queries
from centra_pipelines.centra.lists import base_currency
from centra_pipelines.mapping import Mapping, flatten, orders_rows
from centra_pipelines.warehouse import TableSpec, Warehouse
from centra_pipelines.warehouse.model import (APPLIED_VOUCHERS, BUYERS, CUSTOMERS, ORDER_LINES, ORDERS, RETURNS, SHIPMENTS,
                                             STOCK_LEVELS)
from centra_pipelines.warehouse.reads.orders import shipment_orders
from centra_pipelines.warehouse.reads.stock import selected_warehouse_ids

#: every table a real-time run may write (besides its ledger)
DATA_TABLES: list[TableSpec] = [ORDERS, ORDER_LINES, SHIPMENTS, APPLIED_VOUCHERS, BUYERS, RETURNS, CUSTOMERS,
                                STOCK_LEVELS]

#: webhook `type` (Integration API webhook plugin) -> what it names
WEBHOOK_KINDS = {"order": "orders", "shipment": "shipments", "return": "returns", "customer": "customers",
                 "stock": "sizes"}
#: webhook types that are valid but left to the scheduled syncs (catalog, vouchers, wholesale accounts)
WEBHOOK_IGNORED = {"product", "voucher", "account", "display", "pricelist"}
#: event-queue object type -> what it names (Product events belong to the catalog asset's queue)
EVENT_KINDS = {"Order": "orders", "Shipment": "shipments", "Return": "returns", "Customer": "customers",
               "ProductSize": "sizes"}

ORDERS_PER_REQUEST = 100  # "Limit must be in range 1 - 100" for orders
IDS_PER_REQUEST = 200


@dataclass
class Touched:
    """References to re-fetch: order numbers and shipment, return, customer and size ids."""

    orders: set[int] = field(default_factory=set)
    shipments: set[int] = field(default_factory=set)
    returns: set[int] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    sizes: set[int] = field(default_factory=set)

    def add(self, kind: str, reference: int) -> None:
        getattr(self, kind).add(int(reference))

    def __bool__(self) -> bool:
        return any((self.orders, self.shipments, self.returns, self.customers, self.sizes))

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("orders", "shipments", "returns", "customers", "sizes")}


def _chunks(ids, size: int):
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def refetch(client: CentraClient, wh: Warehouse, touched: Touched, mapping: Mapping) -> dict[str, pd.DataFrame]:
    """The current Centra rows of everything `touched` names, as frames by table name (non-empty only).

    Shipments and returns are written with their order (a shipment is a child row of its order's
    page); an object Centra no longer returns is left as it is (deletions come with full syncs)."""
    frames: dict[str, pd.DataFrame] = {}
    numbers = set(touched.orders)
    if touched.shipments:
        for result in client.execute_many((queries.SHIPMENT_NUMBER, {"id": i}) for i in sorted(touched.shipments)):
            shipment = result.data.get("shipment") or {}
            prefix = str(shipment.get("number") or "").split("-")[0]
            if prefix.isdigit():  # "<order number>-<n>"
                numbers.add(int(prefix))
    return_rows = [row for chunk in _chunks(touched.returns, IDS_PER_REQUEST)
                   for page in client.pages("returns", where={"id": chunk}) for row in page.rows]
    numbers.update(int(r["order"]["number"]) for r in return_rows if (r.get("order") or {}).get("number"))
    base = base_currency(client) if numbers or return_rows else None
    if numbers:
        rows = [row for chunk in _chunks(numbers, ORDERS_PER_REQUEST)
                for page in client.pages("orders", where={"number": chunk}, limit=ORDERS_PER_REQUEST)
                for row in page.rows]
        frames.update(orders_rows.orders(rows, mapping, base))
    if return_rows:
        frames["returns"] = _returns_with_orders(orders_rows.returns(return_rows, mapping, base),
                                                 frames.get("shipments"), wh)
    if touched.customers:
        results = client.execute_many((queries.CUSTOMER_BY_ID, {"id": i}) for i in sorted(touched.customers))
        rows = [r.data["customer"] for r in results if r.data.get("customer")]
        if rows:
            frames.update(orders_rows.customers(rows, mapping))
    if touched.sizes:
        frames["stock_levels"] = _stock(client, wh, touched.sizes)
    return {name: frame for name, frame in frames.items() if len(frame)}


def _returns_with_orders(frame: pd.DataFrame, shipments: pd.DataFrame | None, wh: Warehouse) -> pd.DataFrame:
    """A wholesale return names its order only through its shipment (as in the returns asset): taken
    from the shipments re-fetched now, else from the warehouse."""
    lacking = frame["order_id"].isna() & frame["shipment_id"].notna()
    if not lacking.any():
        return frame
    wh.ensure_tables([SHIPMENTS])
    known = shipment_orders(wh)
    if shipments is not None and len(shipments):
        known.update({int(i): (o, n) for i, o, n in zip(shipments["id"], shipments["order_id"], shipments["order_number"])})
    return orders_rows.fill_orders_from_shipments(frame, known)


def _stock(client: CentraClient, wh: Warehouse, sizes: set[int]) -> pd.DataFrame:
    """Stock of these sizes in the warehouses the stock sync covers (the selected ones, once the
    markets group ran; else every warehouse Centra reports), observed now."""
    observed_at = pd.Timestamp(datetime.now(timezone.utc))
    by_warehouse: dict[int, list[dict]] = defaultdict(list)
    for chunk in _chunks(sizes, IDS_PER_REQUEST):
        result = client.execute(queries.SIZES_STOCK, {"where": {"id": chunk}, "limit": IDS_PER_REQUEST, "page": 1})
        for size in result.data["productSizes"]:
            for row in size.get("stock") or []:
                by_warehouse[int(row["warehouse"]["id"])].append({**row, "productSize": {"id": size["id"]}})
    selected = _selected_warehouses(wh)
    frames = [flatten.stock_levels(rows, warehouse_id, observed_at) for warehouse_id, rows in sorted(by_warehouse.items())
              if selected is None or warehouse_id in selected]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(STOCK_LEVELS.columns))


def _selected_warehouses(wh: Warehouse) -> set[int] | None:
    try:
        return selected_warehouse_ids(wh) or None
    except Exception:  # noqa: BLE001 - the markets group has not run yet: every warehouse
        return None
