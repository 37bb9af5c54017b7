"""Customers (daily change windows by updatedAt) and the identities resolved across them.

Customers are pulled by id pages (Centra offers no updatedAt sort on customers). Where introspection
finds CustomerFilter.updatedAt (not confirmed by Centra's documentation) the window is filtered by
Centra; otherwise every customer is paged and the window applied in memory (defs/windows.py).
`customer_identities` re-resolves every customer from the customers and orders tables: customers
sharing an e-mail (Centra's guest + registered pair) and addresses carried by a customer's orders
(e-mail changes) join one identity (mapping/identity.py); every link made is kept in
`customer_identity_merges` with its reason.
"""


import dagster as dg
import pandas as pd

from centra_pipelines.centra import Stats
from centra_pipelines.defs.checks import completeness_result, completeness_spec, contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.pulls import KINDS, POOL, WAREHOUSE_KIND
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import (BACKFILL, WindowConfig, daily_partitions, mapping_or_fail, pull_window,
                                           window_run)
from centra_pipelines.mapping import orders_rows
from centra_pipelines.mapping.identity import resolve_identities
from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.model import CUSTOMERS, CUSTOMER_IDENTITIES, IDENTITY_MERGES
from centra_pipelines.warehouse.reads.customers import customer_order_emails, customers_by_id

GROUP = "customers"


@dg.multi_asset(
    specs=[
        dg.AssetSpec("customers", group_name=GROUP, kinds=KINDS, partitions_def=daily_partitions,
                     description="Centra customers (partition = UTC day of updatedAt), keyed by Centra id — "
                                 "never by e-mail: a guest and a registered customer may share one."),
    ],
    check_specs=[contract_check_spec(CUSTOMERS), completeness_spec("customers")],
    backfill_policy=BACKFILL,
    pool=POOL,
)
def customer_windows(context: dg.AssetExecutionContext, config: WindowConfig, centra: CentraResource,
                     warehouse: WarehouseResource):
    """Customers changed in the run's days (plus the lookback)."""
    with window_run(context, config, centra, warehouse, "customers", [CUSTOMERS]) as window:
        mapping, start, end, client, wh, writer = window
        gaps: set[str] = set()

        def flatten(rows: list[dict]) -> dict[str, pd.DataFrame]:
            frames = orders_rows.customers(rows, mapping)
            gaps.update(orders_rows.mapping_gaps("customers", rows, frames["customers"], mapping))
            return frames

        pulled = pull_window(context, client, writer, "customers", "updatedAt", start, end, flatten,
                             page_size=mapping.sync.page_size, timezone_name=mapping.store_timezone)
        yield from materialize_results(writer, client.stats, checks={"customers": [completeness_result("customers", gaps)]},
                                       context=context,
                                       window_start=start.isoformat(), window_end=end.isoformat(),
                                       customers=pulled.rows, filtered_in_memory=pulled.filtered_in_memory, centra_as_of=pulled.as_of)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("customer_identities", group_name=GROUP, kinds={WAREHOUSE_KIND}, deps=["customers", "orders"],
                     description="One row per customer: the identity (person) it belongs to. Identity id = the "
                                 "smallest customer id of the identity, stable as new customers join."),
        dg.AssetSpec("customer_identity_merges", group_name=GROUP, kinds={WAREHOUSE_KIND},
                     deps=["customers", "orders"],
                     description="Merge audit: every link made between two customers, with the reason, "
                                 "the e-mail address that was the evidence and when that evidence existed."),
    ],
    check_specs=[contract_check_spec(CUSTOMER_IDENTITIES), contract_check_spec(IDENTITY_MERGES)],
)
def customer_identities(warehouse: WarehouseResource):
    """Resolve every customer in the warehouse into identities (all of them: a link may join old and new)."""
    mapping = mapping_or_fail()
    with warehouse.connect() as wh:
        wh.ensure_tables([model.CUSTOMERS, model.ORDERS])
        resolved = resolve_identities(customers_by_id(wh), customer_order_emails(wh), mapping)
        writer = StreamWriter(wh, "customer_identities", None, [CUSTOMER_IDENTITIES, IDENTITY_MERGES])
        writer.write({"customer_identities": resolved.identities, "customer_identity_merges": resolved.merges})
        identities = resolved.identities
        yield from materialize_results(
            writer, Stats(),  # no Centra request: resolved from the warehouse
            customers=len(identities), identities=int(identities["identity_id"].nunique()) if len(identities) else 0,
            links=len(resolved.merges))


ASSETS = [customer_windows, customer_identities]
