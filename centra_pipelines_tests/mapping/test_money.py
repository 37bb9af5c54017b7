"""Money: per-currency minor units, half-even rounding, base-currency amounts, totals consistency."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from centra_pipelines.mapping.config import load_mapping
from centra_pipelines.mapping.money import (discount_sign, quantum, to_base_money, to_base_money_series, to_money,
                                            to_money_series, totals_consistent)


@pytest.fixture(scope="module")
def mapping():
    return load_mapping()


@pytest.mark.parametrize("value, currency, expected", [
    ("10.125", "SEK", "10.12"),   # half to even: down
    ("10.135", "SEK", "10.14"),   # half to even: up
    (2.675, "EUR", "2.68"),       # the float's repr (2.675) is rounded, not its binary 2.67499…
    ("0.005", "USD", "0.00"),
    ("-1.005", "GBP", "-1.00"),
    ("99.995", "NOK", "100.00"),
    ("12.345", "DKK", "12.34"),
    ("1250.5", "JPY", "1250"),    # JPY has no minor units: half to even
    ("1251.5", "JPY", "1252"),
    (1199, "JPY", "1199"),
    (Decimal("3.999"), "SEK", "4.00"),
])
def test_half_even_rounding_per_currency(mapping, value, currency, expected):
    result = to_money(value, currency, mapping)
    assert result == Decimal(expected)
    assert str(result) == expected  # exponent = the currency's minor units


def test_rounding_mode_per_currency_comes_from_the_mapping(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("rounding: half_up\ncurrencies:\n  JPY: {minor_units: 0, rounding: floor}\n")
    mapping = load_mapping(path)
    assert to_money("10.125", "SEK", mapping) == Decimal("10.13")
    assert to_money("1250.9", "JPY", mapping) == Decimal("1250")


def test_unconfigured_currency_is_refused(mapping):
    with pytest.raises(KeyError, match="CHF"):
        to_money("1", "CHF", mapping)


@pytest.mark.parametrize("bad", ["abc", float("nan"), True, None])
def test_non_amounts_are_refused(mapping, bad):
    with pytest.raises((ValueError, TypeError)):
        to_money(bad, "SEK", mapping)


def test_series_keeps_missing_values_and_rounds_each_row_in_its_currency(mapping):
    values = pd.Series([10.125, None, 1250.5, "7.005"], index=[10, 11, 12, 13])
    currencies = pd.Series(["SEK", "SEK", "JPY", "EUR"], index=[10, 11, 12, 13])
    result = to_money_series(values, currencies, mapping)
    assert result.tolist() == [Decimal("10.12"), None, Decimal("1250"), Decimal("7.00")]
    assert list(result.index) == [10, 11, 12, 13]
    assert [str(v) for v in to_money_series(pd.Series([1.5, 2.5]), "JPY", mapping)] == ["2", "2"]


def test_base_amount_multiplies_by_currency_base_rate_and_rounds_in_base_currency(mapping):
    # EUR order, SEK base, rate 11.2 (SEK per EUR): 99.95 EUR -> 1119.44 SEK
    assert to_base_money(99.95, "EUR", 11.2, "SEK", mapping) == Decimal("1119.44")
    # JPY order, SEK base: 1250 JPY * 0.069 = 86.25 SEK
    assert to_base_money(1250, "JPY", 0.069, "SEK", mapping) == Decimal("86.25")
    # SEK order into a JPY base rounds to whole yen (half even): 100.5 * 1 -> 100
    assert to_base_money("100.50", "SEK", 1, "JPY", mapping) == Decimal("100")
    # the order-currency amount is rounded first: 10.125 SEK -> 10.12, *2 -> 20.24 (not 20.25)
    assert to_base_money("10.125", "SEK", 2, "SEK", mapping) == Decimal("20.24")


def test_base_series(mapping):
    result = to_base_money_series(pd.Series([99.95, None, 1250]), pd.Series(["EUR", "EUR", "JPY"]),
                                  pd.Series([11.2, 11.2, None]), "SEK", mapping)
    assert result.tolist() == [Decimal("1119.44"), None, None]


def test_totals_consistent_within_one_minor_unit(mapping):
    assert totals_consistent([499.0, 249.5], 49.0, 0, 74.85, 722.65, "SEK", mapping)
    assert totals_consistent("748.50", "49", "0", "74.85", "722.66", "SEK", mapping)  # one öre of rounding
    assert not totals_consistent("748.50", "49", "0", "74.85", "722.67", "SEK", mapping)
    assert not totals_consistent([499.0, 249.5], 49.0, 0, 0, 722.65, "SEK", mapping)  # discount missing


def test_totals_accept_discounts_of_either_sign_and_say_which(mapping):
    # The public schema does not say whether totals.discounts is reported positive or negative.
    assert totals_consistent([499.0, 249.5], 49.0, 0, -74.85, 722.65, "SEK", mapping)
    assert not totals_consistent([499.0, 249.5], 49.0, 0, -74.85, 872.35, "SEK", mapping)  # not added
    assert [discount_sign(v) for v in (74.85, "-74.85", 0)] == ["positive", "negative", None]


def test_totals_consistent_in_jpy_uses_whole_yen(mapping):
    assert totals_consistent([12000, 5400], 800, 0, 1740, 16460, "JPY", mapping)
    assert totals_consistent([12000, 5400], 800, 0, 1740, 16461, "JPY", mapping)
    assert not totals_consistent([12000, 5400], 800, 0, 1740, 16462, "JPY", mapping)


def test_quantum(mapping):
    assert quantum("SEK", mapping) == Decimal("0.01") and quantum("JPY", mapping) == Decimal("1")
