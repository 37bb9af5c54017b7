"""Field mapping from Centra records, required-field completeness, and language mapping."""

from __future__ import annotations

import pandas as pd
import pytest

from centra_pipelines.mapping.config import load_mapping
from centra_pipelines.mapping.fields import map_fields, missing_required_fields
from centra_pipelines.mapping.languages import map_languages
from centra_pipelines.mapping.status import unmapped_values


@pytest.fixture(scope="module")
def mapping():
    return load_mapping()


ORDER = {
    "__typename": "DirectToConsumerOrder", "id": "1497ccf644db871e1e4026d101bde6f3", "number": 14, "status": "SHIPPED",
    "isOnHold": False, "store": {"id": 1}, "market": {"id": 2}, "pricelist": {"id": 3}, "customer": {"id": 9},
    "account": None, "country": {"code": "SE"}, "grandTotal": {"value": 722.65, "currency": {"code": "SEK"}},
    "totals": {"lineValues": {"value": 748.5}, "shipping": {"value": 49.0}, "handling": {"value": 0.0},
               "discounts": {"value": 74.85}},
    "currencyBaseRate": 1.0, "orderDate": "2026-03-29T03:15:00+02:00", "createdAt": "2026-03-29T03:15:00+02:00",
    "updatedAt": "2026-03-30T10:00:00+02:00",
}


def test_nested_fields_map_to_columns(mapping):
    frame = map_fields([ORDER], "orders", mapping)
    row = frame.iloc[0]
    assert row["id"] == ORDER["id"] and row["number"] == 14 and row["centra_status"] == "SHIPPED"
    assert row["currency"] == "SEK" and row["grand_total"] == 722.65 and row["discounts"] == 74.85
    assert row["store_id"] == 1 and row["account_id"] is None and row["billing_email"] is None
    assert list(frame.columns)[:3] == ["id", "number", "order_type"]


def test_missing_required_fields_are_named_with_counts(mapping):
    broken = {**ORDER, "id": "x2", "grandTotal": None, "pricelist": None}
    frame = map_fields([ORDER, broken], "orders", mapping)
    assert missing_required_fields(frame, "orders", mapping) == {
        "pricelist.id": 1, "grandTotal.currency.code": 1, "grandTotal.value": 1}
    assert missing_required_fields(frame.drop(columns=["updated_at"]), "orders", mapping)["updatedAt"] == 2
    assert missing_required_fields(map_fields([ORDER], "orders", mapping), "orders", mapping) == {}


def test_unknown_table_is_named(mapping):
    with pytest.raises(KeyError, match="fields.invoices"):
        map_fields([], "invoices", mapping)


def test_languages_map_and_unmapped_are_named(mapping):
    codes = pd.Series(["sv", "ja", "fi", None])
    assert map_languages(codes, mapping).tolist() == ["sv-SE", "ja-JP", None, None]
    assert unmapped_values(codes, mapping.languages) == {"fi"}
