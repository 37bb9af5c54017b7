"""Analytics tables: computed in the warehouse from the synced tables (warehouse/analytics.py).

Money in the base currency unless the column names the order currency; days are UTC dates.
"""

from centra_pipelines.warehouse.model.formats import MONEY
from centra_pipelines.warehouse.tables import Column, TableSpec

SALES_DAILY = TableSpec("sales_daily", key=("day", "market_id", "currency", "channel"), columns={
    "day": Column("date", "UTC day of the order."),
    "market_id": Column("bigint", "Market (markets.id)."),
    "currency": Column("text", "Order currency."),
    "channel": Column("text", "dtc or wholesale."),
    "base_currency": Column("text", "The store's base currency."),
    "orders": Column("bigint", "Counted orders."),
    "units": Column("bigint", "Units sold."),
    "gross": Column(MONEY, "Line values (order currency)."),
    "discounts": Column(MONEY, "Discounts."),
    "tax": Column(MONEY, "Tax."),
    "shipping": Column(MONEY, "Shipping."),
    "grand_total": Column(MONEY, "Grand totals."),
    "returns": Column("bigint", "Returns created that day."),
    "returned_units": Column("bigint", "Units returned."),
    "returned": Column(MONEY, "Returned value."),
    "refunded": Column(MONEY, "Refunds."),
    "net": Column(MONEY, "Grand total minus refunds."),
    "gross_base": Column(MONEY, "gross, base currency."),
    "discounts_base": Column(MONEY, "discounts, base currency."),
    "tax_base": Column(MONEY, "tax, base currency."),
    "shipping_base": Column(MONEY, "shipping, base currency."),
    "grand_total_base": Column(MONEY, "grand_total, base currency."),
    "returned_base": Column(MONEY, "returned, base currency."),
    "refunded_base": Column(MONEY, "refunded, base currency."),
    "net_base": Column(MONEY, "net, base currency."),
})

CUSTOMER_ORDER_HISTORY = TableSpec("customer_order_history", key="identity_id", columns={
    "identity_id": Column("bigint", "Resolved identity (customer_identities.identity_id)."),
    "customers": Column("bigint", "Customer records in the identity."),
    "first_order_at": Column("timestamptz", "First counted order (UTC)."),
    "last_order_at": Column("timestamptz", "Last counted order (UTC)."),
    "orders": Column("bigint", "Counted orders (excluded statuses left out)."),
    "units": Column("bigint", "Units bought, cancelled units left out."),
    "returned_units": Column("bigint", "Units returned."),
    "returns_rate": Column("double", "Returned units / units bought; NULL without units."),
    "base_currency": Column("text", "The store's base currency."),
    "gross_base": Column(MONEY, "Grand totals in the base currency."),
    "refunded_base": Column(MONEY, "Refunds in the base currency."),
    "net_base": Column(MONEY, "Gross minus refunds, base currency."),
    "market_count": Column("bigint", "Markets ordered in."),
    "markets": Column("text", "Market ids ordered in."),
    "favourite_category_id": Column("bigint", "Category with the most units bought (categories.id)."),
    "favourite_category": Column("text", "Its name."),
})

CUSTOMER_SEGMENTS = TableSpec("customer_segments", key="identity_id", columns={
    "identity_id": Column("bigint", "Resolved identity."),
    "as_of": Column("date", "Moment the scores were computed for (UTC)."),
    "recency_days": Column("bigint", "Days since the last order."),
    "frequency": Column("bigint", "Orders."),
    "monetary": Column(MONEY, "Net revenue in the base currency."),
    "r_score": Column("integer", "Recency score (1 lowest .. bins)."),
    "f_score": Column("integer", "Frequency score."),
    "m_score": Column("integer", "Monetary score."),
    "rfm": Column("text", "The three scores as one code."),
    "segment": Column("text", "Named segment (mapping file analytics.segments)."),
    "cohort_month": Column("date", "Month of the first order."),
})

CUSTOMER_SEGMENT_CHANGES = TableSpec("customer_segment_changes", key=("identity_id", "changed_at"), columns={
    "identity_id": Column("bigint", "Resolved identity."),
    "changed_at": Column("timestamptz", "When the change was recorded (UTC)."),
    "as_of": Column("date", "Scoring moment of the new segment."),
    "previous_segment": Column("text", "Segment before; NULL for a new identity."),
    "segment": Column("text", "Segment after."),
})

# What each analytics table last computed from each source row (orders, returns, identities): the
# row's synced_at and deleted_at as seen then (an identity row: its identity), and the day and
# identity it counted in, so that the next refresh recomputes exactly the days and identities whose
# rows changed.
ANALYTICS_MARKS = TableSpec("analytics_marks", key=("consumer", "source", "key"), columns={
    "consumer": Column("text", "Analytics table that counted the row."),
    "source": Column("text", "Source table of the row (orders, returns)."),
    "key": Column("text", "Key of the source row."),
    "row_synced_at": Column("timestamptz", "synced_at of the row when it was counted."),
    "row_deleted_at": Column("timestamptz", "deleted_at of the row when it was counted."),
    "day": Column("date", "UTC day the row was counted in."),
    "identity_id": Column("bigint", "Identity the row was counted for."),
})

ANALYTICS_TABLES = [SALES_DAILY, CUSTOMER_ORDER_HISTORY, CUSTOMER_SEGMENTS, CUSTOMER_SEGMENT_CHANGES, ANALYTICS_MARKS]
