"""The catalog: products → variants → sizes from one nested page stream, and the selected markets'
displays with their prices per pricelist.

The first sync is a full pull; later ones are incremental by (updatedAt, id) where the API offers
an updatedAt filter, else a fresh id-ordered pull. Every page commits with its cursor, so a killed
run re-executed continues at the next uncommitted page.
"""

from datetime import datetime, timedelta, timezone

import dagster as dg
import pandas as pd
from pydantic import Field

from centra_pipelines.centra import queries
from centra_pipelines.centra.events import EventQueue
from centra_pipelines.centra.resume import SavedCursor, Start, resume
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.pulls import KINDS, POOL, pull_all
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import mapping_or_fail
from centra_pipelines.mapping import flatten
from centra_pipelines.mapping.content import content_gaps, market_languages
from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.model import (
    DISPLAYS,
    PRICES,
    PRODUCTS,
    PRODUCT_CATEGORIES,
    PRODUCT_MEDIA,
    SIZES,
    TRANSLATIONS,
    VARIANTS,
)
from centra_pipelines.warehouse.reads import catalog as catalog_reads

GROUP = "catalog"
PAGE_CAP = 200  # Centra: "Limit must be in range 1 - 200"

CATALOG_TABLES = [PRODUCTS, VARIANTS, SIZES, PRODUCT_MEDIA, TRANSLATIONS]
CONTENT_COMPLETENESS = "content_completeness"
CATEGORY_LINKS = "category_links"
FIRST_CASES = 20

_DESCRIPTIONS = {
    "products": "Centra products (one row per product): status, product number, size chart, times in UTC.",
    "variants": "Product variants (by colour): variant number, status; updated with their product's page.",
    "sizes": "Sizes of each variant: SKU (product + variant + size number), EAN/GTIN, size name and chart.",
    "product_media": "Product images in Centra's order (position 0 first): URL, MIME type, size name and maximum "
                     "width/height of the default source; updated with their product's page.",
    "translations": "Translations, one row per object, field and language (objects: products); updated with "
                    "their product's page.",
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
        at = resume(writer.cursor(), plan.mode, context.log)
        queue = EventQueue(client) if plan.event_object_type else None
        if queue is not None:
            # Subscribe before pulling, so that changes made during the pull wait in the queue.
            queue.listen([plan.event_object_type])
            if at.kind is Start.AGAIN:  # a finished page-mode pull: the queue holds what changed since
                yield from _apply_product_events(context, client, writer, queue, plan.event_object_type)
                return
        cursor = at.cursor
        since = cursor.last_updated_at if cursor is not None else None
        where = {"updatedAt": {"from": since}} if since and plan.updated_at_filter else None
        # The count is for progress on a pull from the start; an incremental pull is usually one page.
        expected = client.execute(queries.PRODUCT_COUNT, {"where": where} if where else {}).data["counters"]["products"] \
            if cursor is None else None
        of = f" of ~{expected}" if expected is not None else ""
        context.log.info(f"products: {plan.mode} pull ({plan.reason}); "
                         f"{at.describe()}"
                         + (f"; ~{expected} products" if expected is not None else ""))
        rows = 0
        with writer.paging():
            for page in client.pages("products", cursor=cursor):
                rows += len(page.rows)
                if writer.write(flatten.catalog(page.rows), {"products": SavedCursor(page.cursor)}, more=not page.done):
                    context.log.info(f"products: page {page.number} committed, {rows}{of} products")
        yield from materialize_results(writer, client.stats, mode=plan.mode,
                                       **({"expected_products": expected} if expected is not None else {}))


def _apply_product_events(context, client, writer: StreamWriter, queue: EventQueue, object_type: str):
    """Page mode after a full pull: the changes Centra queued since, re-fetched by id and upserted;
    deletions set `deleted_at` on the product, its variants and sizes. Events are confirmed only
    after the warehouse committed, so a crash in between means a harmless redelivery."""
    events_applied = 0
    while events := queue.pull([object_type]):
        deleted = {e.reference for e in events if e.change_type == "DELETED"}
        changed = sorted({e.reference for e in events} - deleted)
        writer.write(flatten.catalog(fetch_products(client, changed)),
                     deleted=catalog_reads.product_rows(writer.warehouse, sorted(deleted)))
        queue.confirm(events)
        events_applied += len(events)
        context.log.info(f"products: {len(events)} queued changes applied ({len(changed)} re-fetched, "
                         f"{len(deleted)} deleted)")
    yield from materialize_results(writer, client.stats, mode="events", events_applied=events_applied)


class DisplaysConfig(dg.Config):
    full_pull: bool = Field(default=False, description="Re-pull every display of the selected markets, not only "
                                                        "those changed since the last pull")


@dg.multi_asset(
    specs=[
        dg.AssetSpec("displays", group_name=GROUP, kinds=KINDS, deps=["markets", "products"],
                     description="Displays of the selected markets: one row per market showing the display."),
        dg.AssetSpec("prices", group_name=GROUP, kinds=KINDS, deps=["markets", "pricelists", "products"],
                     description="Prices of the selected markets' displays, one row per pricelist (not per market: "
                                 "Centra sets a price per product and pricelist), in the pricelist's currency."),
        dg.AssetSpec("product_categories", group_name="catalog_structure", kinds=KINDS, deps=["categories"],
                     description="The categories of each display (Centra links categories to displays, and a "
                                 "display to its product), canonical one marked; written with the displays."),
    ],
    check_specs=[contract_check_spec(DISPLAYS), contract_check_spec(PRICES), contract_check_spec(PRODUCT_CATEGORIES),
                 dg.AssetCheckSpec(CONTENT_COMPLETENESS, asset="displays", blocking=False,
                                   additional_deps=["product_media", "translations", "languages"],
                                   description="Every active product displayed in a selected market has at least one "
                                               "image and a name in each of the market's languages; failures list "
                                               "the missing (market, product, image or name:<language>) pairs."),
                 dg.AssetCheckSpec(CATEGORY_LINKS, asset="product_categories", blocking=False,
                                   description="Every category a display links is in the category tree (else the "
                                               "link is an orphan).")],
    pool=POOL,
)
def displays_and_prices(context: dg.AssetExecutionContext, config: DisplaysConfig, centra: CentraResource,
                        warehouse: WarehouseResource):
    """Displays of every selected market and their prices, from one page stream: resumable pages,
    incremental where possible. A changed market selection (or `full_pull`) starts a full pull."""
    lookback = timedelta(days=mapping_or_fail().sync.lookback_days)
    with centra.get_client() as client, warehouse.connect() as wh:
        wh.ensure_tables([model.MARKETS])
        markets = catalog_reads.selected_market_ids(wh)
        if not markets:
            raise dg.Failure(description="no market is selected in the warehouse: run reference_and_catalog_job first")
        writer = StreamWriter(wh, "displays", None, [DISPLAYS, PRICES, PRODUCT_CATEGORIES])
        plan = client.capabilities().plan("displays")
        saved = writer.cursor()
        same = saved is not None and saved.markets == tuple(markets) and not config.full_pull
        if saved is not None and saved.markets != tuple(markets):
            context.log.info(f"displays: the market selection changed ({list(saved.markets or [])} -> {markets}); "
                             "full pull")
        cursor = resume(saved if same else None, plan.mode, context.log).cursor
        # Pages mode (Centra sorts displays by id only): where Centra filters displays by updatedAt, a
        # finished pull is followed by one of the displays changed since the latest change it saw,
        # minus the mapping's lookback, as the customers' windows do; else every display again.
        since = None
        if same and plan.mode == "pages":
            if cursor is not None:
                since = saved.since
            elif plan.updated_at_filter and saved.latest:
                since = (_moment(saved.latest) - lookback).isoformat()
        latest = saved.latest if same else None
        where = {"marketId": markets, **({"updatedAt": {"from": since}} if since else {})}
        context.log.info(f"displays of markets {markets}: {plan.mode} mode, "
                         + (f"changed since {since}" if since else "resuming" if cursor else "every display"))
        with writer.paging():
            for page in client.pages("displays", cursor=cursor, where=where):
                moments = [_moment(r["updatedAt"]) for r in page.rows if r.get("updatedAt")]
                if moments:
                    latest = max([*moments, *([_moment(latest)] if latest else [])]).isoformat()
                state = SavedCursor(page.cursor, markets=tuple(markets), since=since, latest=latest)
                if writer.write(flatten.displays_and_prices(page.rows, set(markets)), {"displays": state},
                                more=not page.done):
                    context.log.info(f"displays of markets {markets}: page {page.number} committed")
        checks = {"displays": [_content_completeness(wh, markets)], "product_categories": [_category_links(wh)]}
        yield from materialize_results(writer, client.stats, checks=checks, mode=plan.mode, markets=markets,
                                       changed_since=since or "")



def _content_completeness(wh, market_ids: list[int]) -> dg.AssetCheckResult:
    """Each selected market's active, displayed, active products without an image or a name in one of the
    market's languages (counted in the warehouse, market by market, so memory stays flat)."""
    wh.ensure_tables([model.PRODUCTS, model.PRODUCT_MEDIA, model.TRANSLATIONS, model.LANGUAGES, model.MARKETS])
    found = [_market_content_gaps(wh, market_id) for market_id in market_ids]
    gaps = pd.concat([g for g, _, _ in found], ignore_index=True) if found else pd.DataFrame(columns=["missing"])
    return dg.AssetCheckResult(
        asset_key="displays", check_name=CONTENT_COMPLETENESS, passed=gaps.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"markets": market_ids,
                  "languages": "; ".join(f"{m}: {', '.join(langs) or 'none beyond the default'}"
                                         for m, (_, langs, _) in zip(market_ids, found)),
                  "products_checked": sum(n for _, _, n in found),
                  "products_without_image": int((gaps["missing"] == "image").sum()),
                  "missing_names": int((gaps["missing"] != "image").sum()),
                  "first_missing": dg.MetadataValue.md(gaps.head(FIRST_CASES).to_markdown(index=False))
                  if not gaps.empty else "none"},
    )


def _market_content_gaps(wh, market_id: int) -> tuple[pd.DataFrame, list[str], int]:
    """(missing pairs with the market, the market's languages, products checked) for one market."""
    languages = market_languages(catalog_reads.market_country_codes(wh, market_id), catalog_reads.live_languages(wh))
    displayed = catalog_reads.displayed_products(wh, market_id)
    images = catalog_reads.displayed_image_counts(wh, market_id)
    names = catalog_reads.displayed_name_languages(wh, market_id)
    gaps = content_gaps(displayed, images, names, languages)
    return gaps.assign(market_id=market_id)[["market_id", *gaps.columns]], languages, len(displayed)


def _category_links(wh) -> dg.AssetCheckResult:
    wh.ensure_tables([model.CATEGORIES])
    orphans = catalog_reads.orphan_category_links(wh)
    return dg.AssetCheckResult(
        asset_key="product_categories", check_name=CATEGORY_LINKS, passed=orphans.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"orphan_links": len(orphans), "unlisted_categories": orphans["category_id"].nunique(),
                  "first_orphans": dg.MetadataValue.md(orphans.head(FIRST_CASES).to_markdown(index=False))
                  if not orphans.empty else "none"},
    )


def _moment(value: str) -> datetime:
    """An updatedAt as an instant; a time without offset (some stores render local time) read as UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def fetch_products(client, ids: list[int]) -> list[dict]:
    """Products (nested with variants and sizes) by id, a page cap of ids per request."""
    return [row for start in range(0, len(ids), PAGE_CAP)
            for row in pull_all(client, "products", where={"id": ids[start:start + PAGE_CAP]})]


ASSETS = [catalog, displays_and_prices]
