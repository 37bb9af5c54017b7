"""Order, shipment, return and refund statuses mapped as configured; unmapped values named."""

from __future__ import annotations

import pandas as pd
import pytest

from centra_pipelines.mapping.config import load_mapping
from centra_pipelines.mapping.status import (map_order_status, map_refund_status, map_return_status,
                                             map_shipment_status, refund_entry_statuses, unmapped_shipment_states,
                                             unmapped_values)


@pytest.fixture(scope="module")
def mapping():
    return load_mapping()


def test_every_centra_order_status_maps_and_shipped_means_completed(mapping):
    statuses = pd.Series(["INCOMPLETE", "PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "CANCELLED", "ARCHIVED"])
    assert map_order_status(statuses, mapping).tolist() == [
        "incomplete", "pending", "confirmed", "processing", "completed", "cancelled", "archived"]


def test_hold_flag_takes_precedence_over_the_status(mapping):
    orders = pd.DataFrame({
        "status": ["PENDING", "PENDING", "CONFIRMED", "PROCESSING", "SHIPPED"],
        "isOnHold": [False, True, True, None, False],
    })
    result = map_order_status(orders["status"], mapping, {"isOnHold": orders["isOnHold"]})
    assert result.tolist() == ["pending", "on_hold", "on_hold", "processing", "completed"]


def test_a_flag_removed_in_the_file_no_longer_overrides(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("order_flags:\n  isOnHold: null\n")
    without = load_mapping(path)
    assert without.order_flags == {}
    flags = {"isOnHold": pd.Series([True])}
    assert map_order_status(pd.Series(["PENDING"]), without, flags).tolist() == ["pending"]
    assert map_order_status(pd.Series(["PENDING"]), load_mapping(), flags).tolist() == ["on_hold"]


def test_unmapped_order_status_is_none_and_named(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("order_status:\n  ARCHIVED: null\n")
    mapping = load_mapping(path)
    statuses = pd.Series(["SHIPPED", "ARCHIVED", None, "ARCHIVED", "PENDING"])
    assert map_order_status(statuses, mapping).tolist() == ["completed", None, None, None, "pending"]
    assert unmapped_values(statuses, mapping.order_status) == {"ARCHIVED"}
    assert unmapped_values(pd.Series(["SHIPPED", "ON_THE_MOON"]), load_mapping().order_status) == {"ON_THE_MOON"}


def test_shipment_states_from_flags(mapping):
    flags = pd.DataFrame({
        "isGoodToGo": [False, True, True, True, True, True],
        "isPaid": [False, False, True, True, True, False],
        "isShipped": [False, False, False, True, True, False],
        "isCaptured": [False, False, False, True, False, False],
        "isOnHold": [False, False, False, False, False, True],
    })
    assert map_shipment_status(flags, mapping).tolist() == [
        "pending", "awaiting_payment", "ready_to_ship", "shipped", "shipped_not_captured", "on_hold"]
    assert unmapped_shipment_states(flags, mapping) == set()


def test_shipment_combination_without_a_rule_is_named(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("shipment_status:\n  - {status: shipped, when: {isShipped: true}}\n"
                    "  - {status: ready_to_ship, when: {isGoodToGo: true}}\n")
    mapping = load_mapping(path)
    flags = pd.DataFrame({"isGoodToGo": [True, False], "isShipped": [True, False]})
    assert map_shipment_status(flags, mapping).tolist() == ["shipped", None]
    assert unmapped_shipment_states(flags, mapping) == {"isGoodToGo=false, isShipped=false"}


def test_shipment_rule_needing_an_absent_flag_says_which(mapping):
    with pytest.raises(KeyError, match="isCaptured"):
        map_shipment_status(pd.DataFrame({"isGoodToGo": [True], "isShipped": [True], "isOnHold": [False],
                                          "isPaid": [True]}), mapping)


def test_return_status_cancelled_record_wins(mapping):
    record = pd.Series(["ACTIVE", "ACTIVE", "CANCELLED", "ACTIVE"])
    returns = pd.Series(["PENDING", "COMPLETED", "COMPLETED", "REOPENED"])
    assert map_return_status(record, returns, mapping).tolist() == ["pending", "completed", "cancelled", None]
    assert unmapped_values(returns, mapping.returns.return_status) == {"REOPENED"}


def test_refund_status_from_payment_history(mapping):
    entries = pd.Series([
        [],
        [{"entryType": "REFUND", "status": "SUCCESS"}],
        [{"entryType": "REFUND", "status": "FAILED"}, {"entryType": "REFUND", "status": "PENDING"}],
        [{"entryType": "REFUND", "status": "FAILED"}, {"entryType": "REFUND", "status": "SUCCESS"}],
        None,
        [{"entryType": "REFUND", "status": "CHARGEBACK"}],
    ])
    assert map_refund_status(entries, mapping).tolist() == [
        "not_refunded", "refunded", "refund_pending", "refunded", "not_refunded", None]
    assert unmapped_values(refund_entry_statuses(entries), mapping.returns.refund_status) == {"CHARGEBACK"}
