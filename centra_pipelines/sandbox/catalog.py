"""The generated brand's state, `Catalog`: reference data and transactions are eager lists; products
are lazy (sandbox/products.py), generated on demand from (seed, product id) and kept in a bounded
cache, so the `large` scale (>= 50,000 products, >= 1,000,000 sizes) starts in seconds with bounded
memory. Only a small head per product (what list filters and sorts need) is kept for every product;
products that `Sandbox.advance()` changed live in `Catalog.overrides`.

Objects are dicts keyed by GraphQL field names so graphql-core's default resolver serves them
directly; keys starting with "_" are sandbox bookkeeping.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from . import ids
from .products import ProductHead, build_product

PRODUCT_CACHE = 4096  # generated products kept in memory (LRU)


@dataclass
class Catalog:
    """The whole generated state. Reference data and transactions are eager; products are lazy."""
    seed: int
    scale: str
    now: datetime
    strict: bool = False
    # reference.py
    stores: list[dict] = field(default_factory=list)
    currencies: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)
    markets: list[dict] = field(default_factory=list)
    pricelists: list[dict] = field(default_factory=list)
    warehouses: list[dict] = field(default_factory=list)
    size_charts: list[dict] = field(default_factory=list)
    brands: list[dict] = field(default_factory=list)  # structure.py adds to them
    # structure.py
    collections: list[dict] = field(default_factory=list)
    folders: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    # products.py
    heads: list[ProductHead] = field(default_factory=list)  # index = product id - 1
    overrides: dict[int, dict] = field(default_factory=dict)
    # customers.py
    customers: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    # orders.py
    orders: list[dict] = field(default_factory=list)
    shipments: list[dict] = field(default_factory=list)
    returns: list[dict] = field(default_factory=list)
    vouchers: list[dict] = field(default_factory=list)
    email_history: list[dict] = field(default_factory=list)  # customers.py
    # the spoiled rows every part lists, id counters, the product cache
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

    def size(self, sid: int) -> dict | None:
        """One live size by id, generating only its own product (a size id names its variant and
        product): a lookup by id must not generate the whole catalog."""
        vid = ids.variant_of_size(sid)
        pid = ids.product_of_variant(vid)
        if not 1 <= pid <= len(self.heads) or self.heads[pid - 1].deleted:
            return None
        variant = next((v for v in self.product(pid)["variants"] if v["id"] == vid), None)
        return next((s for s in variant["productSizes"] if s["id"] == sid), None) if variant else None

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
