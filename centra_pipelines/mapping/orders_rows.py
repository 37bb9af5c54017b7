"""Customers, orders (with lines, shipments, applied vouchers), returns and vouchers: nested Centra
rows into flat table frames, as the mapping file says (pure pandas, no Dagster).

Fields are extracted with the mapping's `fields` section (`map_fields`), so the column names are the
mapping's; the tables in warehouse.model use the default names. Money becomes decimals in the order
currency with its minor units and rounding, plus the base-currency amount from Centra's
`currencyBaseRate`; dates become UTC; statuses are mapped with the mapping's status sections. A
value the mapping does not cover (a status, a currency, a required field) is left None here and
named by `mapping_gaps`, for the mapping_completeness check.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from centra_pipelines.mapping.config import Mapping
from centra_pipelines.mapping.fields import map_fields, missing_required_fields
from centra_pipelines.mapping.money import to_base_money, to_money
from centra_pipelines.mapping.status import (map_order_status, map_refund_status, map_return_status,
                                             map_shipment_status, refund_entry_statuses, unmapped_shipment_states,
                                             unmapped_values)
from centra_pipelines.mapping.timestamps import to_utc_series
from centra_pipelines.warehouse import model


def utc_day(moments: pd.Series) -> pd.Series:
    """The daily partition key (UTC date, 'YYYY-MM-DD') of each instant; None where missing."""
    if isinstance(moments.dtype, pd.DatetimeTZDtype):  # as flattened: formatted as one column
        return pd.Series(moments.dt.strftime("%Y-%m-%d").to_numpy(dtype=object), index=moments.index,
                         dtype=object).where(moments.notna(), None)
    return pd.Series([None if pd.isna(m) else m.strftime("%Y-%m-%d") for m in moments], index=moments.index,
                     dtype=object)


def _columns(frame: pd.DataFrame, spec) -> pd.DataFrame:
    for column in spec.columns:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(spec.columns)]


def _utc(frame: pd.DataFrame, columns: list[str], mapping: Mapping) -> pd.DataFrame:
    for column in columns:
        frame[column] = to_utc_series(frame[column], mapping.store_timezone, errors="coerce")
    return frame


def _configured(code, mapping: Mapping) -> bool:
    return isinstance(code, str) and code in mapping.currencies


def _money(values: pd.Series, currencies: pd.Series, mapping: Mapping) -> pd.Series:
    """Amounts in their currency's minor units; None for a missing amount or an unconfigured currency."""
    out = [to_money(v, c, mapping) if _configured(c, mapping) and not _missing(v) else None
           for v, c in zip(values.tolist(), currencies.tolist())]
    return pd.Series(out, index=values.index, dtype=object)


def _base(values: pd.Series, currencies: pd.Series, rates: pd.Series, base_currency: str | None,
          mapping: Mapping) -> pd.Series:
    ok = _configured(base_currency, mapping)
    out = [to_base_money(v, c, r, base_currency, mapping)
           if ok and _configured(c, mapping) and not _missing(v) and not _missing(r) else None
           for v, c, r in zip(values.tolist(), currencies.tolist(), rates.tolist())]
    return pd.Series(out, index=values.index, dtype=object)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def _id(obj) -> int | str | None:
    return obj.get("id") if isinstance(obj, dict) else None


# --- customers -------------------------------------------------------------------------------

def customers(rows: list[dict], mapping: Mapping) -> dict[str, pd.DataFrame]:
    """Customers (identity resolution reads their e-mail and their orders' billing e-mail later)."""
    frame = map_fields(rows, "customers", mapping)
    frame = _utc(frame, ["created_at", "updated_at"], mapping)
    frame["partition"] = utc_day(frame["updated_at"])
    return {"customers": _columns(frame, model.CUSTOMERS)}


# --- orders ----------------------------------------------------------------------------------

def orders(rows: list[dict], mapping: Mapping, base_currency: str | None) -> dict[str, pd.DataFrame]:
    """One page of orders as orders, order_lines, shipments and applied_vouchers frames."""
    o = map_fields(rows, "orders", mapping)
    o = _utc(o, ["order_date", "created_at", "updated_at"], mapping)
    o["status"] = map_order_status(o["centra_status"], mapping,
                                   {flag: o[col] for flag, col in (("isOnHold", "is_on_hold"),) if col in o})
    o["base_currency"] = base_currency
    for column in ("lines_total", "shipping", "handling", "discounts", "tax_included", "tax_added", "grand_total"):
        if column not in o:  # a mapping without the field: the amount is unknown, not zero
            o[column] = None
        o[column] = _money(o[column], o["currency"], mapping)
        o[f"{column}_base"] = _base(o[column], o["currency"], o["currency_base_rate"], base_currency, mapping)
    o["partition"] = utc_day(o["updated_at"])
    by_id = {r["id"]: (r, i) for i, r in enumerate(rows)}

    def children(field: str, table: str) -> pd.DataFrame:
        records, owners = [], []
        for r in rows:
            for child in r.get(field) or []:
                records.append(child)
                owners.append(r["id"])
        frame = map_fields(records, table, mapping)
        owner = o.set_index("id").reindex(owners) if len(o) else o
        frame["order_id"] = owners
        frame["order_number"] = [by_id[i][0].get("number") for i in owners]
        frame["currency"] = owner["currency"].tolist() if len(owners) else []
        frame["order_updated_at"] = owner["updated_at"].tolist() if len(owners) else []
        frame["partition"] = owner["partition"].tolist() if len(owners) else []
        frame["_rate"] = owner["currency_base_rate"].tolist() if len(owners) else []
        frame["_records"] = records
        return frame

    lines = children("lines", "order_lines")
    lines["size_id"] = [_id(rec.get("productSize")) for rec in lines["_records"]]
    for column in ("unit_price", "unit_original_price", "line_value"):
        lines[column] = _money(lines[column], lines["currency"], mapping)
    lines["line_value_base"] = _base(lines["line_value"], lines["currency"], lines["_rate"], base_currency, mapping)
    # Prices include tax: the taxable amount is the line's value without it, the tax the difference.
    lines["taxable_value"] = _money(pd.Series([(rec.get("taxableValue") or {}).get("value") for rec in lines["_records"]],
                                              index=lines.index, dtype=object), lines["currency"], mapping)
    lines["tax_amount"] = [None if _missing(g) or _missing(n) else g - n
                           for g, n in zip(lines["line_value"], lines["taxable_value"])]

    ships = children("shipments", "shipments")
    ships = _utc(ships, ["shipped_at", "created_at", "updated_at"], mapping)
    flags = pd.DataFrame({flag: [rec.get(flag) for rec in ships["_records"]]
                          for flag in ("isGoodToGo", "isShipped", "isPaid", "isCaptured", "isOnHold", "isPrinted")},
                         index=ships.index)
    ships["status"] = map_shipment_status(flags, mapping) if len(ships) else pd.Series(dtype=object)
    ships["grand_total"] = _money(ships["grand_total"], ships["currency"], mapping)
    ships["grand_total_base"] = _base(ships["grand_total"], ships["currency"], ships["currency_base_rate"],
                                      base_currency, mapping)

    vouchers = []
    for r in rows:
        for position, d in enumerate(r.get("discountsApplied") or [], start=1):
            vouchers.append({"order_id": r["id"], "position": position, "order_number": r.get("number"),
                             "kind": d.get("__typename"), "voucher_id": _id(d.get("voucher")),
                             "voucher_name": d.get("voucherName"), "code": d.get("code"),
                             "amount": (d.get("value") or {}).get("value"), "applied_at": d.get("date")})
    applied = pd.DataFrame(vouchers, columns=["order_id", "position", "order_number", "kind", "voucher_id",
                                              "voucher_name", "code", "amount", "applied_at"])
    owner = o.set_index("id").reindex(applied["order_id"].tolist()) if len(o) else o
    applied["currency"] = owner["currency"].tolist() if len(applied) else []
    applied["order_updated_at"] = owner["updated_at"].tolist() if len(applied) else []
    applied["partition"] = owner["partition"].tolist() if len(applied) else []
    applied["amount"] = _money(applied["amount"], applied["currency"], mapping)
    applied["amount_base"] = _base(applied["amount"], applied["currency"],
                                   pd.Series(owner["currency_base_rate"].tolist() if len(applied) else [],
                                             index=applied.index, dtype=object), base_currency, mapping)
    applied = _utc(applied, ["applied_at"], mapping)
    # A wholesale order's buyer; the newest order's snapshot of a buyer wins (conflict rule).
    buyer_rows: dict[int, dict] = {}
    for r, updated in zip(rows, o["updated_at"]):
        b = r.get("buyer")
        if not b or b.get("id") is None:
            continue
        seen = buyer_rows.get(b["id"])
        if seen is None or pd.isna(seen["order_updated_at"]) or (not pd.isna(updated) and updated >= seen["order_updated_at"]):
            buyer_rows[b["id"]] = {"id": b["id"], "account_id": _id(r.get("account")), "first_name": b.get("firstName"),
                                   "last_name": b.get("lastName"), "email": b.get("email"), "order_updated_at": updated}
    buyers = pd.DataFrame(list(buyer_rows.values()), columns=list(model.BUYERS.columns))
    buyers["account_id"] = buyers["account_id"].astype("Int64")
    return {
        "orders": _columns(o, model.ORDERS),
        "order_lines": _columns(lines, model.ORDER_LINES),
        "shipments": _columns(ships, model.SHIPMENTS),
        "applied_vouchers": _columns(applied, model.APPLIED_VOUCHERS),
        "buyers": buyers,
    }


# --- returns ---------------------------------------------------------------------------------

def returns(rows: list[dict], mapping: Mapping, base_currency: str | None) -> pd.DataFrame:
    """Returns with their refunds (successful refundPaymentHistory entries) and mapped states.

    Centra's `ReturnStatus` is not confirmed by public sources (a strict schema lacks
    `returnStatus`); when it is absent, COMPLETED is read from `returnedToStock`.
    """
    r = map_fields(rows, "returns", mapping)
    r["return_type"] = [row.get("__typename") for row in rows]
    r["order_id"] = [_id(row.get("order")) for row in rows]
    r["order_number"] = [(row.get("order") or {}).get("number") for row in rows]
    r["shipment_id"] = [_id(row.get("shipment")) for row in rows]
    derived = pd.Series(["COMPLETED" if row.get("returnedToStock") else "PENDING" for row in rows],
                        index=r.index, dtype=object)
    r["centra_return_status"] = r["centra_return_status"].where(r["centra_return_status"].notna(), derived)
    entries = pd.Series([row.get("refundPaymentHistory") or [] for row in rows], index=r.index, dtype=object)
    r["status"] = map_return_status(r["centra_status"], r["centra_return_status"], mapping)
    r["refund_status"] = map_refund_status(entries, mapping)
    succeeded = [[e for e in es if e.get("status") == "SUCCESS"] for es in entries]
    r["refunded"] = [sum((Decimal(repr(float((e.get("value") or {}).get("value") or 0))) for e in es), Decimal(0))
                     for es in succeeded]
    r["refunded_at"] = [max((e.get("createdAt") for e in es), default=None) for es in succeeded]
    r = _utc(r, ["created_at", "refunded_at"], mapping)
    for column in ("grand_total", "refunded"):
        r[column] = _money(r[column], r["currency"], mapping)
        r[f"{column}_base"] = _base(r[column], r["currency"], r["currency_base_rate"], base_currency, mapping)
    r["partition"] = utc_day(r["created_at"])
    return _columns(r, model.RETURNS)


def fill_orders_from_shipments(returns_frame: pd.DataFrame, shipment_orders: dict[int, tuple]) -> pd.DataFrame:
    """A wholesale return names its order only through its shipment: its order id and number taken from
    `shipment_orders` (shipment id -> (order id, order number)); left empty for a shipment not in it."""
    for i in returns_frame.index[returns_frame["order_id"].isna() & returns_frame["shipment_id"].notna()]:
        returns_frame.at[i, "order_id"], returns_frame.at[i, "order_number"] = shipment_orders.get(
            int(returns_frame.at[i, "shipment_id"]), (None, None))
    return returns_frame


def return_lines(rows: list[dict], mapping: Mapping) -> pd.DataFrame:
    """A page of returns' lines: the order line and shipment line each returns, by position in the return,
    in their return's partition."""
    frame = pd.DataFrame([{"return_id": r["id"], "position": k, "order_line_id": _id(line.get("orderLine")),
                           "shipment_line_id": _id(line.get("shipmentLine")), "created_at": r.get("createdAt")}
                          for r in rows for k, line in enumerate(r.get("lines") or [])],
                         columns=["return_id", "position", "order_line_id", "shipment_line_id", "created_at"])
    frame = _utc(frame.astype({"order_line_id": "Int64", "shipment_line_id": "Int64"}), ["created_at"], mapping)
    frame["partition"] = utc_day(frame["created_at"])
    return _columns(frame, model.RETURN_LINES)


# --- vouchers --------------------------------------------------------------------------------

def vouchers(rows: list[dict], mapping: Mapping) -> pd.DataFrame:
    v = map_fields(rows, "vouchers", mapping)
    return _columns(_utc(v, ["start_at", "stop_at"], mapping), model.VOUCHERS)


# --- what the mapping does not cover ---------------------------------------------------------

def mapping_gaps(table: str, rows: list[dict], frame: pd.DataFrame, mapping: Mapping) -> list[str]:
    """Statuses, currencies and required fields in this page that the mapping does not cover, each
    named with the mapping key to add (empty when the mapping covers the page)."""
    gaps = [f"fields.{table}.{path}: required field missing in {n} row(s)"
            for path, n in missing_required_fields(frame, table, mapping).items()]
    if table == "orders":
        gaps += [f"order_status.{v}: Centra order status not mapped" for v in
                 sorted(unmapped_values(frame["centra_status"], mapping.order_status))]
    if table == "shipments" and len(frame):
        flags = pd.DataFrame({flag: frame[col] for flag, col in (
            ("isGoodToGo", "is_good_to_go"), ("isShipped", "is_shipped"), ("isPaid", "is_paid"),
            ("isCaptured", "is_captured"), ("isOnHold", "is_on_hold"))})
        flags["isPrinted"] = None
        gaps += [f"shipment_status: no rule matches shipments with {s}" for s in
                 sorted(unmapped_shipment_states(flags, mapping))]
    if table == "returns":
        gaps += [f"returns.return_status.{v}: Centra return status not mapped" for v in
                 sorted(unmapped_values(frame.loc[~frame["centra_status"].isin(list(mapping.returns.record_status)),
                                                  "centra_return_status"], mapping.returns.return_status))]
        entries = pd.Series([row.get("refundPaymentHistory") or [] for row in rows], dtype=object)
        gaps += [f"returns.refund_status.{v}: refund entry status not mapped" for v in
                 sorted(unmapped_values(refund_entry_statuses(entries), mapping.returns.refund_status))]
    if "currency" in frame:
        gaps += [f"currencies.{c}: currency not configured (minor_units, rounding)" for c in
                 sorted(unmapped_values(frame["currency"], mapping.currencies))]
    return gaps


__all__ = ["customers", "mapping_gaps", "orders", "returns", "utc_day", "vouchers"]
