"""The catalog: products with their variants, sizes, prices, displays and stock, generated lazily.

A product is generated on demand from (seed, product id) alone (`build_product`), so any product can
be served without generating the others; `ProductHead` is the little kept for every product. Ids
inside a product are computed (sandbox/ids.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import ids, structure
from .reference import SIZE_CHARTS, money
from .seeding import QUIRK_RATE, pick, seeded

if TYPE_CHECKING:
    from .catalog import Catalog

COLOURS = [("Black", "BLK"), ("White", "WHT"), ("Navy", "NVY"), ("Olive", "OLV"), ("Sand", "SND"),
           ("Red", "RED"), ("Grey melange", "GRM"), ("Forest", "FRS"), ("Rust", "RST"), ("Sky", "SKY")]
ADJECTIVES = ["Classic", "Relaxed", "Slim", "Organic", "Heavy", "Light", "Cropped", "Oversized", "Merino",
              "Recycled", "Linen", "Technical", "Vintage", "Ribbed", "Padded"]
NOUNS = ["T-shirt", "Hoodie", "Jeans", "Sneaker", "Boot", "Parka", "Shirt", "Chino", "Sweater", "Cap",
         "Dress", "Skirt", "Blazer", "Sock", "Scarf", "Trench", "Polo", "Cardigan"]
BASE_PRICES_SEK = [199, 299, 399, 499, 699, 899, 1199, 1499, 1999, 2499, 2999, 3999]
STOCK_FIELDS = ("physicalQuantity", "freeToAllocateQuantity", "allocatedQuantity", "availableNowQuantity",
                "availableQuantity", "demandQuantity", "unshippedQuantity", "incomingQuantity",
                "linkedIncomingQuantity", "unlinkedIncomingQuantity", "onDeliveryQuantity")

_DIGITS = {str(d): d for d in range(10)}


def ean13(body12: str) -> str:
    """A 12-digit body plus its GS1 check digit."""
    digits = [_DIGITS[c] for c in body12]
    total = sum(digits[0::2]) + 3 * sum(digits[1::2])
    return body12 + str((10 - total % 10) % 10)


def ean_is_valid(code: str | None) -> bool:
    return bool(code) and len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


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


# ---------------------------------------------------------------- heads (eager)
def product_head(cat: Catalog, pid: int, created: datetime | None = None) -> ProductHead:
    rng = seeded(cat.seed, "product", pid)
    created = created or cat.now - timedelta(days=30 + rng.randrange(700), seconds=rng.randrange(86400))
    updated = created if created >= cat.now else min(cat.now, created + timedelta(seconds=rng.randrange(
        max(1, int((cat.now - created).total_seconds())))))
    chart = pick(rng, [(i, w) for i, (_, _, w) in enumerate(SIZE_CHARTS)])
    n_colours = 1 + min(int(rng.expovariate(1 / 2.6)), 7)
    colours = rng.sample(range(len(COLOURS)), min(n_colours, len(COLOURS)))
    chart_len = len(SIZE_CHARTS[chart][1])
    missing: dict[int, list[int]] = {}
    if chart_len > 2:
        for k in range(len(colours)):
            if rng.random() < QUIRK_RATE:
                missing[k] = sorted(rng.sample(range(chart_len), rng.choice([1, 2])))
    status = pick(rng, [("ACTIVE", 85), ("INACTIVE", 12), ("CANCELLED", 3)])
    if cat.strict and status == "CANCELLED":
        status = "INACTIVE"  # strict mode does not serve the unconfirmed ProductStatus.CANCELLED
    name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    number = None if rng.random() < QUIRK_RATE / 2 else f"P{pid:06d}"
    return ProductHead(pid, name, status, number, created, updated, chart, colours, missing,
                       len(colours) * chart_len - sum(len(v) for v in missing.values()))


def product_heads(cat: Catalog, count: int) -> None:
    """Every product's head, and the quirks of products listed without generating them."""
    cat.heads = [product_head(cat, pid) for pid in range(1, count + 1)]
    for h in cat.heads:
        if h.productNumber is None:
            cat.quirks.append({"entity": "products", "id": h.id, "quirk": "null productNumber"})
        for k, positions in h.missing.items():
            cat.quirks.append({"entity": "variants", "id": ids.variant_id(h.id, k),
                               "quirk": f"missing sizes at chart positions {positions}"})
    # EAN quirks are decided per size from its own hash, so they are listed without generating products.
    for h in cat.heads:
        for size_id in _size_ids(h):
            if _ean_quirk(cat.seed, size_id):
                cat.quirks.append({"entity": "sizes", "id": size_id, "quirk": "EAN with wrong check digit"})


def _size_ids(h: ProductHead):
    chart_len = len(SIZE_CHARTS[h.chart][1])
    for k in range(len(h.colours)):
        vid = ids.variant_id(h.id, k)
        lacking = h.missing.get(k, ())
        for pos in range(chart_len):
            if pos not in lacking:
                yield ids.size_id(vid, pos)


def _ean_quirk(seed: int, size_id: int) -> bool:
    # Cheap integer hash (no RNG object) because it runs for every size at start-up.
    x = (size_id * 0x9E3779B1 + seed * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    return (x % 1000) < 7


# ---------------------------------------------------------------- whole products (lazy)
def build_product(cat: Catalog, h: ProductHead) -> dict:
    """The full product of a head: variants, sizes with stock, prices and displays."""
    rng = seeded(cat.seed, "product-body", h.id)
    base_sek = rng.choice(BASE_PRICES_SEK)
    product = _product_fields(cat, h, rng, base_sek)
    prices = _prices(cat, h, base_sek)
    product["_prices"] = {p["pricelist"]["id"]: p for p in prices}
    stocked = [w for w in cat.warehouses if w["_stocked"]]
    product["variants"] = [_variant(cat, h, k, colour, product, prices, stocked, rng)
                           for k, colour in enumerate(h.colours)]
    product["displays"] = _displays(cat, h, product, prices)
    structure.decorate_product(cat, product, product["displays"])
    return product


def _product_fields(cat: Catalog, h: ProductHead, rng: random.Random, base_sek: int) -> dict[str, Any]:
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
    return product


def _price_minor(base_sek: int, currency: dict, wholesale: bool) -> int:
    """A shelf price in the currency, rounded like a merchandiser would (…95, …9, whole hundreds of yen)."""
    amount = base_sek / currency["_rate"] * (0.5 if wholesale else 1.0)
    if currency["_decimals"] == 0:
        return max(100, int(round(amount / 100.0)) * 100)
    if currency["code"] in ("SEK", "NOK", "DKK"):
        return (max(1, int(amount / 10)) * 10 - 1) * 100
    return int(amount) * 100 + 95


def _prices(cat: Catalog, h: ProductHead, base_sek: int) -> list[dict]:
    prices = []
    for pl in cat.pricelists:
        minor = _price_minor(base_sek, pl["currency"], pl["store"]["type"] == "WHOLESALE")
        prices.append({"id": ids.price_id(h.id, pl["id"]), "price": money(minor, pl["currency"]),
                       "recommendedRetailPrice": None, "pricelist": pl, "_minor": minor})
    return prices


def _variant(cat: Catalog, h: ProductHead, k: int, colour_index: int, product: dict, prices: list[dict],
             stocked: list[dict], rng: random.Random) -> dict:
    colour, code = COLOURS[colour_index]
    vupdated = min(cat.now, h.updatedAt - timedelta(seconds=rng.randrange(3600)))
    variant: dict[str, Any] = {
        "__typename": "ProductVariant",
        "id": ids.variant_id(h.id, k), "name": colour, "status": "ACTIVE" if rng.random() < 0.92 else "INACTIVE",
        "variantNumber": code, "internalName": f"{h.name} {colour}",
        "unitCost": money(int(product["_base_sek"] * 0.3) * 100, cat.currencies[0]),
        "updatedAt": max(vupdated, h.createdAt), "product": product, "prices": prices,
        "media": [], "supply": [], "attributes": [], "translations": [], "externalId": None,
    }
    chart = cat.size_charts[h.chart]
    lacking = h.missing.get(k, ())
    variant["productSizes"] = [_size(cat, h, variant, code, pos, stocked, rng.random)
                               for pos in range(len(chart["sizes"])) if pos not in lacking]
    variant["stock"] = [s for size_row in variant["productSizes"] for s in size_row["stock"]]
    variant["stockTotals"] = _lazy_totals(variant["stock"])
    return variant


def _size(cat: Catalog, h: ProductHead, variant: dict, code: str, pos: int, stocked: list[dict], rnd) -> dict:
    chart = cat.size_charts[h.chart]
    sid = ids.size_id(variant["id"], pos)
    ean = ean13(f"735{sid:09d}"[-12:])
    if _ean_quirk(cat.seed, sid):
        ean = ean[:12] + str((int(ean[12]) + 1) % 10)
    number = chart["_numbers"][pos]
    size_row: dict[str, Any] = {
        "id": sid, "description": chart["sizes"][pos]["name"], "SKU": (h.productNumber or "") + code + number,
        "EAN": ean, "UPC": None, "GTIN": ean, "sizeNumber": number, "preorder": False, "weight": None,
        "isActive": True, "updatedAt": variant["updatedAt"], "size": chart["sizes"][pos], "productVariant": variant,
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
    return size_row


def _displays(cat: Catalog, h: ProductHead, product: dict, prices: list[dict]) -> list[dict]:
    variants = product["variants"]
    return [{
        "__typename": "Display",
        "id": ids.display_id(h.id, store["type"]),
        "name": h.name, "status": "ACTIVE" if h.status == "ACTIVE" else "INACTIVE",
        "uri": f"{h.name.lower().replace(' ', '-')}-{h.id}", "description": f"The {h.name.lower()}.",
        "shortDescription": None, "metaTitle": h.name, "metaDescription": None, "metaKeywords": None,
        "comment": None, "tags": [], "minimumOrderQuantity": 1 if store["id"] == 1 else 6,
        "orderQuantityDenominator": 1, "updatedAt": h.updatedAt, "store": store, "product": product,
        "productVariants": variants,
        "displayItems": [{"id": v["id"], "display": None, "productVariant": v} for v in variants],
        "markets": [m for m in cat.markets if m["store"] is store],
        "prices": [p for p in prices if p["pricelist"]["store"] is store],
        "canonicalCategory": None, "categories": [], "media": [], "translations": [],  # structure.py
    } for store in cat.stores]


# ---------------------------------------------------------------- stock
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
    return {k: sum(r[k] for r in rows) for k in STOCK_FIELDS}
