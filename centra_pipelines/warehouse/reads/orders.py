"""Reads of the order and customer tables that the order, return and identity assets need."""

from __future__ import annotations

import pandas as pd

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


def customers_by_id(wh: Warehouse) -> pd.DataFrame:
    """(id, store_id, email, created_at) of every customer, deleted ones included, in id order."""
    return wh.read(f"SELECT id, store_id, email, created_at FROM {wh.table_ref(model.CUSTOMERS.name)} ORDER BY id")


def customer_order_emails(wh: Warehouse) -> pd.DataFrame:
    """(customer_id, email, first_used): each billing e-mail a customer ordered with, and its first order's time."""
    return wh.read("SELECT customer_id, billing_email AS email, min(created_at) AS first_used "
                   f"FROM {wh.table_ref(model.ORDERS.name)} WHERE customer_id IS NOT NULL "
                   "AND billing_email IS NOT NULL GROUP BY customer_id, billing_email")
