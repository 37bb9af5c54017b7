"""The catalog: products → variants → sizes from one nested page stream, size charts, and each
selected market's displays and prices.

The first sync is a full pull; later ones are incremental by (updatedAt, id) where the API offers
an updatedAt filter, else a fresh id-ordered pull. Every page commits with its cursor, so a killed
run re-executed continues at the next uncommitted page.
"""


import dagster as dg

from centra_pipelines.centra import Cursor, queries
from centra_pipelines.centra.events import EventQueue
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter, Table, next_run_cursor
from centra_pipelines.defs.markets.partitions import market_partitions
from centra_pipelines.defs.pulls import KINDS, POOL, pull_all
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.mapping import flatten
from centra_pipelines.schemas import catalog as contracts
from centra_pipelines.warehouse import model

GROUP = "catalog"
PAGE_CAP = 200  # Centra: "Limit must be in range 1 - 200"

PRODUCTS = Table(model.PRODUCTS, contracts.Products)
VARIANTS = Table(model.VARIANTS, contracts.Variants)
SIZES = Table(model.SIZES, contracts.Sizes)
DISPLAYS = Table(model.DISPLAYS, contracts.Displays)
PRICES = Table(model.PRICES, contracts.Prices)
CATALOG_TABLES = [PRODUCTS, VARIANTS, SIZES]

_DESCRIPTIONS = {
    "products": "Centra products (one row per product): status, product number, size chart, times in UTC.",
    "variants": "Product variants (by colour): variant number, status; updated with their product's page.",
    "sizes": "Sizes of each variant: SKU (product + variant + size number), EAN/GTIN, size name and chart.",
}


@dg.multi_asset(
    specs=[dg.AssetSpec(t.name, group_name=GROUP, kinds=KINDS, description=_DESCRIPTIONS[t.name],
                        deps=["size_charts"] if t is SIZES else []) for t in CATALOG_TABLES],
    check_specs=[contract_check_spec(t) for t in CATALOG_TABLES],
    pool=POOL,
)
def catalog(context: dg.AssetExecutionContext, centra: CentraResource, warehouse: WarehouseResource):
    """Products, variants and sizes from one nested page stream (resumable; incremental where possible)."""
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "products", None, CATALOG_TABLES)
        plan = client.capabilities().plan("products")
        saved = writer.cursor()
        queue = EventQueue(client) if plan.event_object_type else None
        if queue is not None:
            # Subscribe before pulling, so that changes made during the pull wait in the queue.
            queue.listen([plan.event_object_type])
            last = Cursor.from_json(saved) if saved is not None else None
            if last is not None and last.mode == plan.mode and last.done:
                yield from _apply_product_events(context, client, writer, queue, plan.event_object_type)
                return
        cursor = next_run_cursor(saved, plan.mode, context.log)
        since = cursor.last_updated_at if cursor is not None else None
        where = {"updatedAt": {"from": since}} if since and plan.updated_at_filter else None
        expected = client.execute(queries.PRODUCT_COUNT, {"where": where} if where else {}).data["counters"]["products"]
        context.log.info(f"products: {plan.mode} pull ({plan.reason}); "
                         f"{'resuming at ' + cursor.to_json() if cursor else 'from the start'}; ~{expected} products")
        rows = 0
        for page in client.pages("products", cursor=cursor):
            writer.write(flatten.catalog(page.rows), {"products": page.cursor.to_json()})
            rows += len(page.rows)
            context.log.info(f"products: page {page.number} committed, {rows} of ~{expected} products")
        yield from materialize_results(writer, client.stats, mode=plan.mode, expected_products=expected)


def _apply_product_events(context, client, writer: StreamWriter, queue: EventQueue, object_type: str):
    """Page mode after a full pull: the changes Centra queued since, re-fetched by id and upserted;
    deletions set `deleted_at` on the product, its variants and sizes. Events are confirmed only
    after the warehouse committed, so a crash in between means a harmless redelivery."""
    events_applied = 0
    while events := queue.pull([object_type]):
        deleted = {e.reference for e in events if e.change_type == "DELETED"}
        changed = sorted({e.reference for e in events} - deleted)
        writer.write(flatten.catalog(fetch_products(client, changed)),
                     deleted=deleted_catalog_rows(writer.warehouse, sorted(deleted)))
        queue.confirm(events)
        events_applied += len(events)
        context.log.info(f"products: {len(events)} queued changes applied ({len(changed)} re-fetched, "
                         f"{len(deleted)} deleted)")
    yield from materialize_results(writer, client.stats, mode="events", events_applied=events_applied)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("displays", group_name=GROUP, kinds=KINDS, deps=["markets", "products"],
                     description="Each selected market's displays (partition = market id)."),
        dg.AssetSpec("prices", group_name=GROUP, kinds=KINDS, deps=["markets", "pricelists", "products"],
                     description="Prices of each selected market's displays, per pricelist, in the pricelist's "
                                 "currency (partition = market id)."),
    ],
    check_specs=[contract_check_spec(DISPLAYS), contract_check_spec(PRICES)],
    partitions_def=market_partitions,
    pool=POOL,
)
def displays_and_prices(context: dg.AssetExecutionContext, centra: CentraResource, warehouse: WarehouseResource):
    """Displays and their prices for one market: resumable pages, incremental where possible."""
    market_id = int(context.partition_key)
    with centra.get_client() as client, warehouse.connect() as wh:
        writer = StreamWriter(wh, "displays", context.partition_key, [DISPLAYS, PRICES])
        plan = client.capabilities().plan("displays")
        cursor = next_run_cursor(writer.cursor(), plan.mode, context.log)
        for page in client.pages("displays", cursor=cursor, where={"marketId": [market_id]}):
            writer.write(flatten.displays_and_prices(page.rows, market_id), {"displays": page.cursor.to_json()})
            context.log.info(f"displays of market {market_id}: page {page.number} committed")
        yield from materialize_results(writer, client.stats, mode=plan.mode, market_id=market_id)


def fetch_products(client, ids: list[int]) -> list[dict]:
    """Products (nested with variants and sizes) by id, a page cap of ids per request."""
    return [row for start in range(0, len(ids), PAGE_CAP)
            for row in pull_all(client, "products", where={"id": ids[start:start + PAGE_CAP]})]


def deleted_catalog_rows(wh, product_ids: list[int]) -> dict[str, list]:
    """The keys to mark deleted when Centra deleted these products: the products, their variants and sizes."""
    if not product_ids:
        return {}
    ids = ", ".join(map(str, product_ids))
    return {"products": product_ids,
            "variants": wh.read(f"SELECT id FROM {wh.table_ref('variants')} WHERE product_id IN ({ids})")["id"].tolist(),
            "sizes": wh.read(f"SELECT id FROM {wh.table_ref('sizes')} WHERE product_id IN ({ids})")["id"].tolist()}


ASSETS = [catalog, displays_and_prices]
