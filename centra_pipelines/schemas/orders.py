"""Contracts for customers, orders and their children, returns and vouchers (one pandera model per table).

Money columns hold Decimals (object dtype) in the row's currency; they must be present, their
rounding is the mapping's business. Mapped statuses may be None: an unmapped status is reported by
the mapping_completeness check (naming it), not quarantined row by row.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from centra_pipelines.mapping.identity import REASONS
from centra_pipelines.schemas.catalog import UTC, _Contract

ORDER_ID = r"^[0-9a-f]{32}$"
CURRENCY = r"^[A-Z]{3}$"
DAY = r"^\d{4}-\d{2}-\d{2}$"


class Customers(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    store_id: Series[int] = pa.Field(gt=0)
    status: Series[str]
    # A customer without an address cannot be told apart from others or contacted: quarantined.
    email: Series[str] = pa.Field(str_contains="@")
    created_at: Series[UTC]
    updated_at: Series[UTC]
    partition: Series[str] = pa.Field(str_matches=DAY)


class CustomerIdentities(_Contract):
    customer_id: Series[int] = pa.Field(gt=0, unique=True)
    identity_id: Series[int] = pa.Field(gt=0)

    @pa.dataframe_check(name="identity_id_is_a_member")
    def identity_id_not_above_member(cls, frame) -> Series[bool]:
        return frame["identity_id"] <= frame["customer_id"]


class IdentityMerges(_Contract):
    identity_id: Series[int] = pa.Field(gt=0)
    customer_id: Series[int] = pa.Field(gt=0)
    linked_customer_id: Series[int] = pa.Field(gt=0)
    reason: Series[str] = pa.Field(isin=list(REASONS))
    # None only when neither use of the address has a time (a customer without created_at).
    decided_at: Series[UTC] = pa.Field(nullable=True)


class Orders(_Contract):
    id: Series[str] = pa.Field(str_matches=ORDER_ID, unique=True)
    number: Series[int] = pa.Field(gt=0)
    order_type: Series[str] = pa.Field(isin=["DirectToConsumerOrder", "WholesaleOrder"])
    centra_status: Series[str]
    status: Series[object] = pa.Field(nullable=True)
    store_id: Series[int] = pa.Field(gt=0)
    pricelist_id: Series[int] = pa.Field(gt=0)
    # Tax, shipping and the ERP need the country: an order without one is quarantined.
    country: Series[str] = pa.Field(str_matches=r"^[A-Z]{2}$")
    currency: Series[str] = pa.Field(str_matches=CURRENCY)
    grand_total: Series[object]
    currency_base_rate: Series[float] = pa.Field(gt=0)
    created_at: Series[UTC]
    updated_at: Series[UTC]
    partition: Series[str] = pa.Field(str_matches=DAY)


class OrderLines(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    order_id: Series[str] = pa.Field(str_matches=ORDER_ID)
    quantity: Series[int] = pa.Field(ge=0)
    cancelled_quantity: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True)
    unit_price: Series[object]
    line_value: Series[object]
    order_updated_at: Series[UTC]


class ReturnLines(_Contract):
    return_id: Series[int] = pa.Field(gt=0)
    position: Series[int] = pa.Field(ge=0)
    order_line_id: Series[pd.Int64Dtype] = pa.Field(gt=0, nullable=True)


class Shipments(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    number: Series[str]
    order_id: Series[str] = pa.Field(str_matches=ORDER_ID)
    status: Series[object] = pa.Field(nullable=True)
    created_at: Series[UTC]
    order_updated_at: Series[UTC]


class AppliedVouchers(_Contract):
    order_id: Series[str] = pa.Field(str_matches=ORDER_ID)
    position: Series[int] = pa.Field(gt=0)
    kind: Series[str]
    amount: Series[object]
    order_updated_at: Series[UTC]


class Returns(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    centra_status: Series[str]
    status: Series[object] = pa.Field(nullable=True)
    refund_status: Series[object] = pa.Field(nullable=True)
    currency: Series[str] = pa.Field(str_matches=CURRENCY)
    grand_total: Series[object]
    refunded: Series[object]
    created_at: Series[UTC]
    partition: Series[str] = pa.Field(str_matches=DAY)


class Vouchers(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    status: Series[str]
    name: Series[str]
