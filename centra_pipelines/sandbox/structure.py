"""The rest of a brand's Centra: catalog structure (brands, collections, folders, categories), product
media and translations, wholesale buyers, and line tax.

Everything here draws from its own seeded `random.Random`s, never from the generator's main sequence,
so adding it left the data of every other entity as it was. Products are lazy (products.build_product), so
their structure is decided per product from (seed, product id) in `decorate_product`; the trees are
eager and small. Spoiled rows are listed in `cat.quirks` like the generator's own.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from . import ids
from .reference import money
from .seeding import QUIRK_RATE

if TYPE_CHECKING:
    from .catalog import Catalog

MAX_MEDIA = 4
CDN = "https://cdn.sandbox.centra.example/product"
MISSING_CATEGORY_ID = 9999  # a category a display links although Centra no longer lists it

EXTRA_BRANDS = [{"id": 3, "name": "Nordvik Studio"}]
COLLECTIONS = [("Spring/Summer 2025", "ss25", "INACTIVE"), ("Autumn/Winter 2025", "aw25", "ACTIVE"),
               ("Spring/Summer 2026", "ss26", "ACTIVE"), ("Essentials", "essentials", "ACTIVE")]
FOLDERS = {"Menswear": ["Tops", "Bottoms", "Outerwear"], "Womenswear": ["Tops", "Dresses", "Outerwear"],
           "Kids": [], "Accessories": ["Bags", "Headwear"]}
CATEGORIES = {"Women": {"Tops": ["T-shirts", "Shirts"], "Knitwear": [], "Dresses": [], "Outerwear": []},
              "Men": {"Tops": ["T-shirts", "Shirts"], "Trousers": [], "Outerwear": []},
              "Kids": {}, "Sale": {}, "New in": {}}
WORDS = {"sv": ("Klassisk", "En {}."), "de": ("Klassisch", "Ein {}."), "en": ("Classic", "The {}."),
         "ja": ("クラシック", "{}。")}


def _rng(seed: int, kind: str, ident: int = 0) -> random.Random:
    return random.Random(f"{seed}:structure:{kind}:{ident}")


def _tree(names: dict | list, next_id, uri_prefix: str, children_key: str) -> list[dict]:
    """Nodes of a nested {name: children} spec, flat, each with its children as objects."""
    flat: list[dict] = []

    def build(name: str, children, prefix: str) -> dict:
        uri = f"{prefix}/{name.lower().replace(' ', '-').replace('/', '-')}".lstrip("/")
        node = {"id": next_id(), "name": name, "uri": uri, children_key: []}
        flat.append(node)
        items = children.items() if isinstance(children, dict) else ((c, []) for c in children)
        node[children_key] = [build(child, grand, uri) for child, grand in items]
        return node

    for name, children in (names.items() if isinstance(names, dict) else ((n, []) for n in names)):
        build(name, children, uri_prefix)
    return flat


def build(cat: Catalog) -> None:
    """The eager part: brands, collections, folder and category trees, buyers, account quirks."""
    rng = _rng(cat.seed, "trees")
    cat.brands.extend(dict(b) for b in EXTRA_BRANDS)
    cat.collections = [{"id": i, "name": name, "uri": uri, "status": status}
                       for i, (name, uri, status) in enumerate(COLLECTIONS, start=1)]
    counter = iter(range(1, 10_000))
    cat.folders = _tree(FOLDERS, lambda: next(counter), "", "childFolders")
    for f in cat.folders:
        f.pop("uri")
    counter = iter(range(1, 10_000))
    cat.categories = _tree(CATEGORIES, lambda: next(counter), "", "childCategories")
    for c in cat.categories:
        c["metaDescription"] = f"{c['name']} at Nordvik."
    # Quirk: two retired categories list each other as children (a cycle no root reaches).
    a = {"id": next(counter), "name": "Archive A", "uri": "archive-a", "metaDescription": None}
    b = {"id": next(counter), "name": "Archive B", "uri": "archive-b", "metaDescription": None}
    a["childCategories"], b["childCategories"] = [b], [a]
    cat.categories += [a, b]
    cat.quirks += [{"entity": "categories", "id": a["id"], "quirk": "category cycle"},
                   {"entity": "categories", "id": b["id"], "quirk": "category cycle"}]
    cat.quirks.append({"entity": "categories", "id": MISSING_CATEGORY_ID,
                       "quirk": "displays link a category Centra does not list"})
    # Wholesale: a second buyer for some accounts (orders of the account are split between them).
    for account in cat.accounts:
        account["_buyers"] = [account["_buyer"]]
        if rng.random() < 0.5:
            first = rng.choice(["Karin", "Olof", "Greta", "Pierre", "Aiko"])
            email = f"{first.lower()}.{account['id']}@retailer.example"
            if rng.random() < 0.25:  # quirk: a buyer e-mail without a domain
                email = f"{first.lower()}.{account['id']}"
                cat.quirks.append({"entity": "buyers", "id": ids.second_buyer_id(account["id"]), "quirk": "malformed e-mail"})
            account["_buyers"].append({"id": ids.second_buyer_id(account["id"]), "firstName": first, "lastName": "Lund",
                                       "email": email})
    # Quirk: an account Centra no longer lists, although its wholesale orders still name it.
    if len(cat.accounts) > 2:
        gone = cat.accounts[-1]
        gone["_unlisted"] = True
        cat.quirks.append({"entity": "accounts", "id": gone["id"], "quirk": "wholesale orders name an unlisted account"})


def assign_buyers(cat: Catalog) -> None:
    """After orders exist: each wholesale order's buyer is one of its account's buyers (mostly the first)."""
    rng = _rng(cat.seed, "buyers")
    for order in cat.orders:
        account = order.get("account")
        if account is not None:
            order["buyer"] = account["_buyers"][-1] if rng.random() < 0.15 else account["_buyers"][0]


def listed_accounts(cat: Catalog) -> list[dict]:
    return [a for a in cat.accounts if not a.get("_unlisted")]


def decorate_product(cat: Catalog, product: dict[str, Any], displays: list[dict]) -> None:
    """Brand, collection, folder, media, translations and display categories of one product."""
    rng = _rng(cat.seed, "product", product["id"])
    pid = product["id"]
    if rng.random() < 0.1:
        product["brand"] = cat.brands[2]
    product["collection"] = cat.collections[rng.randrange(len(cat.collections))]
    leaves = [f for f in cat.folders if not f["childFolders"]]
    product["folder"] = leaves[rng.randrange(len(leaves))]
    count = 0 if rng.random() < QUIRK_RATE else rng.randint(1, MAX_MEDIA)
    media = []
    for k in range(count):
        url = f"{CDN}/{pid}/{k + 1}.jpg"
        if rng.random() < QUIRK_RATE / 2:
            url = None  # quirk: an image whose file is gone
        media.append({"id": ids.media_id(pid, k), "product": product, "metaDataJSON": None,
                      "source": {"type": "image", "url": url, "mimeType": "image/jpeg",
                                 "mediaSize": {"name": "standard", "maxWidth": 1200, "maxHeight": 1600,
                                               "mimeType": "image/jpeg", "quality": 85}}})
    product["media"] = media
    translations = []
    for language in cat.languages:
        if rng.random() < QUIRK_RATE * 2:
            continue  # not translated into this language yet
        word, sentence = WORDS.get(language["code"], WORDS["en"])
        name = f"{word} {product['name'].split(' ', 1)[-1]}"
        fields = [{"field": "name", "value": name},
                  {"field": "description", "value": sentence.format(name.lower())}]
        if rng.random() < QUIRK_RATE / 2:
            fields[1]["value"] = ""  # quirk: a translated field saved empty
        translations.append({"language": language, "fields": fields})
    product["translations"] = translations
    trees = [c for c in cat.categories if c["name"] not in ("Archive A", "Archive B")]
    for display in displays:
        chosen = rng.sample(trees, rng.randint(1, 3))
        if rng.random() < QUIRK_RATE:
            chosen.append({"id": MISSING_CATEGORY_ID, "name": "Retired", "uri": "retired",
                           "metaDescription": None, "childCategories": []})
        display["categories"] = chosen
        display["canonicalCategory"] = chosen[0]
        display["media"] = media


def product_quirks(cat: Catalog, product: dict) -> list[dict]:
    """Spoiled media and translations of one (generated) product, for `truth()`."""
    out = []
    if not product["media"]:
        out.append({"entity": "images", "id": product["id"], "quirk": "product without images"})
    for m in product["media"]:
        if m["source"]["url"] is None:
            out.append({"entity": "product_media", "id": m["id"], "quirk": "image without URL"})
    for t in product["translations"]:
        for f in t["fields"]:
            if f["value"] == "":
                out.append({"entity": "translations", "id": f"product|{product['id']}|{f['field']}|{t['language']['code']}",
                            "quirk": "empty translation"})
    return out


# ------------------------------------------------------------------ line tax
def line_tax(cat: Catalog, line: dict) -> None:
    """Tax of an order line: prices include tax, so the taxable amount is the value net of it.
    A few lines carry a tax amount off by some minor units (a tax rule changed under an open order)."""
    rng = _rng(cat.seed, "line-tax", line["id"])
    gross = line["_unit"] * line["quantity"]
    net = int(round(gross / (1 + line["taxPercent"] / 100)))
    if line["taxPercent"] and rng.random() < QUIRK_RATE:
        net -= 3 * max(1, gross // 10_000)
        cat.quirks.append({"entity": "order_lines", "id": line["id"], "quirk": "tax off the rate"})
    line["_net"] = net


def resolve_line_value(source: dict, info, includingTax: bool = True) -> dict:
    """`OrderLine.lineValue(includingTax:)`: the line's value with or without its tax."""
    if includingTax:
        return source["lineValue"]
    return money(line_net(info.context.catalog, source), source["unitPrice"]["currency"])


def line_net(cat: Catalog, line: dict) -> int:
    """The line's taxable amount in minor units (decided on first use for orders added by Sandbox.advance)."""
    if "_net" not in line:
        line_tax(cat, line)
    return line["_net"]



# ------------------------------------------------------------------ ground truth (tests)
def _parents(nodes: list[dict], children_key: str) -> dict[int, int]:
    return {child["id"]: node["id"] for node in nodes for child in node[children_key]}


def truth(cat: Catalog) -> dict[str, list[dict]]:
    """This module's entities, flat, as `Sandbox.truth()` reports them; spoiled rows are in `quirks`."""
    category_parent, folder_parent = _parents(cat.categories, "childCategories"), _parents(cat.folders, "childFolders")
    out: dict[str, list[dict]] = {
        "accounts": [{"id": a["id"], "name": a["name"], "payment_terms": a["paymentTerms"]["description"]}
                     for a in listed_accounts(cat)],
        "buyers": sorted({b["id"]: {"id": b["id"], "account_id": o["account"]["id"], "email": b["email"],
                                    "first_name": b["firstName"], "last_name": b["lastName"]}
                          for o in cat.orders if o.get("buyer") for b in [o["buyer"]]}.values(), key=lambda b: b["id"]),
        "brands": [{"id": b["id"], "name": b["name"]} for b in cat.brands],
        "collections": [{"id": c["id"], "name": c["name"], "status": c["status"]} for c in cat.collections],
        "folders": [{"id": f["id"], "name": f["name"], "parent_id": folder_parent.get(f["id"])} for f in cat.folders],
        "categories": [{"id": c["id"], "name": c["name"], "uri": c["uri"], "parent_id": category_parent.get(c["id"])}
                       for c in cat.categories],
        "product_structure": [], "product_categories": [], "product_media": [], "translations": [],
        "return_lines": [{"return_id": r["id"], "position": k, "order_line_id": line["orderLine"]["id"],
                          "shipment_line_id": line["shipmentLine"]["id"]}
                         for r in cat.returns for k, line in enumerate(r["lines"])],
        "quirks": [],
    }
    for head in cat.live_heads():
        p = cat.product(head.id)
        out["product_structure"].append({"id": p["id"], "brand_id": p["brand"]["id"],
                                         "collection_id": p["collection"]["id"], "folder_id": p["folder"]["id"]})
        out["product_categories"] += [{"display_id": d["id"], "product_id": p["id"], "category_id": c["id"],
                                       "is_canonical": d["canonicalCategory"]["id"] == c["id"]}
                                      for d in p["displays"] for c in d["categories"]]
        out["product_media"] += [{"id": m["id"], "product_id": p["id"], "position": k, "url": m["source"]["url"]}
                                 for k, m in enumerate(p["media"])]
        out["translations"] += [{"object_type": "product", "object_id": p["id"], "field": f["field"],
                                 "language_code": t["language"]["code"], "value": f["value"]}
                                for t in p["translations"] for f in t["fields"]]
        out["quirks"] += product_quirks(cat, p)
    return out
