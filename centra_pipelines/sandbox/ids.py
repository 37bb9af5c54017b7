"""Ids the sandbox computes rather than stores: everything inside a product (variants, sizes, prices,
displays, media) has an id derived from the product id, so it is found, paged or listed as a quirk
without generating the product (products are generated lazily, sandbox/products.py); a wholesale
account's buyers have ids derived from the account's."""

from __future__ import annotations

VARIANT_ID_STRIDE = 8  # a product has at most 8 variants (one per colour)
SIZE_ID_STRIDE = 16  # a variant has at most 16 sizes (one per position in its size chart)
MEDIA_ID_STRIDE = 8  # a product has at most 8 images
PRICE_ID_STRIDE = 100  # a brand has fewer than 100 pricelists
SECOND_BUYER_OFFSET = 100  # an account's first buyer has its id; a second one this much more (< 100 accounts)


def variant_id(product_id: int, index: int) -> int:
    return product_id * VARIANT_ID_STRIDE + index


def product_of_variant(variant_id_: int) -> int:
    return variant_id_ // VARIANT_ID_STRIDE


def size_id(variant_id_: int, position: int) -> int:
    return variant_id_ * SIZE_ID_STRIDE + position


def variant_of_size(size_id_: int) -> int:
    return size_id_ // SIZE_ID_STRIDE


def price_id(product_id: int, pricelist_id: int) -> int:
    return product_id * PRICE_ID_STRIDE + pricelist_id


def media_id(product_id: int, position: int) -> int:
    return product_id * MEDIA_ID_STRIDE + position


def display_id(product_id: int, store_type: str) -> int:
    """Two displays per product: the direct-to-consumer one odd, the wholesale one even."""
    return product_id * 2 - (1 if store_type == "DIRECT_TO_CONSUMER" else 0)


def product_of_display(display_id_: int) -> int:
    return (display_id_ + 1) // 2


def second_buyer_id(account_id: int) -> int:
    return account_id + SECOND_BUYER_OFFSET
