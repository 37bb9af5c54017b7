"""Daily id reconciliation of the catalog: Centra's product ids against the warehouse's.

Incremental pulls never see a deletion, and a lost page would leave a gap: this job lists every
product id Centra has (one cheap request per 200 products), marks the products (and their variants
and sizes) that Centra no longer has as deleted, re-pulls the ones the warehouse lacks through the
normal upsert path, and fails with the counts when something could not be healed.
"""

import dagster as dg

from centra_pipelines.defs.catalog.assets import CATALOG_TABLES, fetch_products
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.pulls import POOL, pull_all
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.scheduling import job_schedule
from centra_pipelines.mapping import flatten
from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.reads import catalog, keys, quarantine

@dg.op(pool=POOL, description=__doc__.splitlines()[0])
def reconcile_product_ids(context: dg.OpExecutionContext, centra: CentraResource, warehouse: WarehouseResource):
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "product_ids", None, CATALOG_TABLES)
        centra_ids = {row["id"] for row in pull_all(client, "product_ids")}
        live = keys.live_ids(wh, model.PRODUCTS)
        # A product the contract rejected is known (it waits in quarantine with its reason): not missing.
        held = {int(k) for k in quarantine.quarantined(wh, model.PRODUCTS.name)["key"]}
        gone = sorted(live - centra_ids)
        missing = sorted(centra_ids - live - held)
        if gone:
            writer.write({}, deleted=catalog.product_rows(wh, gone))
        if missing:
            writer.write(flatten.catalog(fetch_products(client, missing)))
        live_after = keys.live_ids(wh, model.PRODUCTS)
        unhealed = sorted(centra_ids - live_after - held)
        counts = {"centra_products": len(centra_ids), "warehouse_products_before": len(live),
                  "marked_deleted": len(gone), "re_pulled": len(missing), "still_missing": len(unhealed),
                  "requests": client.stats.requests}
        context.log.info(f"product id reconciliation: {counts}")
        yield dg.AssetObservation(asset_key="products", metadata={
            **counts, "first_deleted": gone[:20], "first_re_pulled": missing[:20]})
        if unhealed:
            raise dg.Failure(description=f"{len(unhealed)} product(s) Centra has could not be pulled into the "
                                         f"warehouse, e.g. ids {unhealed[:10]}", metadata=counts)
        yield dg.Output(counts)


@dg.job(description="Daily: Centra's product ids against the warehouse's; deletions marked, gaps re-pulled.")
def catalog_reconciliation_job():
    reconcile_product_ids()


SCHEDULES = job_schedule("catalog_reconciliation_schedule", catalog_reconciliation_job, "0 3 * * *",
                         "Daily: product id reconciliation (deleted products marked, missing ones re-pulled).")
JOBS = [catalog_reconciliation_job]
