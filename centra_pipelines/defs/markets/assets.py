"""Reference data: stores, markets, pricelists, warehouses, currencies, languages, countries.

Small lists, pulled whole on every run. `markets` and `warehouses` apply the configured selection
and keep the `market` and `warehouse` dynamic partitions equal to it.
"""

import dagster as dg
from pydantic import Field

from centra_pipelines import config as settings
from centra_pipelines.defs.checks import contract_check_spec, materialize_results
from centra_pipelines.defs.loading import StreamWriter, Table
from centra_pipelines.defs.markets.partitions import (market_partitions, partition_key, sync_partitions,
                                                    warehouse_partitions)
from centra_pipelines.defs.pulls import KINDS, POOL, pull_all, reference_asset
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.mapping import flatten
from centra_pipelines.mapping.markets import MarketSelection, MarketSelectionError, select_markets, select_warehouses
from centra_pipelines.schemas import catalog as contracts
from centra_pipelines.warehouse import model

GROUP = "markets"

STORES = Table(model.STORES, contracts.Stores)
MARKETS = Table(model.MARKETS, contracts.Markets)
PRICELISTS = Table(model.PRICELISTS, contracts.Pricelists)
WAREHOUSES = Table(model.WAREHOUSES, contracts.Warehouses)
CURRENCIES = Table(model.CURRENCIES, contracts.Currencies)
LANGUAGES = Table(model.LANGUAGES, contracts.Languages)
COUNTRIES = Table(model.COUNTRIES, contracts.Countries)


stores = reference_asset(STORES, "stores", flatten.stores, group=GROUP,
                         description="Centra stores (direct-to-consumer and wholesale). Full pull each run.")
pricelists = reference_asset(PRICELISTS, "pricelists", flatten.pricelists, group=GROUP,
                             description="Pricelists with currency, store and countries. Full pull each run.")
currencies = reference_asset(CURRENCIES, "currencies", flatten.currencies, group=GROUP,
                             description="Currencies, with the base currency flagged. Full pull each run.")
languages = reference_asset(LANGUAGES, "languages", flatten.languages, group=GROUP,
                            description="Languages. Full pull each run.")
countries = reference_asset(COUNTRIES, "countries", flatten.countries, group=GROUP,
                            description="Countries with their EU flag. Full pull each run.")


class MarketSelectionConfig(dg.Config):
    """Which markets to sync. Unset lists fall back to CENTRA_STORES / CENTRA_MARKETS (comma-separated
    names or ids); empty means every active, non-test market of every store."""

    stores: list[str] | None = Field(default=None, description="Store names or ids")
    markets: list[str] | None = Field(default=None, description="Market names or ids")
    allow_inactive: bool = Field(default=False, description="Sync a named market even if it is inactive")
    allow_test: bool = Field(default=False, description="Sync a named market even if it looks like a test market")


@dg.asset(group_name=GROUP, kinds=KINDS, pool=POOL, check_specs=[contract_check_spec(MARKETS)])
def markets(context: dg.AssetExecutionContext, config: MarketSelectionConfig, centra: CentraResource,
            warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Centra markets, with `selected` saying which ones this project syncs (configuration), and
    `is_active` / `looks_like_test` as judged from Centra's data. The selected markets are the
    `market` partitions of prices and displays. Full pull each run."""
    selection = MarketSelection(
        stores=tuple(config.stores if config.stores is not None else settings.list_value("CENTRA_STORES")),
        markets=tuple(config.markets if config.markets is not None else settings.list_value("CENTRA_MARKETS")),
        allow_inactive=config.allow_inactive, allow_test=config.allow_test,
    )
    with centra.get_client() as client, warehouse.connect() as wh:
        market_rows, pricelist_rows = pull_all(client, "markets"), pull_all(client, "pricelists")
        try:
            chosen = select_markets(market_rows, pricelist_rows, selection)
        except MarketSelectionError as error:
            raise dg.Failure(description=str(error)) from None
        for market_id, why in chosen.skipped.items():
            name = next(m["name"] for m in market_rows if m["id"] == market_id)
            context.log.info(f"market {name!r} (id {market_id}) not synced: {why}")
        writer = StreamWriter(wh, "markets", None, [MARKETS])
        writer.write({"markets": flatten.markets(market_rows, pricelist_rows, set(chosen.ids))})
        names = {m["id"]: m["name"] for m in market_rows}
        changes = sync_partitions(context.instance, market_partitions,
                                  [partition_key(i, names.get(i)) for i in chosen.ids])
        [result] = materialize_results(writer, client.stats, selected_markets=chosen.ids,
                                       partitions_added=changes["added"], partitions_removed=changes["removed"])
        return result


class WarehouseSelectionConfig(dg.Config):
    """Which warehouses' stock to sync; unset falls back to CENTRA_WAREHOUSES; empty: every ACTIVE one."""

    warehouses: list[str] | None = Field(default=None, description="Warehouse names or ids")


@dg.asset(group_name=GROUP, kinds=KINDS, pool=POOL, check_specs=[contract_check_spec(WAREHOUSES)])
def warehouses(context: dg.AssetExecutionContext, config: WarehouseSelectionConfig, centra: CentraResource,
               warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Centra warehouses; the selected ones (default: every ACTIVE warehouse) are the `warehouse`
    partitions of stock_levels. Full pull each run."""
    wanted = config.warehouses if config.warehouses is not None else settings.list_value("CENTRA_WAREHOUSES")
    with centra.get_client() as client, warehouse.connect() as wh:
        rows = pull_all(client, "warehouses")
        try:
            chosen = select_warehouses(rows, wanted).ids
        except MarketSelectionError as error:
            raise dg.Failure(description=str(error)) from None
        writer = StreamWriter(wh, "warehouses", None, [WAREHOUSES])
        writer.write({"warehouses": flatten.warehouses(rows, set(chosen))})
        names = {r["id"]: r["name"] for r in rows}
        changes = sync_partitions(context.instance, warehouse_partitions,
                                  [partition_key(i, names.get(i)) for i in sorted(chosen)])
        [result] = materialize_results(writer, client.stats, selected_warehouses=sorted(chosen),
                                       partitions_added=changes["added"], partitions_removed=changes["removed"])
        return result


ASSETS = [stores, markets, pricelists, warehouses, currencies, languages, countries]
