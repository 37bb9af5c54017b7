"""Centra statuses into our canonical ones, as the mapping file says.

Every function returns a Series aligned with its input, holding the canonical status or None
where the mapping has no answer; `unmapped_values` names what was not covered, for the
mapping_completeness check.

Order rule: a true flag (order_flags; `isOnHold` is the one order flag Centra's public schema
serves as a field) takes precedence over the status — an order on hold reads `on_hold` whatever its status — and when several flags are true
the first listed in the mapping wins. A missing or null flag counts as false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping as AnyMapping

import numpy as np
import pandas as pd

from centra_pipelines.mapping.config import Mapping

Flags = pd.DataFrame | AnyMapping[str, pd.Series]


def mapped_enum_values(mapping: Mapping) -> dict[str, set[str]]:
    """Centra enums whose every value needs a mapping, with the values this mapping maps."""
    return {"OrderStatus": set(mapping.order_status), "ReturnStatus": set(mapping.returns.return_status),
            "PaymentHistoryEntryStatus": set(mapping.returns.refund_status)}


def map_order_status(status: pd.Series, mapping: Mapping, flags: Flags | None = None) -> pd.Series:
    """Canonical order status from Centra's `status` and flags keyed by Centra flag name."""
    result = _lookup(status, mapping.order_status)
    flags = flags if flags is not None else {}
    # Apply in reverse precedence so that the first listed flag is written last and wins.
    for flag, canonical in reversed(list(mapping.order_flags.items())):
        if flag in flags:
            result = _put(result, _true(flags[flag], status.index), canonical)
    return result


def map_shipment_status(flags: Flags, mapping: Mapping) -> pd.Series:
    """Fulfilment state from the shipment flags (isGoodToGo, isShipped, isPaid, isCaptured, …).

    Rules are tried in file order; the first whose `when` flags all match wins. A flag a rule
    needs must be present (KeyError naming it); a null flag matches no condition.
    """
    frame = pd.DataFrame(flags)
    result = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for rule in reversed(mapping.shipment_status):
        match = pd.Series(True, index=frame.index)
        for flag, wanted in rule.when.items():
            if flag not in frame:
                raise KeyError(f"shipment_status needs the shipment flag {flag!r}, which the data lacks")
            match &= _flag_is(frame[flag], wanted)
        result = _put(result, match, rule.status)
    return result


def unmapped_shipment_states(flags: Flags, mapping: Mapping) -> set[str]:
    """The flag combinations no shipment rule covers, e.g. {'isGoodToGo=false, isShipped=false'}."""
    frame = pd.DataFrame(flags)
    unmapped = frame[map_shipment_status(frame, mapping).isna()]
    names = sorted({flag for rule in mapping.shipment_status for flag in rule.when} & set(frame.columns))
    return {", ".join(f"{n}={_show(row[n])}" for n in names) for _, row in unmapped.iterrows()}


def map_return_status(record_status: pd.Series, return_status: pd.Series, mapping: Mapping) -> pd.Series:
    """A record status mapped in returns.record_status (CANCELLED) wins; otherwise returnStatus."""
    by_return = _lookup(return_status, mapping.returns.return_status)
    by_record = _lookup(record_status, mapping.returns.record_status)
    return _put(by_return, by_record.notna(), by_record)


def map_refund_status(refund_entries: pd.Series, mapping: Mapping) -> pd.Series:
    """Refund state per return from its refundPaymentHistory (a list of entries with `status`).

    The first status in returns.refund_status that any entry has wins; no entries gives
    returns.no_refund; entries whose statuses are all unmapped give None.
    """
    order = list(mapping.returns.refund_status.items())

    def one(entries) -> str | None:
        if not isinstance(entries, Iterable) or isinstance(entries, (str, bytes)) or not list(entries):
            return mapping.returns.no_refund
        present = {e.get("status") for e in entries if isinstance(e, dict)}
        return next((canonical for centra, canonical in order if centra in present), None)

    return pd.Series([one(v) for v in refund_entries.tolist()], index=refund_entries.index, dtype=object)


def refund_entry_statuses(refund_entries: pd.Series) -> pd.Series:
    """Every entry status seen, one per row (for `unmapped_values` against returns.refund_status)."""
    flat = [e.get("status") for v in refund_entries.tolist() if isinstance(v, list) for e in v if isinstance(e, dict)]
    return pd.Series(flat, dtype=object)


def unmapped_values(series: pd.Series, mapping_section: AnyMapping[str, str] | Iterable[str]) -> set:
    """The distinct non-null values of `series` the mapping section has no entry for."""
    known = set(mapping_section.keys() if isinstance(mapping_section, AnyMapping) else mapping_section)
    return {v for v in series.dropna().unique().tolist() if v not in known}


def _put(result: pd.Series, where: pd.Series, value) -> pd.Series:
    """`value` (a scalar or an aligned Series) where `where` is true, else `result`; None stays None
    (pandas' mask/where would turn it into NaN)."""
    values = value.tolist() if isinstance(value, pd.Series) else [value] * len(result)
    return pd.Series([v if w else r for r, w, v in zip(result.tolist(), where.tolist(), values)],
                     index=result.index, dtype=object)


def _lookup(series: pd.Series, section: AnyMapping[str, str]) -> pd.Series:
    return pd.Series([section.get(v) if isinstance(v, str) else None for v in series.tolist()],
                     index=series.index, dtype=object)


def _true(flag: pd.Series | Iterable, index: pd.Index) -> pd.Series:
    values = flag if isinstance(flag, pd.Series) else pd.Series(list(flag), index=index)
    return _flag_is(values, True)


def _flag_is(column: pd.Series, wanted: bool) -> pd.Series:
    """column == wanted for boolean flags; None/NaN/NA match neither true nor false."""
    return pd.Series([isinstance(v, (bool, np.bool_)) and bool(v) == wanted for v in column.tolist()],
                     index=column.index, dtype=bool)


def _show(value) -> str:
    return "null" if pd.isna(value) else str(bool(value)).lower()


__all__ = ["map_order_status", "map_refund_status", "map_return_status", "map_shipment_status",
           "refund_entry_statuses", "unmapped_shipment_states", "unmapped_values"]
