"""Which markets to sync: configuration applied to Centra's markets (pure; no I/O).

An empty selection means every active, non-test market. A market the configuration names
explicitly that is inactive, or looks like a test market, is refused with an error naming it,
unless `allow_inactive` / `allow_test` says otherwise; when no market is named, such markets are
skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from centra_pipelines.mapping.flatten import TEST_MARKET, market_is_active


class MarketSelectionError(ValueError):
    """The configured market selection cannot be honoured."""


@dataclass(frozen=True)
class MarketSelection:
    stores: tuple[str, ...] = ()  # store names or ids; empty: every store
    markets: tuple[str, ...] = ()  # market names or ids; empty: every active, non-test market
    allow_inactive: bool = False
    allow_test: bool = False


@dataclass
class SelectedMarkets:
    ids: list[int]
    skipped: dict[int, str] = field(default_factory=dict)  # market id -> why it was left out


def _matches(obj: dict, wanted: tuple[str, ...]) -> bool:
    names = {w.strip().casefold() for w in wanted}
    return str(obj["id"]) in names or (obj.get("name") or "").casefold() in names


def select_markets(markets: list[dict], pricelists: list[dict], selection: MarketSelection) -> SelectedMarkets:
    known_stores = {m["store"]["id"]: m["store"] for m in markets if m.get("store")}
    if selection.stores:
        unknown = [s for s in selection.stores if not any(_matches(st, (s,)) for st in known_stores.values())]
        if unknown:
            raise MarketSelectionError(f"market selection names stores Centra does not have: {', '.join(unknown)}; "
                                       f"known stores: {', '.join(st['name'] for st in known_stores.values())}")
    in_stores = [m for m in markets if not selection.stores or _matches(m["store"], selection.stores)]
    if selection.markets:
        unknown = [w for w in selection.markets if not any(_matches(m, (w,)) for m in in_stores)]
        if unknown:
            raise MarketSelectionError(f"market selection names markets Centra does not have (in the selected "
                                       f"stores): {', '.join(unknown)}")
    chosen, skipped, refused = [], {}, []
    for market in in_stores:
        named = bool(selection.markets) and _matches(market, selection.markets)
        if selection.markets and not named:
            continue
        problems = []
        if not selection.allow_inactive and not market_is_active(market, pricelists):
            problems.append("inactive (no countries or no active pricelist)")
        if not selection.allow_test and TEST_MARKET.search(market.get("name") or ""):
            problems.append("looks like a test market")
        if not problems:
            chosen.append(market["id"])
        elif named:
            refused.append(f"market {market['name']!r} (id {market['id']}) is {' and '.join(problems)}")
        else:
            skipped[market["id"]] = " and ".join(problems)
    if refused:
        raise MarketSelectionError("; ".join(refused) + ". Set allow_inactive / allow_test to sync it anyway.")
    return SelectedMarkets(sorted(chosen), skipped)


def select_warehouses(warehouses: list[dict], wanted: tuple[str, ...] | list[str]) -> SelectedMarkets:
    """The warehouses whose stock is synced: the named ones (names or ids), else every ACTIVE one."""
    names = {w.strip().casefold() for w in wanted if w.strip()}
    if names:
        unknown = names - {str(w["id"]) for w in warehouses} - {(w.get("name") or "").casefold() for w in warehouses}
        if unknown:
            raise MarketSelectionError(f"warehouse selection names warehouses Centra does not have: "
                                       f"{', '.join(sorted(unknown))}")
        return SelectedMarkets(sorted(w["id"] for w in warehouses if _matches(w, tuple(names))))
    chosen = [w["id"] for w in warehouses if w.get("status") in (None, "ACTIVE")]
    skipped = {w["id"]: f"status {w['status']}" for w in warehouses if w["id"] not in chosen}
    return SelectedMarkets(sorted(chosen), skipped)
