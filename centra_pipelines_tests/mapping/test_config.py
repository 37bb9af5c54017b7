"""The mapping file: defaults, overlay by a user file, and validation messages naming key and file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from centra_pipelines.mapping.config import DEFAULT_MAPPING_PATH, ENV_VAR, MappingError, load_mapping


def write(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    text = str(caught.value)
    assert str(path) in text, text  # every message names the file
    return text


def test_default_mapping_loads_with_every_documented_section(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    mapping = load_mapping()
    assert mapping.sources == (str(DEFAULT_MAPPING_PATH),)
    assert mapping.order_status["SHIPPED"] == "completed"
    assert set(mapping.order_status) == {"INCOMPLETE", "PENDING", "CONFIRMED", "PROCESSING", "SHIPPED",
                                         "CANCELLED", "ARCHIVED"}
    assert list(mapping.order_flags) == ["isOnHold"]
    assert {c: mapping.currency(c).minor_units for c in ("SEK", "EUR", "USD", "GBP", "NOK", "DKK", "JPY")} == {
        "SEK": 2, "EUR": 2, "USD": 2, "GBP": 2, "NOK": 2, "DKK": 2, "JPY": 0}
    assert mapping.rounding == "half_even"
    assert mapping.identity.merge_across_stores is False
    assert mapping.store_timezone == "Europe/Stockholm"
    assert mapping.sync.orders_page_size == 100 and mapping.sync.lookback_days == 3
    assert mapping.required_fields("orders")["grandTotal.value"] == "grand_total"
    assert mapping.shipment_status[-1].when == {}  # catch-all: every shipment maps by default


def test_user_file_from_env_overlays_defaults_and_null_removes_an_entry(tmp_path, monkeypatch):
    path = write(tmp_path, """
order_status:
  SHIPPED: shipped
  ARCHIVED: null
currencies:
  CHF: {minor_units: 2, rounding: half_up}
sync:
  initial_import_start: 2025-06-01
identity:
  merge_across_stores: true
""")
    monkeypatch.setenv(ENV_VAR, str(path))
    mapping = load_mapping()
    assert mapping.sources == (str(DEFAULT_MAPPING_PATH), str(path))
    assert mapping.order_status["SHIPPED"] == "shipped"
    assert "ARCHIVED" not in mapping.order_status
    assert mapping.order_status["PENDING"] == "pending"  # inherited
    assert mapping.currency("CHF").minor_units == 2 and mapping.currency("JPY").minor_units == 0
    assert mapping.sync.initial_import_start == date(2025, 6, 1)
    assert mapping.sync.page_size == 200  # inherited within the section
    assert mapping.identity.merge_across_stores is True


def test_explicit_path_wins_over_env(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, "rounding: half_up\n", "env.yaml")))
    mapping = load_mapping(write(tmp_path, "rounding: floor\n", "explicit.yaml"))
    assert mapping.rounding == "floor"


def test_misspelt_order_status_names_key_and_expected_values(tmp_path):
    text = problems_of(write(tmp_path, "order_status:\n  SHIPPD: completed\n"))
    assert "order_status.SHIPPD: unknown Centra status; expected one of" in text
    assert "SHIPPED" in text.split("order_status.SHIPPD")[1]


def test_bad_minor_units_names_currency_and_value(tmp_path):
    text = problems_of(write(tmp_path, "currencies:\n  JPY: {minor_units: two}\n  SEK: {minor_units: 7}\n"))
    assert "currencies.JPY.minor_units: expected an integer 0–4, got 'two'" in text
    assert "currencies.SEK.minor_units: expected an integer 0–4, got 7" in text


def test_unknown_keys_are_errors_with_the_allowed_keys(tmp_path):
    text = problems_of(write(tmp_path, "ordr_status: {}\ncurrencies:\n  CHF: {minor_units: 2, roundng: up}\n"))
    assert "ordr_status: unknown key; expected one of fields, order_status, order_flags" in text
    assert "currencies.CHF.roundng: unknown key; expected one of minor_units, rounding" in text


@pytest.mark.parametrize("text, expected", [
    ("order_flags:\n  isOnHld: on_hold\n",
     "order_flags.isOnHld: unknown Centra order flag; expected one of isOnHold"),
    ("order_status:\n  PENDING: Pending Order\n",
     "order_status.PENDING: expected a lower-case name such as 'on_hold', got 'Pending Order'"),
    ("shipment_status:\n  - {status: shipped, when: {isShiped: true}}\n",
     "shipment_status[0].when.isShiped: unknown Centra shipment flag; expected one of isGoodToGo"),
    ("shipment_status:\n  - {status: shipped, when: {isShipped: 'sure'}}\n",
     "shipment_status[0].when.isShipped: expected true or false, got 'sure'"),
    ("shipment_status:\n  - {when: {isShipped: true}}\n", "shipment_status[0].status: required key is missing"),
    ("returns:\n  return_status:\n    DONE: completed\n",
     "returns.return_status.DONE: unknown Centra return status; expected one of PENDING, COMPLETED"),
    ("returns:\n  refund_status:\n    OK: refunded\n",
     "returns.refund_status.OK: unknown Centra payment entry status; expected one of SUCCESS, PENDING, FAILED"),
    ("currencies:\n  sek: {minor_units: 2}\n",
     "currencies.sek: expected an ISO 4217 currency code in capitals, got 'sek'"),
    ("currencies:\n  EUR: {minor_units: 2, rounding: bankers}\n",
     "currencies.EUR.rounding: expected one of half_even, half_up"),
    ("rounding: nearest\n", "rounding: expected one of half_even"),
    ("languages:\n  sv: swedish\n", "languages.sv: expected a locale such as 'sv-SE', got 'swedish'"),
    ("store_timezone: Europe/Stokholm\n",
     "store_timezone: expected an IANA time zone such as Europe/Stockholm, got 'Europe/Stokholm'"),
    ("sync:\n  orders_page_size: 200\n", "sync.orders_page_size: expected an integer 1–100, got 200"),
    ("sync:\n  initial_import_start: 2024-13-01\n", "sync.initial_import_start:"),
    ("identity:\n  merge_across_stores: maybe\n", "identity.merge_across_stores: expected true or false, got 'maybe'"),
    ("fields:\n  ordres: {}\n", "fields.ordres: unknown table; expected one of customers, orders"),
    ("fields:\n  orders:\n    number: {column: id}\n", "fields.orders: column 'id' is mapped from both id and number"),
    ("fields:\n  orders:\n    grandTotal..value: {column: total}\n",
     "fields.orders.grandTotal..value: expected a Centra field path"),
    ("fields:\n  orders:\n    number: {column: Number, required: true}\n",
     "fields.orders.number.column: expected a lower-case SQL column name"),
    ("analytics:\n  rfm_bins: 3\n",
     "analytics: segments[0].when.r: 4–5 is outside the scores 1–3 (rfm_bins)"),
    ("analytics:\n  segments:\n    - {segment: vip, when: {f: [5, 5]}}\n",
     "analytics: segments: the last rule must have an empty `when` (a catch-all)"),
    ("analytics:\n  segments:\n    - {segment: vip, when: {x: [1, 2]}}\n    - {segment: rest, when: {}}\n",
     "analytics.segments[0].when.x: unknown RFM score; expected one of r, f, m"),
    ("analytics:\n  segments:\n    - {segment: vip, when: {r: [5, 1]}}\n    - {segment: rest, when: {}}\n",
     "analytics.segments[0].when.r: expected [lowest, highest], got [5, 1]"),
    ("analytics:\n  excluded_order_statuses: [CANCELED]\n",
     "analytics.excluded_order_statuses[0]: unknown Centra status; expected one of INCOMPLETE"),
])
def test_each_kind_of_wrong_value_is_named(tmp_path, text, expected):
    assert expected in problems_of(write(tmp_path, text))


def test_yaml_reads_no_as_norwegian_and_yes_is_not_a_boolean(tmp_path):
    assert load_mapping(write(tmp_path, "languages:\n  no: nb-NO\n")).languages["no"] == "nb-NO"
    assert "identity.merge_across_stores: expected true or false, got 'yes'" in problems_of(
        write(tmp_path, "identity:\n  merge_across_stores: yes\n", "yes.yaml"))


def test_every_problem_is_reported_at_once(tmp_path):
    text = problems_of(write(tmp_path, "order_status:\n  SHIPPD: completed\ncurrencies:\n  JPY: {minor_units: two}\n"))
    assert "order_status.SHIPPD" in text and "currencies.JPY.minor_units" in text


def test_broken_yaml_names_file_and_line(tmp_path):
    text = problems_of(write(tmp_path, "order_status:\n  PENDING: [pending,\n"))
    assert "not valid YAML" in text and "line 3" in text


def test_top_level_must_be_a_mapping(tmp_path):
    assert "(top level): expected a mapping of sections" in problems_of(write(tmp_path, "- pending\n"))


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "absent.yaml"
    assert "cannot read the file" in problems_of(path)


def test_unconfigured_currency_says_which_key_to_add():
    with pytest.raises(KeyError, match=r"currencies\.CHF\.minor_units"):
        load_mapping().currency("CHF")
