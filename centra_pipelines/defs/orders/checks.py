"""Row-count reconciliation of orders and returns against Centra's counts for the same windows."""

from centra_pipelines.centra import queries
from centra_pipelines.defs.reconciliation import row_count_check
from centra_pipelines.warehouse import model

orders_row_count = row_count_check(
    model.ORDERS, "updatedAt", lambda client, where: client.execute(
        queries.ORDER_COUNT, {"where": where}).data["counters"]["orders"])
returns_row_count = row_count_check(
    model.RETURNS, "createdAt", lambda client, where: client.execute(
        queries.RETURN_COUNT, {"where": where}).data["returnConnection"]["totalCount"])

CHECKS = [orders_row_count, returns_row_count]
