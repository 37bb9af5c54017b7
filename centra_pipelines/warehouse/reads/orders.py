"""Reads of the order tables that the order and return assets need: pricelist currencies, shipments' orders."""

from __future__ import annotations

from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.engine import Warehouse


def pricelist_currencies(wh: Warehouse) -> dict[int, str]:
    """The currency of every pricelist, by pricelist id."""
    frame = wh.read(f"SELECT id, currency_code FROM {wh.table_ref(model.PRICELISTS.name)}")
    return {int(i): c for i, c in zip(frame["id"], frame["currency_code"])}


def shipment_orders(wh: Warehouse) -> dict[int, tuple]:
    """(order_id, order_number) of every stored shipment, by shipment id."""
    frame = wh.read(f"SELECT id, order_id, order_number FROM {wh.table_ref(model.SHIPMENTS.name)}")
    return {int(i): (o, n) for i, o, n in zip(frame["id"], frame["order_id"], frame["order_number"])}
