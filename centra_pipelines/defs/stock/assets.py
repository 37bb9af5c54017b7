"""Stock per size and warehouse: physical, allocated and free-to-allocate (partition = the warehouse: `<id>-<name>`).

Each run takes a fresh snapshot of one warehouse's stock, page by page; the snapshot time is kept
with the cursor, so a killed run re-executed continues the same snapshot at its next page, and an
older snapshot never overwrites a newer one.
"""


from datetime import datetime, timezone

import dagster as dg
import pandas as pd
from pydantic import Field

from centra_pipelines.centra.resume import SavedCursor, resume
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.partitions import centra_id, warehouse_partitions
from centra_pipelines.defs.pulls import KINDS, POOL
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.mapping import flatten
from centra_pipelines.mapping.stock_drift import Drift, compare_stock
from centra_pipelines.warehouse.model import STOCK_LEVELS
from centra_pipelines.warehouse.reads import catalog, stock

GROUP = "stock"


STOCK_DRIFT = "stock_drift"


class StockSnapshotConfig(dg.Config):
    max_drift_share: float = Field(
        default=0.01, description="The stock_drift check fails when more than this share of the compared sizes "
                                  "differ between the warehouse and the fresh snapshot")


@dg.asset(group_name=GROUP, kinds=KINDS, pool=POOL, partitions_def=warehouse_partitions,
          deps=["warehouses", "sizes"],
          check_specs=[contract_check_spec(STOCK_LEVELS),
                       dg.AssetCheckSpec(STOCK_DRIFT, asset="stock_levels", description=(
                           "A fresh snapshot compared with the stored stock before it was healed: fails when "
                           "more than max_drift_share of the sizes differ, naming the worst SKUs."))])
def stock_levels(context: dg.AssetExecutionContext, config: StockSnapshotConfig, centra: CentraResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Stock of every size in one warehouse: physical = free-to-allocate + allocated. Each run is a fresh
    snapshot that also reconciles: drift against what was stored is reported and healed, and sizes the
    snapshot no longer has get `deleted_at`. `observed_at` is when the snapshot started (UTC); a newer
    snapshot replaces an older one."""
    warehouse_id = centra_id(context.partition_key)
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "stock_levels", context.partition_key, [STOCK_LEVELS])
        saved = writer.cursor()
        plan = client.capabilities().plan("stock")
        cursor = resume(saved, plan.mode, context.log).cursor
        # Resuming a snapshot keeps its time; a new snapshot is stamped now.
        observed = saved.observed_at if cursor is not None else datetime.now(timezone.utc).isoformat()
        observed_at = pd.Timestamp(observed)
        drift = Drift()
        with writer.paging():
            for page in client.pages("stock", cursor=cursor, variables={"id": warehouse_id}):
                fresh = flatten.stock_levels(page.rows, warehouse_id, observed_at)
                stored = stock.stored_stock(wh, warehouse_id, [int(i) for i in fresh["size_id"].dropna()])
                drift.add(compare_stock(stored, fresh.dropna(subset=["size_id"])))
                gone = {}
                if page.done:  # the snapshot is complete: what it did not see, Centra no longer has
                    writer.flush()  # the held pages' sizes are seen: stamped with this snapshot first
                    unseen = stock.sizes_observed_before(wh, warehouse_id, observed_at)
                    seen = set(fresh["size_id"].dropna().astype(int))
                    gone = {"stock_levels": [(warehouse_id, i) for i in unseen if i not in seen]}
                if writer.write({"stock_levels": fresh}, {"stock_levels": SavedCursor(page.cursor, observed_at=observed)},
                                deleted=gone, more=not page.done):
                    context.log.info(f"stock of warehouse {warehouse_id}: page {page.number} committed")
        skus = catalog.skus(wh, [w["size_id"] for w in drift.worst])
        worst = [{**w, "sku": skus.get(w["size_id"])} for w in drift.worst]
        drift_check = dg.AssetCheckResult(
            check_name=STOCK_DRIFT, asset_key="stock_levels", passed=drift.share <= config.max_drift_share,
            metadata={"sizes_compared": drift.compared, "sizes_differing": drift.sizes_differing,
                      "units_differing": drift.units_differing, "new_sizes": drift.new_sizes,
                      "drift_share": round(drift.share, 4), "max_drift_share": config.max_drift_share,
                      "worst_skus": dg.MetadataValue.json(worst)})
        [result] = materialize_results(writer, client.stats, checks={"stock_levels": [drift_check]},
                                       warehouse_id=warehouse_id, observed_at=observed,
                                       sizes_differing=drift.sizes_differing, units_differing=drift.units_differing)
        return result


ASSETS = [stock_levels]
