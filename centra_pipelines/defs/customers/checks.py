"""Row-count reconciliation of customers against Centra's counts for the same windows."""

from centra_pipelines.centra import queries
from centra_pipelines.defs.reconciliation import CHANGES_PAGE, row_count_check
from centra_pipelines.warehouse import model


def _customers(client, where: dict, changed: dict | None) -> tuple[int, list[dict]]:
    data = client.execute(queries.CUSTOMER_COUNT_AND_CHANGES, {"where": where, "changed": changed,
                                                               "limit": CHANGES_PAGE}).data
    return data["counters"]["customers"], data["customers"]


customers_row_count = row_count_check(model.CUSTOMERS, "updatedAt", _customers)

CHECKS = [customers_row_count]
