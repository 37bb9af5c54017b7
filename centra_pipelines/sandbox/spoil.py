"""Bad rows on demand (`--bad-rows RATE`): a share of the rows of each kind is served spoiled.

Every spoil keeps the value valid for Centra's schema (same GraphQL type, nullable fields only
set to null) and breaks one rule of our contracts, so the WARN path (a few rows quarantined) and
the ERROR path (more than the contract's share) of the checks can be shown and tested. Which rows
are spoiled depends only on the seed, the type and the row's id: a spoiled row reads the same on
every request, and setting the rate back to 0 serves its valid version.
"""

from __future__ import annotations

import zlib
from typing import Any, Callable


def _wrong_check_digit(ean: str | None) -> str:
    if not ean or not ean[-1].isdigit():
        return "7350000000001"
    return ean[:-1] + str((int(ean[-1]) + 1) % 10)


# (GraphQL type, field) -> the spoiled value, from the clean one. The contract rule each breaks:
SPOILS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("Customer", "email"): lambda _email: "no-address",  # customers.email must contain "@"
    # Order is an interface: its fields resolve on the concrete types.
    ("DirectToConsumerOrder", "country"): lambda _country: None,  # orders.country: two-letter code required
    ("WholesaleOrder", "country"): lambda _country: None,
    ("Product", "productNumber"): lambda _number: None,  # products.product_number required
    ("ProductSize", "EAN"): _wrong_check_digit,  # sizes.ean: GTIN check digit
}


def is_spoiled(seed: int, type_name: str, row: Any, rate: float) -> bool:
    """Whether this row is served spoiled at `rate` (0..1), decided by its id."""
    if rate <= 0 or not isinstance(row, dict) or row.get("id") is None:
        return False
    kind = "Order" if type_name.endswith("Order") else type_name  # one decision per order, whatever its type
    return zlib.crc32(f"{seed}:{kind}:{row['id']}".encode()) / 2**32 < rate
