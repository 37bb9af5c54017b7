"""Stock per size and warehouse: physical, allocated and free-to-allocate (partition = warehouse id).

Each run takes a fresh snapshot of one warehouse's stock, page by page; the snapshot time is kept
with the cursor, so a killed run re-executed continues the same snapshot at its next page, and an
older snapshot never overwrites a newer one.
"""


import json
from datetime import datetime, timezone

import dagster as dg
import pandas as pd

from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter, Table, next_run_cursor
from centra_pipelines.defs.markets.partitions import warehouse_partitions
from centra_pipelines.defs.pulls import KINDS, POOL
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.mapping import flatten
from centra_pipelines.schemas import catalog as contracts
from centra_pipelines.warehouse import model

GROUP = "stock"
STOCK_LEVELS = Table(model.STOCK_LEVELS, contracts.StockLevels)


@dg.asset(group_name=GROUP, kinds=KINDS, pool=POOL, partitions_def=warehouse_partitions,
          deps=["warehouses", "sizes"], check_specs=[contract_check_spec(STOCK_LEVELS)])
def stock_levels(context: dg.AssetExecutionContext, centra: CentraResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Stock of every size in one warehouse: physical = free-to-allocate + allocated. `observed_at` is
    when the snapshot started (UTC); a newer snapshot replaces an older one."""
    warehouse_id = int(context.partition_key)
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "stock_levels", context.partition_key, [STOCK_LEVELS])
        saved = json.loads(writer.cursor() or "null")
        plan = client.capabilities().plan("stock")
        cursor = next_run_cursor(saved["cursor"], plan.mode, context.log) if saved else None
        # Resuming a snapshot keeps its time; a new snapshot is stamped now.
        observed = saved["observed_at"] if cursor is not None else datetime.now(timezone.utc).isoformat()
        observed_at = pd.Timestamp(observed)
        for page in client.pages("stock", cursor=cursor, variables={"id": warehouse_id}):
            state = json.dumps({"cursor": page.cursor.to_json(), "observed_at": observed})
            writer.write({"stock_levels": flatten.stock_levels(page.rows, warehouse_id, observed_at)},
                         {"stock_levels": state})
            context.log.info(f"stock of warehouse {warehouse_id}: page {page.number} committed")
        [result] = materialize_results(writer, client.stats, warehouse_id=warehouse_id, observed_at=observed)
        return result


ASSETS = [stock_levels]
