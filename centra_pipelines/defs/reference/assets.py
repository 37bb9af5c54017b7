"""Reference data: stores, markets, pricelists, warehouses, currencies, languages, countries.

Small lists, pulled whole on every run, all in one request with the other small lists loaded whole
(catalog structure: structure.py; wholesale accounts: wholesale.py; assembled in definitions.py).
`markets` and `warehouses` apply the configured selection (`markets.selected`; the `warehouse`
dynamic partitions). The UI groups stay markets, catalog, catalog_structure and wholesale.
"""


from collections.abc import Sequence

import dagster as dg
from pydantic import Field

from centra_pipelines import config as settings
from centra_pipelines.centra.lists import pull_lists
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter
from centra_pipelines.defs.partitions import partition_key, sync_partitions, warehouse_partitions
from centra_pipelines.defs.pulls import KINDS, POOL, ReferenceList
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.mapping import flatten
from centra_pipelines.mapping.markets import MarketSelection, MarketSelectionError, select_markets, select_warehouses
from centra_pipelines.warehouse.model import (
    COUNTRIES,
    CURRENCIES,
    LANGUAGES,
    MARKETS,
    PRICELISTS,
    SIZE_CHARTS,
    STORES,
    WAREHOUSES,
)

GROUP = "markets"


_DESCRIPTIONS = {
    "stores": "Centra stores (direct-to-consumer and wholesale).",
    "markets": "Centra markets, with `selected` saying which ones this project syncs (configuration), and "
               "`is_active` / `looks_like_test` as judged from Centra's data. Displays and prices are synced "
               "for the selected markets.",
    "pricelists": "Pricelists with currency, store and countries.",
    "warehouses": "Centra warehouses; the selected ones (default: every ACTIVE warehouse) are the `warehouse` "
                  "partitions of stock_levels.",
    "currencies": "Currencies, with the base currency flagged.",
    "languages": "Languages.",
    "countries": "Countries with their EU flag.",
    "size_charts": "Size charts with their sizes in order.",
}
REFERENCE_TABLES = [STORES, MARKETS, PRICELISTS, WAREHOUSES, CURRENCIES, LANGUAGES, COUNTRIES, SIZE_CHARTS]


class ReferenceConfig(dg.Config):
    """Which markets and warehouses to sync. Unset lists fall back to CENTRA_STORES / CENTRA_MARKETS /
    CENTRA_WAREHOUSES (comma-separated names or ids); empty means every active, non-test market of
    every store and every ACTIVE warehouse."""

    stores: list[str] | None = Field(default=None, description="Store names or ids")
    markets: list[str] | None = Field(default=None, description="Market names or ids")
    allow_inactive: bool = Field(default=False, description="Sync a named market even if it is inactive")
    allow_test: bool = Field(default=False, description="Sync a named market even if it looks like a test market")
    warehouses: list[str] | None = Field(default=None, description="Warehouse names or ids")


def reference_lists_asset(more: Sequence[ReferenceList] = ()) -> dg.AssetsDefinition:
    """The `reference_lists` multi-asset: the reference lists and `more` (the small lists other domains
    load whole: catalog structure, wholesale accounts), all in ONE request (centra/lists.py)."""
    more_by_name = {item.table.name: item for item in more}

    @dg.multi_asset(
        specs=[*(dg.AssetSpec(t.name, group_name="catalog" if t is SIZE_CHARTS else GROUP, kinds=KINDS,
                              skippable=True, description=_DESCRIPTIONS[t.name] + " Full pull each run.")
                 for t in REFERENCE_TABLES), *(item.spec for item in more)],
        check_specs=[*(contract_check_spec(t) for t in REFERENCE_TABLES),
                     *(spec for item in more for spec in item.all_check_specs())],
        can_subset=True,
        pool=POOL,
    )
    def reference_lists(context: dg.AssetExecutionContext, config: ReferenceConfig, centra: CentraResource,
                        warehouse: WarehouseResource):
        """Every reference list in ONE request (centra/lists.py); the market and warehouse selections applied
        (the selected warehouses are the `warehouse` partitions). A list the token may not read (an
        optional one) loads nothing and warns on its `permission` check."""
        selected = {key.to_user_string() for key in context.selected_asset_keys}
        tables = [t for t in REFERENCE_TABLES if t.name in selected]
        others = [item for name, item in more_by_name.items() if name in selected]
        with centra.get_client() as client, warehouse.connect() as wh:
            # table name = list stream name; markets are judged with their pricelists
            lists = pull_lists(client, [t.name for t in tables] + [item.table.name for item in others]
                               + (["pricelists"] if "markets" in selected and "pricelists" not in selected else []))
            rows = lists.rows
            frames, extra, checks = {}, {}, {}
            if "markets" in selected:
                chosen = _selected_markets(context, config, rows["markets"], rows["pricelists"])
                frames["markets"] = flatten.markets(rows["markets"], rows["pricelists"], set(chosen))
                extra["markets"] = {"selected_markets": chosen}
            if "warehouses" in selected:
                chosen = _selected_warehouses(config, rows["warehouses"])
                frames["warehouses"] = flatten.warehouses(rows["warehouses"], set(chosen))
                names = {r["id"]: r["name"] for r in rows["warehouses"]}
                changes = sync_partitions(context.instance, warehouse_partitions,
                                          [partition_key(i, names.get(i)) for i in chosen])
                extra["warehouses"] = {"selected_warehouses": chosen, "partitions_added": changes["added"],
                                       "partitions_removed": changes["removed"]}
            for table in tables:
                if table.name not in frames:
                    frames[table.name] = PLAIN[table.name](rows[table.name])
            for item in others:
                name = item.table.name
                refused = lists.refused.get(name)
                if refused is not None:
                    context.log.warning(f"{name}: nothing loaded: {refused}")
                frames[name] = item.flatten(rows.get(name, []))
                checks[name] = item.check_results(frames[name], refused)
            writer = StreamWriter(wh, "reference_lists", None, [*tables, *(item.table for item in others)])
            writer.write(frames)
            yield from materialize_results(writer, client.stats, checks=checks, by_table=extra)

    return reference_lists


PLAIN = {"stores": flatten.stores, "pricelists": flatten.pricelists, "currencies": flatten.currencies,
         "languages": flatten.languages, "countries": flatten.countries, "size_charts": flatten.size_charts}


def _selected_markets(context, config: ReferenceConfig, market_rows: list[dict], pricelist_rows: list[dict]) -> list[int]:
    selection = MarketSelection(
        stores=tuple(config.stores if config.stores is not None else settings.list_value("CENTRA_STORES")),
        markets=tuple(config.markets if config.markets is not None else settings.list_value("CENTRA_MARKETS")),
        allow_inactive=config.allow_inactive, allow_test=config.allow_test,
    )
    try:
        chosen = select_markets(market_rows, pricelist_rows, selection)
    except MarketSelectionError as error:
        raise dg.Failure(description=str(error)) from None
    for market_id, why in chosen.skipped.items():
        name = next(m["name"] for m in market_rows if m["id"] == market_id)
        context.log.info(f"market {name!r} (id {market_id}) not synced: {why}")
    return list(chosen.ids)


def _selected_warehouses(config: ReferenceConfig, rows: list[dict]) -> list[int]:
    wanted = config.warehouses if config.warehouses is not None else settings.list_value("CENTRA_WAREHOUSES")
    try:
        return sorted(select_warehouses(rows, wanted).ids)
    except MarketSelectionError as error:
        raise dg.Failure(description=str(error)) from None


