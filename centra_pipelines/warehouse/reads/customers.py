"""Reads of the customers and their orders' e-mail addresses, which customer identities are resolved from."""

from __future__ import annotations

import pandas as pd

from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.engine import Warehouse


def customers_by_id(wh: Warehouse) -> pd.DataFrame:
    """(id, store_id, email, created_at) of every customer, deleted ones included, in id order."""
    return wh.read(f"SELECT id, store_id, email, created_at FROM {wh.table_ref(model.CUSTOMERS.name)} ORDER BY id")


def customer_order_emails(wh: Warehouse) -> pd.DataFrame:
    """(customer_id, email, first_used): each billing e-mail a customer ordered with, and its first order's time."""
    return wh.read("SELECT customer_id, billing_email AS email, min(created_at) AS first_used "
                   f"FROM {wh.table_ref(model.ORDERS.name)} WHERE customer_id IS NOT NULL "
                   "AND billing_email IS NOT NULL GROUP BY customer_id, billing_email")
