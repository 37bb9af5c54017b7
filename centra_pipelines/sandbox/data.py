"""Deterministic, seeded generator of a Centra-like brand: reference data, catalog, customers, orders.

Same (seed, scale, now) -> same data. Objects are dicts keyed by GraphQL field names so graphql-core's
default resolver serves them directly; keys starting with "_" are sandbox bookkeeping.

The catalog is lazy: a product (with its variants, sizes, prices, displays and stock) is generated on
demand from (seed, product id), so the `large` scale (>= 50,000 products, >= 1,000,000 sizes) starts
in seconds with bounded memory. Only a small header per product (what list filters and sorts need)
is kept for every product; products that advance() changed live in `Catalog.overrides`.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from . import structure

SCALES: dict[str, dict[str, int]] = {
    "tiny": {"products": 20, "customers": 30, "orders": 40, "vouchers": 6, "accounts": 3},
    "small": {"products": 300, "customers": 400, "orders": 600, "vouchers": 20, "accounts": 8},
    "medium": {"products": 5_000, "customers": 4_000, "orders": 6_000, "vouchers": 50, "accounts": 30},
    "large": {"products": 60_000, "customers": 10_000, "orders": 12_000, "vouchers": 100, "accounts": 60},
}

QUIRK_RATE = 0.015  # share of rows deliberately spoiled, as real catalogs are
VARIANT_ID_STRIDE = 8  # variant id = product id * 8 + index: ids computable without generating
SIZE_ID_STRIDE = 16  # size id = variant id * 16 + position in the size chart
PRODUCT_CACHE = 4096  # generated products kept in memory (LRU)

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
SIZE_CHARTS = [  # name, sizes (name, sizeNumber), weight when picking a chart
    ("One size", [("OS", "OS")], 1),
    ("Apparel XS-XL", [(s, s) for s in ("XS", "S", "M", "L", "XL")], 5),
    ("Shoes EU 36-46", [(str(n), f"{n:03d}") for n in range(36, 47)], 2),
    ("Jeans W28-W36", [(f"W{n}", f"W{n}") for n in (28, 29, 30, 31, 32, 33, 34, 36)], 2),
    ("Kids 98-140", [(str(n), f"K{n}") for n in (98, 104, 110, 116, 122, 128, 134, 140)], 1),
]
COLOURS = [("Black", "BLK"), ("White", "WHT"), ("Navy", "NVY"), ("Olive", "OLV"), ("Sand", "SND"),
           ("Red", "RED"), ("Grey melange", "GRM"), ("Forest", "FRS"), ("Rust", "RST"), ("Sky", "SKY")]
ADJECTIVES = ["Classic", "Relaxed", "Slim", "Organic", "Heavy", "Light", "Cropped", "Oversized", "Merino",
              "Recycled", "Linen", "Technical", "Vintage", "Ribbed", "Padded"]
NOUNS = ["T-shirt", "Hoodie", "Jeans", "Sneaker", "Boot", "Parka", "Shirt", "Chino", "Sweater", "Cap",
         "Dress", "Skirt", "Blazer", "Sock", "Scarf", "Trench", "Polo", "Cardigan"]
FIRST_NAMES = ["Anna", "Erik", "Maja", "Lars", "Sofia", "Johan", "Emma", "Oskar", "Ida", "Nils", "Yuki",
               "Hans", "Claire", "Tom", "Ingrid", "Mats", "Hiro", "Lena"]
LAST_NAMES = ["Andersson", "Berg", "Lindqvist", "Nakamura", "Schmidt", "Dubois", "Smith", "Nilsen",
              "Jensen", "Virtanen", "de Vries", "Holm", "Sato", "Karlsson"]
ORDER_STATUSES = [("PENDING", 6), ("CONFIRMED", 9), ("PROCESSING", 10), ("SHIPPED", 55), ("CANCELLED", 8),
                  ("ARCHIVED", 12)]
TAX_PERCENT = {"SE": 25.0, "NO": 25.0, "DK": 25.0, "FI": 25.5, "DE": 19.0, "FR": 20.0, "NL": 21.0,
               "GB": 20.0, "US": 0.0, "JP": 10.0}
SHIPPING_MINOR = {"SEK": 4900, "EUR": 495, "USD": 595, "GBP": 450, "NOK": 5900, "DKK": 3900, "JPY": 800}


_DIGITS = {str(d): d for d in range(10)}


def ean13(body12: str) -> str:
    """A 12-digit body plus its GS1 check digit."""
    digits = [_DIGITS[c] for c in body12]
    total = sum(digits[0::2]) + 3 * sum(digits[1::2])
    return body12 + str((10 - total % 10) % 10)


def ean_is_valid(code: str | None) -> bool:
    return bool(code) and len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


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


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _moment(base: datetime, rng: random.Random, span: timedelta) -> datetime:
    return base + timedelta(seconds=rng.randrange(max(1, int(span.total_seconds()))))


@dataclass(slots=True)
class ProductHead:
    """What list filters and sorts need for one product, kept for every product at every scale."""
    id: int
    name: str
    status: str
    productNumber: str | None
    createdAt: datetime
    updatedAt: datetime
    chart: int  # index into Catalog.size_charts
    colours: list[int]  # one variant per colour
    missing: dict[int, list[int]]  # variant index -> chart positions this variant lacks (quirk)
    size_count: int
    deleted: bool = False


@dataclass
class Catalog:
    """The whole generated state. Reference data and transactions are eager; products are lazy."""
    seed: int
    scale: str
    now: datetime
    strict: bool = False
    stores: list[dict] = field(default_factory=list)
    currencies: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)
    markets: list[dict] = field(default_factory=list)
    pricelists: list[dict] = field(default_factory=list)
    warehouses: list[dict] = field(default_factory=list)
    size_charts: list[dict] = field(default_factory=list)
    brands: list[dict] = field(default_factory=list)
    collections: list[dict] = field(default_factory=list)  # sandbox/structure.py
    folders: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    heads: list[ProductHead] = field(default_factory=list)  # index = product id - 1
    overrides: dict[int, dict] = field(default_factory=dict)
    customers: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    shipments: list[dict] = field(default_factory=list)
    returns: list[dict] = field(default_factory=list)
    vouchers: list[dict] = field(default_factory=list)
    email_history: list[dict] = field(default_factory=list)
    quirks: list[dict] = field(default_factory=list)
    seq: dict[str, int] = field(default_factory=dict)
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _size_prefix: list[int] = field(default_factory=list)

    def next_id(self, kind: str) -> int:
        self.seq[kind] = self.seq.get(kind, 0) + 1
        return self.seq[kind]

    # ---------------------------------------------------------------- lookups
    def currency(self, code: str) -> dict:
        return next(c for c in self.currencies if c["code"] == code)

    def by_id(self, rows: list[dict], ident: Any) -> dict | None:
        index = {r["id"]: r for r in rows}
        return index.get(ident)

    # ---------------------------------------------------------------- catalog (lazy)
    def product(self, pid: int) -> dict | None:
        """The full product (variants, sizes, stock, prices, displays), generated on demand."""
        if pid in self.overrides:
            return self.overrides[pid]
        if not 1 <= pid <= len(self.heads) or self.heads[pid - 1].deleted:
            return None
        cached = self._cache.get(pid)
        if cached is not None:
            self._cache.move_to_end(pid)
            return cached
        product = build_product(self, self.heads[pid - 1])
        self._cache[pid] = product
        if len(self._cache) > PRODUCT_CACHE:
            self._cache.popitem(last=False)
        return product

    def materialize(self, pid: int) -> dict:
        """Pin a product so advance() can change it (it then lives in overrides, never regenerated)."""
        product = self.product(pid)
        assert product is not None
        self.overrides[pid] = product
        self._cache.pop(pid, None)
        return product

    def live_heads(self) -> list[ProductHead]:
        return [h for h in self.heads if not h.deleted]

    def size_prefix(self) -> list[int]:
        """Cumulative size counts over product ids (for paging sizes/stock without generating all)."""
        if len(self._size_prefix) != len(self.heads) + 1:
            total, prefix = 0, [0]
            for h in self.heads:
                total += 0 if h.deleted else h.size_count
                prefix.append(total)
            self._size_prefix = prefix
        return self._size_prefix

    def invalidate_sizes(self) -> None:
        self._size_prefix = []

    def iter_sizes_from(self, offset: int):
        """Sizes in id order starting at the offset-th live size."""
        prefix = self.size_prefix()
        index = max(0, bisect_right(prefix, offset) - 1)
        skip = offset - prefix[index]
        for h in self.heads[index:]:
            if h.deleted:
                continue
            product = self.product(h.id)
            for variant in product["variants"]:
                for size in variant["productSizes"]:
                    if skip:
                        skip -= 1
                        continue
                    yield size


# ==================================================================== generation
def _rng(seed: int, kind: str, ident: int) -> random.Random:
    digest = hashlib.blake2b(f"{seed}:{kind}:{ident}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def generate(seed: int, scale: str, now: datetime, *, strict: bool = False) -> Catalog:
    """Generate the brand. `strict` only swaps values of enums strict mode does not serve."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; use one of {', '.join(SCALES)}.")
    sizes = SCALES[scale]
    cat = Catalog(seed=seed, scale=scale, now=now, strict=strict)
    rng = random.Random(seed)
    _reference_data(cat, rng)
    _product_heads(cat, sizes["products"])
    _customers(cat, rng, sizes["customers"])
    _accounts(cat, rng, sizes["accounts"])
    _vouchers(cat, rng, sizes["vouchers"])
    structure.build(cat)  # draws from its own generators: the main sequence above and below is unchanged
    for number in range(sizes["orders"]):
        add_order(cat, rng, created=now - timedelta(days=120) + timedelta(seconds=rng.randrange(120 * 86400)))
    cat.orders.sort(key=lambda o: o["orderDate"])
    # Order numbers follow order dates, as in Centra.
    renamed = {}
    for i, order in enumerate(cat.orders):
        order["number"] = 1001 + i
        old_id = order["id"]
        order["id"] = hashlib.md5(f"{seed}:order:{order['number']}".encode()).hexdigest()
        renamed[old_id] = order["id"]
        for k, shipment in enumerate(order["shipments"], start=1):
            shipment["number"] = f"{order['number']}-{k}"
    for quirk in cat.quirks:  # quirks name orders by their final id
        if quirk["entity"] == "orders":
            quirk["id"] = renamed.get(quirk["id"], quirk["id"])
    _link_customers(cat)
    structure.assign_buyers(cat)
    for order in cat.orders:
        for line in order["lines"]:
            structure.line_tax(cat, line)
    return cat


def _reference_data(cat: Catalog, rng: random.Random) -> None:
    anchor = cat.now - timedelta(days=900)
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
    country = {c["code"]: c for c in cat.countries}
    cat.stores = [
        {"id": 1, "name": "Retail", "type": "DIRECT_TO_CONSUMER"},
        {"id": 2, "name": "Wholesale", "type": "WHOLESALE"},
    ]
    dtc, wholesale = cat.stores
    # name, store, countries, currency, active, test-looking
    market_specs = [
        ("Sweden", dtc, ["SE"], "SEK", True), ("Norway", dtc, ["NO"], "NOK", True),
        ("Denmark", dtc, ["DK"], "DKK", True), ("Europe", dtc, ["FI", "DE", "FR", "NL"], "EUR", True),
        ("United Kingdom", dtc, ["GB"], "GBP", True), ("USA", dtc, ["US"], "USD", True),
        ("Japan", dtc, ["JP"], "JPY", True), ("Outlet (closed)", dtc, [], "SEK", False),
        ("TEST market", dtc, ["SE"], "SEK", True),
        ("Wholesale Nordics", wholesale, ["SE", "NO", "DK", "FI"], "SEK", True),
        ("Wholesale Europe", wholesale, ["DE", "FR", "NL", "GB"], "EUR", True),
    ]
    for i, (name, store, codes, cur, active) in enumerate(market_specs, start=1):
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
            "isDefaultForCurrency": name in ("Sweden", "Europe", "USA", "United Kingdom", "Norway", "Denmark", "Japan"),
            "currency": cat.currency(cur), "store": store, "assignedToCountries": market["assignedToCountries"],
            "defaultShippingOption": {"id": 1, "name": "Standard", "uri": "standard"},
            "updatedAt": _moment(anchor, rng, timedelta(days=800)), "_market": market,
        })
        market["_pricelist"] = cat.pricelists[-1]
    cat.warehouses = [
        {"__typename": "Warehouse", "id": i, "name": name, "status": status, "stockMaster": master, "stockOwnership": "OWN",
         "allocationPolicy": policy, "isConsignation": False, "isHiddenFromStockView": status != "ACTIVE",
         "threshold": threshold, "country": country[cc], "state": None, "zipCode": zipc, "_stocked": status == "ACTIVE"}
        for i, (name, status, master, policy, threshold, cc, zipc) in enumerate([
            ("Stockholm DC", "ACTIVE", "INTERNAL", "INSTANT", 0, "SE", "11122"),
            ("Rotterdam 3PL", "ACTIVE", "EXTERNAL", "INSTANT", 2, "NL", "3011"),
            ("Store Stockholm", "ACTIVE", "INTERNAL", "CHECK_FIRST", 1, "SE", "11135"),
            ("Old Malmö DC", "INACTIVE", "INTERNAL", "INSTANT", 0, "SE", "21119"),
        ], start=1)
    ]
    size_id = 1
    for i, (name, sizes, _) in enumerate(SIZE_CHARTS, start=1):
        chart = {"id": i, "name": name, "sizes": [], "externalId": f"SC-{i}", "_numbers": []}
        for size_name, number in sizes:
            chart["sizes"].append({"id": size_id, "name": size_name, "sizeChart": chart,
                                   "externalId": f"{name}|{size_name}"})
            chart["_numbers"].append(number)
            size_id += 1
        cat.size_charts.append(chart)
    cat.brands = [{"id": 1, "name": "Nordvik"}, {"id": 2, "name": "Nordvik Kids"}]


def product_head(cat: Catalog, pid: int, created: datetime | None = None) -> ProductHead:
    rng = _rng(cat.seed, "product", pid)
    created = created or cat.now - timedelta(days=30 + rng.randrange(700), seconds=rng.randrange(86400))
    updated = created if created >= cat.now else min(cat.now, created + timedelta(seconds=rng.randrange(
        max(1, int((cat.now - created).total_seconds())))))
    chart = _pick(rng, [(i, w) for i, (_, _, w) in enumerate(SIZE_CHARTS)])
    n_colours = 1 + min(int(rng.expovariate(1 / 2.6)), 7)
    colours = rng.sample(range(len(COLOURS)), min(n_colours, len(COLOURS)))
    chart_len = len(SIZE_CHARTS[chart][1])
    missing: dict[int, list[int]] = {}
    if chart_len > 2:
        for k in range(len(colours)):
            if rng.random() < QUIRK_RATE:
                missing[k] = sorted(rng.sample(range(chart_len), rng.choice([1, 2])))
    status = _pick(rng, [("ACTIVE", 85), ("INACTIVE", 12), ("CANCELLED", 3)])
    if cat.strict and status == "CANCELLED":
        status = "INACTIVE"  # strict mode does not serve the unconfirmed ProductStatus.CANCELLED
    name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    number = None if rng.random() < QUIRK_RATE / 2 else f"P{pid:06d}"
    return ProductHead(pid, name, status, number, created, updated, chart, colours, missing,
                       len(colours) * chart_len - sum(len(v) for v in missing.values()))


def _product_heads(cat: Catalog, count: int) -> None:
    cat.heads = [product_head(cat, pid) for pid in range(1, count + 1)]
    for h in cat.heads:
        if h.productNumber is None:
            cat.quirks.append({"entity": "products", "id": h.id, "quirk": "null productNumber"})
        for k, positions in h.missing.items():
            cat.quirks.append({"entity": "variants", "id": h.id * VARIANT_ID_STRIDE + k,
                               "quirk": f"missing sizes at chart positions {positions}"})
    # EAN quirks are decided per size from its own hash, so they are listed without generating products.
    for h in cat.heads:
        for size_id in _size_ids(h):
            if _ean_quirk(cat.seed, size_id):
                cat.quirks.append({"entity": "sizes", "id": size_id, "quirk": "EAN with wrong check digit"})


def _size_ids(h: ProductHead):
    chart_len = len(SIZE_CHARTS[h.chart][1])
    for k in range(len(h.colours)):
        vid = h.id * VARIANT_ID_STRIDE + k
        lacking = h.missing.get(k, ())
        for pos in range(chart_len):
            if pos not in lacking:
                yield vid * SIZE_ID_STRIDE + pos


def _ean_quirk(seed: int, size_id: int) -> bool:
    # Cheap integer hash (no RNG object) because it runs for every size at start-up.
    x = (size_id * 0x9E3779B1 + seed * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    return (x % 1000) < 7


def _price_minor(base_sek: int, currency: dict, wholesale: bool) -> int:
    """A shelf price in the currency, rounded like a merchandiser would (…95, …9, whole hundreds of yen)."""
    amount = base_sek / currency["_rate"] * (0.5 if wholesale else 1.0)
    if currency["_decimals"] == 0:
        return max(100, int(round(amount / 100.0)) * 100)
    if currency["code"] in ("SEK", "NOK", "DKK"):
        return (max(1, int(amount / 10)) * 10 - 1) * 100
    return int(amount) * 100 + 95


def build_product(cat: Catalog, h: ProductHead) -> dict:
    rng = _rng(cat.seed, "product-body", h.id)
    chart = cat.size_charts[h.chart]
    base_sek = rng.choice([199, 299, 399, 499, 699, 899, 1199, 1499, 1999, 2499, 2999, 3999])
    product: dict[str, Any] = {
        "__typename": "Product",
        "id": h.id, "name": h.name, "status": h.status, "productNumber": h.productNumber,
        "harmonizedCommodityCode": f"6{rng.randrange(10**7):07d}", "harmonizedCommodityCodeDescription": None,
        "internalComment": None, "isBundle": False, "isSerializableProduct": False,
        "createdAt": h.createdAt, "updatedAt": h.updatedAt,
        "brand": cat.brands[1 if h.chart == 4 else 0], "collection": None, "folder": None,
        "weight": {"value": round(0.1 + rng.random() * 1.5, 2), "unit": "KILOGRAMS", "formattedValue": ""},
        "countryOfOrigin": cat.countries[rng.randrange(len(cat.countries))],
        "media": [], "attributes": [], "translations": [], "externalId": None,
        "_base_sek": base_sek,
    }
    product["weight"]["formattedValue"] = f"{product['weight']['value']} kg"
    prices = []
    for pl in cat.pricelists:
        minor = _price_minor(base_sek, pl["currency"], pl["store"]["type"] == "WHOLESALE")
        prices.append({"id": h.id * 100 + pl["id"], "price": money(minor, pl["currency"]),
                       "recommendedRetailPrice": None, "pricelist": pl, "_minor": minor})
    product["_prices"] = {p["pricelist"]["id"]: p for p in prices}
    variants = []
    stocked = [w for w in cat.warehouses if w["_stocked"]]
    rnd = rng.random
    for k, colour_index in enumerate(h.colours):
        colour, code = COLOURS[colour_index]
        vid = h.id * VARIANT_ID_STRIDE + k
        vupdated = min(cat.now, h.updatedAt - timedelta(seconds=rng.randrange(3600)))
        variant: dict[str, Any] = {
            "__typename": "ProductVariant",
            "id": vid, "name": colour, "status": "ACTIVE" if rng.random() < 0.92 else "INACTIVE",
            "variantNumber": code, "internalName": f"{h.name} {colour}",
            "unitCost": money(int(base_sek * 0.3) * 100, cat.currencies[0]),
            "updatedAt": max(vupdated, h.createdAt), "product": product, "prices": prices,
            "media": [], "supply": [], "attributes": [], "translations": [], "externalId": None,
        }
        sizes = []
        lacking = h.missing.get(k, ())
        for pos, size in enumerate(chart["sizes"]):
            if pos in lacking:
                continue
            sid = vid * SIZE_ID_STRIDE + pos
            ean = ean13(f"735{sid:09d}"[-12:])
            if _ean_quirk(cat.seed, sid):
                ean = ean[:12] + str((int(ean[12]) + 1) % 10)
            number = chart["_numbers"][pos]
            sku = (h.productNumber or "") + code + number
            size_row: dict[str, Any] = {
                "id": sid, "description": size["name"], "SKU": sku, "EAN": ean, "UPC": None, "GTIN": ean,
                "sizeNumber": number, "preorder": False, "weight": None, "isActive": True,
                "updatedAt": variant["updatedAt"], "size": size, "productVariant": variant,
                "stockChangeLines": [],
            }
            stock_rows = []
            for w in stocked:
                r = rnd()
                physical = 0 if r < 0.25 else int(r * 80) - 19
                allocated = min(physical, (0, 0, 0, 1, 2, 3)[int(rnd() * 6)])
                stock_rows.append(stock_row(size_row, w, physical, allocated))
            size_row["stock"] = stock_rows
            size_row["quantity"] = sum(x["physicalQuantity"] for x in stock_rows)
            # Totals are computed when asked for: most pages never select them.
            size_row["stockTotals"] = _lazy_totals(stock_rows)
            sizes.append(size_row)
        variant["productSizes"] = sizes
        variant["stock"] = [s for size_row in sizes for s in size_row["stock"]]
        variant["stockTotals"] = _lazy_totals(variant["stock"])
        variants.append(variant)
    product["variants"] = variants
    displays = []
    for store in cat.stores:
        store_markets = [m for m in cat.markets if m["store"] is store]
        displays.append({
            "__typename": "Display",
            "id": h.id * 2 - (1 if store["type"] == "DIRECT_TO_CONSUMER" else 0),
            "name": h.name, "status": "ACTIVE" if h.status == "ACTIVE" else "INACTIVE",
            "uri": f"{h.name.lower().replace(' ', '-')}-{h.id}", "description": f"The {h.name.lower()}.",
            "shortDescription": None, "metaTitle": h.name, "metaDescription": None, "metaKeywords": None,
            "comment": None, "tags": [], "minimumOrderQuantity": 1 if store["id"] == 1 else 6,
            "orderQuantityDenominator": 1, "updatedAt": h.updatedAt, "store": store, "product": product,
            "productVariants": variants,
            "displayItems": [{"id": v["id"], "display": None, "productVariant": v} for v in variants],
            "markets": store_markets,
            "prices": [p for p in prices if p["pricelist"]["store"] is store],
            "canonicalCategory": None, "categories": [], "media": [], "translations": [],  # structure.py
        })
    product["displays"] = displays
    structure.decorate_product(cat, product, displays)
    return product


def stock_row(size_row: dict, warehouse: dict, physical: int, allocated: int) -> dict:
    fta = physical - allocated
    return {
        "productSize": size_row, "warehouse": warehouse, "physicalQuantity": physical,
        "freeToAllocateQuantity": fta, "allocatedQuantity": allocated, "availableNowQuantity": fta,
        "availableQuantity": fta, "demandQuantity": 0, "unshippedQuantity": allocated, "incomingQuantity": 0,
        "linkedIncomingQuantity": 0, "unlinkedIncomingQuantity": 0, "onDeliveryQuantity": 0,
    }


def _lazy_totals(rows: list[dict]):
    """A field value graphql-core's default resolver calls (info, **args) when the field is selected."""
    def resolve(info=None, where=None):
        return totals_of(rows)
    return resolve


def totals_of(rows: list[dict]) -> dict:
    keys = ("physicalQuantity", "freeToAllocateQuantity", "allocatedQuantity", "availableNowQuantity",
            "availableQuantity", "demandQuantity", "unshippedQuantity", "incomingQuantity",
            "linkedIncomingQuantity", "unlinkedIncomingQuantity", "onDeliveryQuantity")
    return {k: sum(r[k] for r in rows) for k in keys}


# -------------------------------------------------------------------- customers
def new_customer(cat: Catalog, rng: random.Random, created: datetime, email: str | None = None,
                 registered: bool = True) -> dict:
    cid = cat.next_id("customer")
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = email or f"{first}.{last}.{cid}@example.com".lower().replace(" ", "")
    country = rng.choice(cat.countries)
    customer = {
        "__typename": "Customer",
        "id": cid, "status": "ACTIVE", "email": email, "firstName": first, "lastName": last,
        "phoneNumber": f"+46 70 {rng.randrange(10**6):06d}", "gender": rng.choice(["female", "male", None]),
        "birthdate": (date(1960, 1, 1) + timedelta(days=rng.randrange(16000))).isoformat(),
        "createdAt": created, "updatedAt": created, "totalOrders": 0,
        "billingAddress": {"firstName": first, "lastName": last, "address1": f"Storgatan {rng.randrange(1, 90)}",
                           "city": "Stockholm", "zipCode": "11122", "country": country, "email": email},
        "store": cat.stores[0], "lastOrder": None, "attributes": [], "externalId": None,
        "_registered": registered, "_orders": [], "_emails": [],
    }
    cat.customers.append(customer)
    _use_email(cat, customer, email, created)
    return customer


def _use_email(cat: Catalog, customer: dict, email: str, at: datetime) -> None:
    row = {"customer_id": customer["id"], "email": email, "valid_from": at, "valid_to": None}
    cat.email_history.append(row)
    customer["_emails"].append(row)  # the same rows, per customer: email_at() scans only these


def email_at(customer: dict, moment: datetime) -> str | None:
    """The address the customer had at `moment` (what a checkout then put on the order)."""
    for row in reversed(customer["_emails"]):
        if row["valid_from"] <= moment:
            return row["email"]
    return customer["_emails"][0]["email"] if customer["_emails"] else customer["email"]


def change_email(cat: Catalog, customer: dict, new_email: str, at: datetime) -> None:
    for row in customer["_emails"]:
        if row["valid_to"] is None:
            row["valid_to"] = at
    _use_email(cat, customer, new_email, at)
    customer["email"] = new_email
    customer["billingAddress"]["email"] = new_email
    customer["updatedAt"] = at


def _customers(cat: Catalog, rng: random.Random, count: int) -> None:
    start = cat.now - timedelta(days=800)
    while len(cat.customers) < count:
        created = _moment(start, rng, timedelta(days=790))
        customer = new_customer(cat, rng, created, registered=rng.random() < 0.7)
        roll = rng.random()
        if roll < 0.08:
            # Guest checkout and registered account with the same e-mail: two customers, never merged.
            twin = new_customer(cat, rng, _moment(created, rng, timedelta(days=60)), email=customer["email"],
                                registered=not customer["_registered"])
            twin["firstName"], twin["lastName"] = customer["firstName"], customer["lastName"]
            if twin["id"] % 4 == 0:
                # The first of the pair moves to a new address late: its earlier orders carry the
                # shared one, the only trace of the change Centra's API serves (no e-mail history).
                change_email(cat, customer, f"{customer['firstName']}.{customer['id']}@moved.example".lower(),
                             cat.now - timedelta(days=5))
        elif roll < 0.12:
            at = _moment(created, rng, cat.now - created - timedelta(days=1))
            change_email(cat, customer, f"{customer['firstName']}.{customer['id']}@newmail.example".lower(), at)
        elif roll < 0.12 + QUIRK_RATE:
            customer["email"] = None
            cat.quirks.append({"entity": "customers", "id": customer["id"], "quirk": "null email"})


def _accounts(cat: Catalog, rng: random.Random, count: int) -> None:
    for i in range(1, count + 1):
        cat.accounts.append({
            "id": i, "name": f"{rng.choice(LAST_NAMES)} Retail {i}", "websiteUrl": None,
            "salesRepresentative": {"id": 1, "name": "Mats Holm", "email": "mats@example.com", "commissionPercent": 5.0},
            "paymentTerms": {"id": 1, "description": "30 days net"}, "shippingTerms": {"id": 1, "description": "DAP"},
            "carrierInformation": None, "attributes": [],
            "_buyer": {"id": i, "firstName": rng.choice(FIRST_NAMES), "lastName": rng.choice(LAST_NAMES),
                       "email": f"buyer{i}@retailer.example"},
        })


def _vouchers(cat: Catalog, rng: random.Random, count: int) -> None:
    dtc_markets = [m for m in cat.markets if m["store"]["id"] == 1]
    for i in range(1, count + 1):
        created = _moment(cat.now - timedelta(days=400), rng, timedelta(days=380))
        method = rng.choice(["CODE", "CODE", "AUTO", "URL"])
        cat.vouchers.append({
            "id": i, "status": "ACTIVE" if rng.random() < 0.8 else "INACTIVE",
            "name": f"{rng.choice(['Spring', 'Summer', 'Welcome', 'VIP', 'Black Friday'])} {rng.choice([10, 15, 20, 25])}%",
            "method": method, "type": rng.choice(["ORDER", "ORDER", "PRODUCT"]),
            "code": f"SAVE{i:03d}" if method == "CODE" else None,
            "url": f"https://shop.example/v/{i}" if method == "URL" else None,
            "startAt": created, "stopAt": created + timedelta(days=rng.randrange(10, 200)),
            "priority": rng.randrange(1, 10), "maxUsages": rng.choice([0, 100, 1000]), "successfulUsages": 0,
            "combineWithOtherVouchers": rng.random() < 0.3, "reuse": rng.random() < 0.5,
            "store": cat.stores[0], "markets": rng.sample(dtc_markets, rng.randrange(1, 4)),
            "createdAt": created, "updatedAt": created, "attributes": [], "externalId": None,
            "_percent": int(rng.choice([10, 15, 20, 25])),
        })


# -------------------------------------------------------------------- orders
def add_order(cat: Catalog, rng: random.Random, created: datetime, status: str | None = None) -> dict:
    """Create one order (with lines, totals, discounts, payments, shipments, returns) placed at `created`."""
    wholesale = rng.random() < 0.15
    store = cat.stores[1 if wholesale else 0]
    markets = [m for m in cat.markets if m["store"] is store and m["_active"]]
    market = rng.choice(markets) if rng.random() > 0.02 else next(
        (m for m in cat.markets if m["store"] is store and not m["_active"]), markets[0])
    pricelist = market["_pricelist"]
    currency = pricelist["currency"]
    country = rng.choice(market["assignedToCountries"] or cat.countries[:1])
    status = status or _pick(rng, ORDER_STATUSES)
    if cat.strict and status == "ARCHIVED":
        status = "SHIPPED"  # strict mode does not serve the unconfirmed OrderStatus.ARCHIVED
    customer = None
    if not wholesale:
        customer = rng.choice(cat.customers) if cat.customers else new_customer(cat, rng, created)
    account = rng.choice(cat.accounts) if wholesale else None
    tax = TAX_PERCENT[country["code"]]
    order: dict[str, Any] = {
        "__typename": "WholesaleOrder" if wholesale else "DirectToConsumerOrder",
        "id": hashlib.md5(f"{cat.seed}:order:{len(cat.orders)}:{created.isoformat()}".encode()).hexdigest(),
        "number": 0, "status": status, "createdAt": created, "orderDate": created, "updatedAt": created,
        "userIP": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "internalComment": None, "otherComment": "", "currencyBaseRate": currency["_rate"],
        "attributes": [], "country": country, "store": store, "market": market, "pricelist": pricelist,
        "isOnHold": rng.random() < 0.03, "isLocked": False,
        "shippingPriceGroup": {"shippingOption": {"id": 1, "name": "Standard", "uri": "standard"}},
        "paymentMethod": {"name": "Adyen" if not wholesale else "Invoice", "uri": "adyen" if not wholesale else "invoice",
                          "plugin": "adyen-drop-in" if not wholesale else "invoice"},
        "externalId": None, "customer": customer, "returns": [],
        "account": account, "buyer": account["_buyer"] if account else None,
        "purchaseOrderNumber": f"PO-{rng.randrange(10**6):06d}" if wholesale else None,
        "deliveryWindows": [],
        "_waitingForPayment": status == "PENDING" and rng.random() < 0.4,
    }
    address = {"firstName": customer["firstName"] if customer else account["_buyer"]["firstName"],
               "lastName": customer["lastName"] if customer else account["_buyer"]["lastName"],
               "address1": f"Gatan {rng.randrange(1, 99)}", "city": "City", "zipCode": "12345", "country": country,
               "email": email_at(customer, created) if customer else account["_buyer"]["email"]}
    order["billingAddress"] = order["shippingAddress"] = address
    if rng.random() < QUIRK_RATE / 2:
        order["country"] = None
        cat.quirks.append({"entity": "orders", "id": order["id"], "quirk": "null country"})
    lines = []
    for _ in range(1 + min(int(rng.expovariate(0.8)), 5)):
        pid = bestseller(cat, rng)
        product = cat.product(pid)
        if product is None or not any(v["productSizes"] for v in product["variants"]):
            continue
        variant = rng.choice([v for v in product["variants"] if v["productSizes"]])
        size = rng.choice(variant["productSizes"])
        original = product["_prices"][pricelist["id"]]["_minor"]
        discount = rng.choice([0, 0, 0, 0, 10, 20, 30])
        unit = original if currency["_decimals"] == 0 and not discount else int(round(original * (100 - discount) / 100))
        qty = rng.randrange(1, 4) if not wholesale else rng.randrange(6, 40, 6)
        lines.append({
            "id": 0, "product": product, "productVariant": variant, "productSize": size,
            "brand": product["brand"], "productName": product["name"], "productVariantName": variant["name"],
            "productNumber": product["productNumber"], "size": size["size"]["name"], "quantity": qty,
            "cancelledQuantity": qty if status == "CANCELLED" else 0,
            "shippedQuantity": qty if status in ("SHIPPED", "ARCHIVED") else 0, "returnedQuantity": 0,
            "taxPercent": tax, "discountPercent": float(discount), "hasAnyDiscount": discount > 0,
            "unitPrice": money(unit, currency), "unitOriginalPrice": money(original, currency),
            "lineValue": money(unit * qty, currency), "comment": None, "allocations": [],
            "_unit": unit, "_order": order,
        })
    if not lines:  # every product picked lacked sizes: one line of the first product that has any
        product = next(p for p in map(cat.product, range(1, len(cat.heads) + 1)) if p and p["variants"][0]["productSizes"])
        variant, size = product["variants"][0], product["variants"][0]["productSizes"][0]
        unit = product["_prices"][pricelist["id"]]["_minor"]
        lines.append({"id": 0, "product": product, "productVariant": variant, "productSize": size,
                      "brand": product["brand"], "productName": product["name"], "productVariantName": variant["name"],
                      "productNumber": product["productNumber"], "size": size["size"]["name"], "quantity": 1,
                      "cancelledQuantity": 1 if status == "CANCELLED" else 0,
                      "shippedQuantity": 1 if status in ("SHIPPED", "ARCHIVED") else 0, "returnedQuantity": 0,
                      "taxPercent": tax, "discountPercent": 0.0, "hasAnyDiscount": False,
                      "unitPrice": money(unit, currency), "unitOriginalPrice": money(unit, currency),
                      "lineValue": money(unit, currency), "comment": None, "allocations": [], "_unit": unit,
                      "_order": order})
    for line in lines:
        line["id"] = cat.next_id("order_line")
    order["lines"] = lines
    line_total = sum(l["_unit"] * l["quantity"] for l in lines)
    shipping = 0 if wholesale or line_total > SHIPPING_MINOR[currency["code"]] * 20 else SHIPPING_MINOR[currency["code"]]
    handling = 0 if rng.random() > 0.05 else SHIPPING_MINOR[currency["code"]] // 2
    discounts_applied = []
    discount_total = 0
    eligible = [v for v in cat.vouchers if market in v["markets"]]
    if not wholesale and eligible and rng.random() < 0.2:
        voucher = rng.choice(eligible)
        amount = line_total * voucher["_percent"] // 100
        if currency["_decimals"] == 0:
            amount = amount // 10 * 10
        discount_total += amount
        voucher["successfulUsages"] = (voucher["successfulUsages"] or 0) + 1
        discounts_applied.append({
            "__typename": "AppliedVoucherDiscount", "value": money(amount, currency), "date": created,
            "paramsJSON": None, "voucher": voucher, "voucherName": voucher["name"], "voucherMethod": voucher["method"],
            "code": voucher["code"], "url": voucher["url"], "order": order,
        })
    if rng.random() < 0.02:
        amount = min(line_total - discount_total, 100 * (10 ** currency["_decimals"]) // 10)
        discount_total += amount
        discounts_applied.append({"__typename": "AdminDiscount", "value": money(amount, currency), "date": created})
    grand = line_total + shipping + handling - discount_total
    tax_included = 0 if wholesale else int(round(grand - grand / (1 + tax / 100)))
    order["discountsApplied"] = discounts_applied
    order["totals"] = {
        "quantity": sum(l["quantity"] for l in lines), "lineValues": money(line_total, currency),
        "discounts": money(discount_total, currency), "shipping": money(shipping, currency),
        "shippingTaxIncluded": money(int(round(shipping - shipping / (1 + tax / 100))), currency),
        "handling": money(handling, currency), "taxAdded": money(0, currency),
        "taxDeducted": money(0, currency), "taxIncluded": money(tax_included, currency),
    }
    order["grandTotal"] = money(grand, currency)
    order["_grand"] = grand
    order["_line_total"], order["_shipping"], order["_handling"], order["_discounts"] = (
        line_total, shipping, handling, discount_total)
    payments = []
    if status != "PENDING" or not order["_waitingForPayment"]:
        payments.append(_payment(cat, "AUTH", "SUCCESS", grand, currency, created + timedelta(seconds=5), order))
    if status == "CANCELLED" and payments:
        payments.append(_payment(cat, "CANCEL", "SUCCESS", grand, currency, created + timedelta(hours=2), order))
    order["paymentHistory"] = payments
    order["shipments"] = []
    if status in ("SHIPPED", "ARCHIVED", "PROCESSING"):
        when = min(cat.now, created + timedelta(hours=rng.randrange(2, 72)))
        add_shipment(cat, order, when, shipped=status != "PROCESSING", rng=rng)
    cat.orders.append(order)
    if status in ("SHIPPED", "ARCHIVED") and rng.random() < 0.1 and order["shipments"]:
        when = order["shipments"][0]["shippedAt"] + timedelta(days=rng.randrange(2, 20))
        if when < cat.now:
            add_return(cat, order, when, rng=rng)
    if customer is not None:
        customer["_orders"].append(order)
    return order


def bestseller(cat: Catalog, rng: random.Random) -> int:
    """Orders concentrate on a bounded set of products (as sales do), which also bounds how many
    products generation must build at the large scale."""
    n = len(cat.heads)
    pool = min(n, 1500)
    return 1 + rng.randrange(pool) * (n // pool)


def _payment(cat: Catalog, entry: str, status: str, minor: int, currency: dict, at: datetime, order: dict) -> dict:
    return {"id": cat.next_id("payment"), "createdAt": at, "status": status,
            "entryType": entry, "externalReference": f"psp-{order['id'][:8]}-{entry.lower()}",
            "value": money(minor, currency), "paymentMethod": order["paymentMethod"]["plugin"],
            "paramsJSON": None, "currencyBaseRate": currency["_rate"]}


def add_shipment(cat: Catalog, order: dict, at: datetime, *, shipped: bool, rng: random.Random) -> dict:
    currency = order["pricelist"]["currency"]
    shipment = {
        "__typename": "WholesaleShipment" if order["store"]["type"] == "WHOLESALE" else "DirectToConsumerShipment",
        "id": cat.next_id("shipment"), "number": f"{order['number']}-{len(order['shipments']) + 1}",
        "createdAt": at, "updatedAt": at, "isGoodToGo": True, "isPrinted": shipped, "isShipped": shipped,
        "isOnHold": False, "trackingNumber": f"JJD{rng.randrange(10**10):010d}" if shipped else None,
        "returnTrackingNumber": None, "numberOfPackages": 1, "internalShippingCost": None,
        "grandTotal": order["grandTotal"], "additionalMessage": None,
        "shippedAt": at if shipped else None, "isPaid": shipped, "paidAt": at if shipped else None,
        "isCaptured": shipped, "capturedAt": at if shipped else None,
        "capturedValue": order["grandTotal"] if shipped else None, "currencyBaseRate": currency["_rate"],
        "usedFallbackTax": False, "adminUser": None,
        "carrierInformation": {"carrierName": "PostNord", "serviceName": "MyPack", "accountIdentifier": None, "taxId": None},
        "discountsApplied": order["discountsApplied"], "shippingAddress": order["shippingAddress"],
        "shipmentPlugin": {"id": 1, "name": "nShift", "status": "ACTIVE"},
        "totals": {"shipping": order["totals"]["shipping"], "discounts": order["totals"]["discounts"],
                   "taxAdded": order["totals"]["taxAdded"]},
        "order": order, "_store": order["store"],
    }
    shipment["lines"] = [
        {"id": cat.next_id("shipment_line"), "quantity": l["quantity"] - l["cancelledQuantity"], "lineValue": l["lineValue"], "orderLine": l}
        for l in order["lines"]
    ]
    if shipped:
        for l in order["lines"]:
            l["shippedQuantity"] = l["quantity"] - l["cancelledQuantity"]
        order["paymentHistory"].append(_payment(cat, "CAPTURE", "SUCCESS", order["_grand"], currency, at, order))
    cat.shipments.append(shipment)
    order["shipments"].append(shipment)
    order["updatedAt"] = max(order["updatedAt"], at)
    return shipment


def add_return(cat: Catalog, order: dict, at: datetime, *, rng: random.Random) -> dict:
    currency = order["pricelist"]["currency"]
    shipment = order["shipments"][0]
    sline = rng.choice(shipment["lines"])
    line = sline["orderLine"]
    qty = 1
    line["returnedQuantity"] += qty
    value = line["_unit"] * qty
    completed = rng.random() < 0.7
    refund_type = "REFUND"
    if cat.strict:
        refund_type = "CANCEL"  # strict mode does not serve the unconfirmed PaymentHistoryEntryType.REFUND
    ret = {
        "__typename": "WholesaleReturn" if order["store"]["type"] == "WHOLESALE" else "DirectToConsumerReturn",
        "id": cat.next_id("return"), "status": "ACTIVE", "returnStatus": "COMPLETED" if completed else "PENDING",
        "createdAt": at, "updatedAt": at, "totalQuantity": qty, "grandTotal": money(value, currency),
        "returnedToStock": completed, "comment": "Wrong size" if rng.random() < 0.5 else None,
        "createdFrom": "AMS", "currencyBaseRate": currency["_rate"], "adminUser": None, "discountsApplied": [],
        "lines": [{"id": cat.next_id("return_line"), "quantity": qty, "shipmentLine": sline, "orderLine": line}],
        "returnWarehouse": cat.warehouses[0], "store": order["store"],
        "totals": {"shipping": money(0, currency), "shippingTaxRules": [], "handling": money(0, currency),
                   "handlingTaxRules": [], "returnCost": money(0, currency), "returnCostTaxRules": [],
                   "discounts": money(0, currency), "discountTaxRules": []},
        "refundPaymentHistory": [
            {"id": cat.next_id("payment"), "createdAt": at, "status": "SUCCESS", "entryType": refund_type,
             "externalReference": f"refund-{order['id'][:8]}", "value": money(value, currency),
             "paymentMethod": order["paymentMethod"]["plugin"], "paramsJSON": None, "currencyBaseRate": currency["_rate"]}
        ] if completed else [],
        "usedFallbackTax": False, "externalId": None, "order": order, "shipment": shipment,
        "customer": order["customer"], "account": order["account"],
    }
    cat.returns.append(ret)
    order["returns"].append(ret)
    order["updatedAt"] = max(order["updatedAt"], at)
    return ret


def _link_customers(cat: Catalog) -> None:
    for customer in cat.customers:
        orders = customer["_orders"]
        customer["totalOrders"] = len(orders)
        customer["lastOrder"] = max(orders, key=lambda o: o["orderDate"]) if orders else None
