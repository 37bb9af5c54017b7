"""Row-count reconciliation of customers against Centra's counts for the same windows."""

from centra_pipelines.centra import queries
from centra_pipelines.defs.reconciliation import row_count_check
from centra_pipelines.warehouse import model

customers_row_count = row_count_check(
    model.CUSTOMERS, "updatedAt", lambda client, where: client.execute(
        queries.CUSTOMER_COUNT, {"where": where}).data["counters"]["customers"])

CHECKS = [customers_row_count]
