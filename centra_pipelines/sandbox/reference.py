"""A brand's reference data: stores, currencies (and money in them), countries, languages, markets with
their pricelists, warehouses and size charts. Small and eager; everything else refers to it."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from .seeding import moment

if TYPE_CHECKING:
    from .catalog import Catalog

# code, name, minor units, SEK per unit (base currency SEK)
CURRENCIES = [
    ("SEK", "Swedish krona", 2, 1.0),
    ("EUR", "Euro", 2, 11.2),
    ("USD", "US dollar", 2, 10.4),
    ("GBP", "Pound sterling", 2, 13.1),
    ("NOK", "Norwegian krone", 2, 0.97),
    ("DKK", "Danish krone", 2, 1.5),
    ("JPY", "Japanese yen", 0, 0.069),
]
COUNTRIES = [  # code, name, continent, isEU
    ("SE", "Sweden", "Europe", True), ("NO", "Norway", "Europe", False), ("DK", "Denmark", "Europe", True),
    ("FI", "Finland", "Europe", True), ("DE", "Germany", "Europe", True), ("FR", "France", "Europe", True),
    ("NL", "Netherlands", "Europe", True), ("GB", "United Kingdom", "Europe", False),
    ("US", "United States", "North America", False), ("JP", "Japan", "Asia", False),
]
LANGUAGES = [("sv", "Swedish", "SE"), ("en", "English", "GB"), ("de", "German", "DE"), ("ja", "Japanese", "JP")]
STORES = [(1, "Retail", "DIRECT_TO_CONSUMER"), (2, "Wholesale", "WHOLESALE")]
MARKETS = [  # name, store (index into STORES), countries, currency, active
    ("Sweden", 0, ["SE"], "SEK", True), ("Norway", 0, ["NO"], "NOK", True),
    ("Denmark", 0, ["DK"], "DKK", True), ("Europe", 0, ["FI", "DE", "FR", "NL"], "EUR", True),
    ("United Kingdom", 0, ["GB"], "GBP", True), ("USA", 0, ["US"], "USD", True),
    ("Japan", 0, ["JP"], "JPY", True), ("Outlet (closed)", 0, [], "SEK", False),
    ("TEST market", 0, ["SE"], "SEK", True),
    ("Wholesale Nordics", 1, ["SE", "NO", "DK", "FI"], "SEK", True),
    ("Wholesale Europe", 1, ["DE", "FR", "NL", "GB"], "EUR", True),
]
DEFAULT_FOR_CURRENCY = ("Sweden", "Europe", "USA", "United Kingdom", "Norway", "Denmark", "Japan")
WAREHOUSES = [  # name, status, stock master, allocation policy, threshold, country, zip code
    ("Stockholm DC", "ACTIVE", "INTERNAL", "INSTANT", 0, "SE", "11122"),
    ("Rotterdam 3PL", "ACTIVE", "EXTERNAL", "INSTANT", 2, "NL", "3011"),
    ("Store Stockholm", "ACTIVE", "INTERNAL", "CHECK_FIRST", 1, "SE", "11135"),
    ("Old Malmö DC", "INACTIVE", "INTERNAL", "INSTANT", 0, "SE", "21119"),
]
SIZE_CHARTS = [  # name, sizes (name, sizeNumber), weight when picking a chart
    ("One size", [("OS", "OS")], 1),
    ("Apparel XS-XL", [(s, s) for s in ("XS", "S", "M", "L", "XL")], 5),
    ("Shoes EU 36-46", [(str(n), f"{n:03d}") for n in range(36, 47)], 2),
    ("Jeans W28-W36", [(f"W{n}", f"W{n}") for n in (28, 29, 30, 31, 32, 33, 34, 36)], 2),
    ("Kids 98-140", [(str(n), f"K{n}") for n in (98, 104, 110, 116, 122, 128, 134, 140)], 1),
]


def money(minor: int, currency: dict) -> dict:
    """A MonetaryValue from an amount in the currency's minor units (JPY has none)."""
    decimals = currency["_decimals"]
    value = minor / (10 ** decimals) if decimals else float(minor)
    return {
        "value": value,
        "currency": currency,
        "formattedValue": f"{value:,.{decimals}f} {currency['code']}",
        "valueInCents": minor,
        "conversionRate": currency["_rate"],
    }


def build(cat: Catalog, rng: random.Random) -> None:
    """All reference data; draws from `rng` only for the pricelists' update times."""
    cat.currencies = [
        {"id": i, "code": code, "name": name, "isBase": code == "SEK", "_decimals": dec, "_rate": rate}
        for i, (code, name, dec, rate) in enumerate(CURRENCIES, start=1)
    ]
    cat.countries = [
        {"id": i, "code": code, "name": name, "continent": cont, "isEU": eu, "states": [], "translations": []}
        for i, (code, name, cont, eu) in enumerate(COUNTRIES, start=1)
    ]
    cat.languages = [
        {"id": i, "code": code, "name": name, "languageCode": code, "countryCode": cc, "isActive": code != "ja"}
        for i, (code, name, cc) in enumerate(LANGUAGES, start=1)
    ]
    cat.stores = [{"id": i, "name": name, "type": type_} for i, name, type_ in STORES]
    _markets_and_pricelists(cat, rng)
    country = {c["code"]: c for c in cat.countries}
    cat.warehouses = [
        {"__typename": "Warehouse", "id": i, "name": name, "status": status, "stockMaster": master, "stockOwnership": "OWN",
         "allocationPolicy": policy, "isConsignation": False, "isHiddenFromStockView": status != "ACTIVE",
         "threshold": threshold, "country": country[cc], "state": None, "zipCode": zipc, "_stocked": status == "ACTIVE"}
        for i, (name, status, master, policy, threshold, cc, zipc) in enumerate(WAREHOUSES, start=1)
    ]
    _size_charts(cat)
    cat.brands = [{"id": 1, "name": "Nordvik"}, {"id": 2, "name": "Nordvik Kids"}]


def _markets_and_pricelists(cat: Catalog, rng: random.Random) -> None:
    """One pricelist per market (each market's `_pricelist`, each pricelist's `_market`)."""
    anchor = cat.now - timedelta(days=900)
    country = {c["code"]: c for c in cat.countries}
    dtc, wholesale = cat.stores
    for i, (name, store_index, codes, cur, active) in enumerate(MARKETS, start=1):
        store = cat.stores[store_index]
        market = {
            "__typename": "Market", "id": i, "name": name, "comment": None if active else "Closed 2025; kept for history.",
            "store": store, "assignedToCountries": [country[c] for c in codes],
            "allocationRule": {"id": 1 if store is dtc else 2, "name": "Default DTC" if store is dtc else "Wholesale"},
            "campaigns": [], "displays": [], "externalId": f"MKT-{i}",
            "_active": active, "_test": "TEST" in name.upper(), "_currency": cur,
        }
        cat.markets.append(market)
        cat.pricelists.append({
            "__typename": "Pricelist", "id": i, "name": f"{name} {cur}" + (" wholesale" if store is wholesale else ""),
            "status": "ACTIVE" if active else "INACTIVE", "comment": None,
            "isDefaultForCurrency": name in DEFAULT_FOR_CURRENCY,
            "currency": cat.currency(cur), "store": store, "assignedToCountries": market["assignedToCountries"],
            "defaultShippingOption": {"id": 1, "name": "Standard", "uri": "standard"},
            "updatedAt": moment(anchor, rng, timedelta(days=800)), "_market": market,
        })
        market["_pricelist"] = cat.pricelists[-1]


def _size_charts(cat: Catalog) -> None:
    size_id = 1
    for i, (name, sizes, _) in enumerate(SIZE_CHARTS, start=1):
        chart = {"id": i, "name": name, "sizes": [], "externalId": f"SC-{i}", "_numbers": []}
        for size_name, number in sizes:
            chart["sizes"].append({"id": size_id, "name": size_name, "sizeChart": chart,
                                   "externalId": f"{name}|{size_name}"})
            chart["_numbers"].append(number)
            size_id += 1
        cat.size_charts.append(chart)
