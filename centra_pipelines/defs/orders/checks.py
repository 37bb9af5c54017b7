"""Row-count reconciliation of orders and returns against Centra's counts for the same windows."""

from centra_pipelines.centra import queries
from centra_pipelines.defs.reconciliation import CHANGES_PAGE, row_count_check
from centra_pipelines.warehouse import model


def _orders(client, where: dict, changed: dict | None) -> tuple[int, list[dict]]:
    data = client.execute(queries.ORDER_COUNT_AND_CHANGES, {"where": where, "changed": changed,
                                                            "limit": CHANGES_PAGE}).data
    return data["counters"]["orders"], data["orders"]


orders_row_count = row_count_check(model.ORDERS, "updatedAt", _orders)
returns_row_count = row_count_check(
    model.RETURNS, "createdAt", lambda client, where, changed: (client.execute(
        queries.RETURN_COUNT, {"where": where}).data["returnConnection"]["totalCount"], []))

CHECKS = [orders_row_count, returns_row_count]
