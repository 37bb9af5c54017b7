"""Vouchers: a full pull each run (a brand has tens to hundreds)."""

import dagster as dg

from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.pulls import KINDS, POOL, pull_all
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import mapping_or_fail
from centra_pipelines.mapping import orders_rows
from centra_pipelines.warehouse.model import VOUCHERS
from centra_pipelines.warehouse.reads import keys

GROUP = "promotions"


@dg.asset(group_name=GROUP, kinds=KINDS, pool=POOL, check_specs=[contract_check_spec(VOUCHERS)])
def vouchers(centra: CentraResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Centra vouchers: status, name, code, validity (UTC) and usage counts. Full pull each run; a voucher
    Centra no longer has gets `deleted_at` (the pull is complete, so absence means deletion)."""
    mapping = mapping_or_fail()
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "vouchers", None, [VOUCHERS])
        rows = pull_all(client, "vouchers", limit=mapping.sync.page_size)
        stored = keys.live_ids(wh, VOUCHERS)
        gone = sorted(stored - {int(r["id"]) for r in rows})
        writer.write({"vouchers": orders_rows.vouchers(rows, mapping)}, deleted={"vouchers": gone})
        [result] = materialize_results(writer, client.stats, marked_deleted=len(gone))
        return result


ASSETS = [vouchers]
