"""Money as decimals in the currency's minor units, rounded by the mapping's rule.

Centra sends amounts as JSON floats (`MonetaryValue.value`). A float is read through its shortest
repr (`2.675` -> Decimal("2.675"), not 2.67499999…) so that what Centra printed is what we round;
then it is quantised to the currency's minor units (SEK 0.01, JPY 1) with the currency's rounding
mode (half-even unless the mapping says otherwise).

Base currency: we assume Centra's `currencyBaseRate` MULTIPLIES an amount in the order currency
into the base currency (base = amount × currencyBaseRate; e.g. EUR order, SEK base, rate ≈ 11.2).
That assumption lives only in `_into_base` below.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pandas as pd

from centra_pipelines.mapping.config import Mapping

Number = float | int | str | Decimal


def to_decimal(value: Number) -> Decimal:
    """An exact Decimal of what Centra sent; floats through their shortest repr."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError(f"expected an amount, got {value!r}")
    elif isinstance(value, (int, float)):
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"expected an amount, got {value!r}") from None
    else:
        raise TypeError(f"expected an amount, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"expected a finite amount, got {value!r}")
    return result


def quantum(currency: str, mapping: Mapping) -> Decimal:
    """The currency's smallest unit: Decimal('0.01') for SEK, Decimal('1') for JPY."""
    return _unit(mapping.currency(currency).minor_units)


@lru_cache(maxsize=None)
def _unit(minor_units: int) -> Decimal:
    # Decimals are immutable: one per number of minor units serves every amount of a page.
    return Decimal(1).scaleb(-minor_units)


def to_money(value: Number, currency: str, mapping: Mapping) -> Decimal:
    """`value` in `currency`, quantised to its minor units with its rounding mode."""
    return to_decimal(value).quantize(quantum(currency, mapping), rounding=mapping.rounding_mode(currency))


def to_base_money(value: Number, currency: str, currency_base_rate: Number, base_currency: str,
                  mapping: Mapping) -> Decimal:
    """The base-currency amount of `value` (an amount in `currency`), rounded in the base currency.

    The order-currency amount is rounded first (it is what we store), then converted.
    """
    amount = to_money(value, currency, mapping)
    return _into_base(amount, to_decimal(currency_base_rate)).quantize(
        quantum(base_currency, mapping), rounding=mapping.rounding_mode(base_currency))


def _into_base(amount: Decimal, currency_base_rate: Decimal) -> Decimal:
    # The one place that decides the direction of Centra's rate (see the module docstring).
    return amount * currency_base_rate


def to_money_series(values: pd.Series, currency: str | pd.Series, mapping: Mapping) -> pd.Series:
    """`to_money` over a Series (object dtype of Decimals); missing values stay None.

    `currency` is one code for all rows or a Series of codes aligned with `values`.
    """
    currencies = _aligned(currency, values)
    out = [None if _missing(v) else to_money(v, c, mapping) for v, c in zip(values.tolist(), currencies)]
    return pd.Series(out, index=values.index, dtype=object, name=values.name)


def to_base_money_series(values: pd.Series, currency: str | pd.Series, currency_base_rates: pd.Series | Number,
                         base_currency: str, mapping: Mapping) -> pd.Series:
    """`to_base_money` over a Series; a missing amount or rate gives None."""
    currencies = _aligned(currency, values)
    rates = _aligned(currency_base_rates, values)
    out = [None if _missing(v) or _missing(r) else to_base_money(v, c, r, base_currency, mapping)
           for v, r, c in zip(values.tolist(), rates, currencies)]
    return pd.Series(out, index=values.index, dtype=object, name=values.name)


def totals_consistent(lines: Number | Iterable[Number], shipping: Number, handling: Number, discounts: Number,
                      grand_total: Number, currency: str, mapping: Mapping) -> bool:
    """lines + shipping + handling − |discounts| = grand total, within the currency's rounding.

    `lines` is the sum of line values or the line values themselves. Centra's public schema does not
    say whether `totals.discounts` is reported as a positive amount taken off or as a negative one,
    so either sign is read as an amount taken off (`discount_sign` tells which was seen). Each amount
    is rounded to the currency first (as stored); the sums may then differ by at most one minor unit
    (0.01 SEK, 1 JPY), which rounding of the parts can cause.
    """
    line_values = [lines] if isinstance(lines, (int, float, str, Decimal)) else list(lines)
    parts = [to_money(v, currency, mapping) for v in line_values]
    expected = sum(parts, Decimal(0)) + to_money(shipping, currency, mapping) + to_money(handling, currency, mapping) \
        - abs(to_money(discounts, currency, mapping))
    return abs(expected - to_money(grand_total, currency, mapping)) <= quantum(currency, mapping)


def discount_sign(discounts: Number) -> str | None:
    """How an order's `totals.discounts` was reported: "positive", "negative", or None when zero."""
    value = Decimal(str(discounts))
    return None if value == 0 else "positive" if value > 0 else "negative"


def _aligned(value, like: pd.Series) -> list:
    if isinstance(value, pd.Series):
        if len(value) != len(like):
            raise ValueError(f"expected {len(like)} values aligned with the amounts, got {len(value)}")
        return value.tolist()
    return [value] * len(like)


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


__all__ = ["quantum", "to_base_money", "to_base_money_series", "to_decimal", "to_money", "to_money_series",
           "totals_consistent", "discount_sign"]
