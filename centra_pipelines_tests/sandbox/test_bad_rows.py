"""--bad-rows: spoiled rows of each kind, valid for the schema, the same on every read."""

import argparse

import pytest

from centra_pipelines.sandbox.cli import bad_rows_rate
from centra_pipelines.sandbox.state import Sandbox
from centra_pipelines.warehouse.gtin import valid_gtins

QUERY = """{ customers(limit: 200) { id email } orders(limit: 100) { id country { code } }
  products(limit: 200) { id productNumber variants { productSizes { id EAN } } } }"""


def _read(sandbox: Sandbox) -> dict:
    outcome = sandbox.execute(QUERY)
    assert outcome.errors == []  # spoiled values are still what Centra's schema allows
    return outcome.data


def test_every_kind_is_spoiled_at_the_rate_and_served_clean_again_at_zero():
    import pandas as pd

    sandbox = Sandbox(seed=7, scale="tiny", bad_rows=0.3)
    data = _read(sandbox)
    assert data == _read(sandbox)  # the same rows, every read
    sizes = [s for p in data["products"] for v in p["variants"] for s in v["productSizes"]]
    spoiled = {
        "customers": sum(c["email"] == "no-address" for c in data["customers"]) / len(data["customers"]),
        "orders": sum(o["country"] is None for o in data["orders"]) / len(data["orders"]),
        "products": sum(p["productNumber"] is None for p in data["products"]) / len(data["products"]),
        "sizes": sum(not valid_gtins(pd.Series([s["EAN"]]))[0] for s in sizes) / len(sizes),
    }
    assert all(0.1 < share < 0.6 for share in spoiled.values()), spoiled

    sandbox.bad_rows = 0.0
    clean = _read(sandbox)
    assert not any(c["email"] == "no-address" for c in clean["customers"])
    assert sum(o["country"] is None for o in clean["orders"]) < spoiled["orders"] * len(data["orders"])


@pytest.mark.parametrize("text", ["-0.1", "1.5", "many"])
def test_a_rate_outside_0_to_1_is_refused_with_the_value(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"between 0 and 1, not '{text}'"):
        bad_rows_rate(text)
