"""Customers (daily change windows by updatedAt) and the identities resolved across them.

Customers are pulled by id pages (Centra offers no updatedAt sort on customers). Where introspection
finds CustomerFilter.updatedAt (not confirmed by Centra's documentation) the window is filtered by
Centra; otherwise every customer is paged and the window applied in memory (defs/windows.py).
`customer_identities` re-resolves every customer after each customers run: guests and registered
customers sharing an e-mail, and e-mail changes, become one identity (mapping/identity.py); every
link made or refused is kept in `customer_identity_merges` with its reason.
"""


import dagster as dg
import pandas as pd

from centra_pipelines.centra import Stats
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter, Table
from centra_pipelines.defs.orders.assets import WindowConfig, completeness_result, completeness_spec
from centra_pipelines.defs.pulls import KINDS, POOL
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import BACKFILL, daily_partitions, mapping_or_fail, pull_window, run_window
from centra_pipelines.mapping import orders_rows
from centra_pipelines.mapping.identity import resolve_identities
from centra_pipelines.schemas import orders as contracts
from centra_pipelines.warehouse import model

GROUP = "customers"

CUSTOMERS = Table(model.CUSTOMERS, contracts.Customers)
CUSTOMER_EMAILS = Table(model.CUSTOMER_EMAILS, contracts.CustomerEmails)
CUSTOMER_IDENTITIES = Table(model.CUSTOMER_IDENTITIES, contracts.CustomerIdentities)
IDENTITY_MERGES = Table(model.IDENTITY_MERGES, contracts.IdentityMerges)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("customers", group_name=GROUP, kinds=KINDS, partitions_def=daily_partitions,
                     description="Centra customers (partition = UTC day of updatedAt), keyed by Centra id — "
                                 "never by e-mail: a guest and a registered customer may share one."),
        dg.AssetSpec("customer_emails", group_name=GROUP, kinds=KINDS,
                     description="Every e-mail address each customer has had, with when it was valid (UTC); "
                                 "written with its customer (the customer's partition is a column)."),
    ],
    check_specs=[contract_check_spec(CUSTOMERS), contract_check_spec(CUSTOMER_EMAILS), completeness_spec("customers")],
    backfill_policy=BACKFILL,
    pool=POOL,
)
def customer_windows(context: dg.AssetExecutionContext, config: WindowConfig, centra: CentraResource,
                     warehouse: WarehouseResource):
    """Customers changed in the run's days (plus the lookback), with their e-mail history."""
    mapping = mapping_or_fail()
    start, end = run_window(context, mapping.sync.lookback_days if config.lookback_days is None else config.lookback_days)
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "customers", f"{start.date()}..{end.date()}", [CUSTOMERS, CUSTOMER_EMAILS])
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
                                       customers=pulled.rows, filtered_in_memory=pulled.filtered_in_memory)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("customer_identities", group_name=GROUP, kinds={"pandas"}, deps=["customers", "customer_emails"],
                     description="One row per customer: the identity (person) it belongs to. Identity id = the "
                                 "smallest customer id of the identity, stable as new customers join."),
        dg.AssetSpec("customer_identity_merges", group_name=GROUP, kinds={"pandas"},
                     deps=["customers", "customer_emails"],
                     description="Merge audit: every link made or refused between two customers, with the reason, "
                                 "the e-mail address that was the evidence and when that evidence existed."),
    ],
    check_specs=[contract_check_spec(CUSTOMER_IDENTITIES), contract_check_spec(IDENTITY_MERGES)],
)
def customer_identities(warehouse: WarehouseResource):
    """Resolve every customer in the warehouse into identities (all of them: a link may join old and new)."""
    mapping = mapping_or_fail()
    with warehouse.connect() as wh:
        wh.ensure_tables([model.CUSTOMERS, model.CUSTOMER_EMAILS])
        people = wh.read(f"SELECT id, store_id, email, is_registered AS registered, created_at, updated_at "
                         f"FROM {wh.table_ref('customers')} ORDER BY id")
        history = wh.read(f"SELECT customer_id, email, valid_from FROM {wh.table_ref('customer_emails')}")
        resolved = resolve_identities(people, history, mapping)
        writer = StreamWriter(wh, "customer_identities", None, [CUSTOMER_IDENTITIES, IDENTITY_MERGES])
        writer.write({"customer_identities": resolved.identities, "customer_identity_merges": resolved.merges})
        identities = resolved.identities
        yield from materialize_results(
            writer, Stats(),  # no Centra request: resolved from the warehouse
            customers=len(identities), identities=int(identities["identity_id"].nunique()) if len(identities) else 0,
            links=int((resolved.merges["reason"] != "kept_apart_registered").sum()),
            kept_apart=int((resolved.merges["reason"] == "kept_apart_registered").sum()))


ASSETS = [customer_windows, customer_identities]
