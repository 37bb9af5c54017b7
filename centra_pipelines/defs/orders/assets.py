"""Orders (DTC and wholesale) with their lines, shipments and applied vouchers, and returns with refunds.

Daily change windows (defs/windows.py): orders by `updatedAt`, returns by `createdAt` (Centra's
Return has no updatedAt). A range of days is one run (single-run backfill policy); each run also
re-reads the mapping's `lookback_days` before its first day. Money is stored in the order currency
with its minor units plus the base-currency amount; all times are UTC; statuses are mapped by the
mapping file. Checks computed on the rows of the run: contracts, mapping_completeness,
currency_consistency (order currency = its pricelist's), totals (lines + shipping + handling −
discounts = grand total within one minor unit; the discount is taken off whichever sign Centra
reports it with, since the public schema does not say, and the signs seen are in the metadata),
line_tax (tax = rate × taxable value within one minor unit) and wholesale_accounts (every wholesale
order's account is synced). Wholesale buyers, which Centra lists only on wholesale orders, are
written from the same pages.
"""


from decimal import Decimal

import dagster as dg
import pandas as pd

from centra_pipelines.centra.lists import base_currency
from centra_pipelines.defs.checks import completeness_result, completeness_spec, contract_check_spec, materialize_results
from centra_pipelines.defs.pulls import KINDS, POOL
from centra_pipelines.defs.resources import CentraResource, WarehouseResource
from centra_pipelines.defs.windows import BACKFILL, WindowConfig, daily_partitions, pull_window, window_run
from centra_pipelines.mapping import Mapping
from centra_pipelines.mapping import orders_rows
from centra_pipelines.mapping.money import discount_sign, quantum, totals_consistent
from centra_pipelines.warehouse import model
from centra_pipelines.warehouse.model import (
    APPLIED_VOUCHERS,
    BUYERS,
    ORDERS,
    ORDER_LINES,
    RETURNS,
    RETURN_LINES,
    SHIPMENTS,
)
from centra_pipelines.warehouse.reads import keys
from centra_pipelines.warehouse.reads import orders as order_reads

GROUP = "orders"
FIRST_CASES = 20
CURRENCY_CONSISTENCY = "currency_consistency"
TOTALS = "totals"

ORDER_TABLES = [ORDERS, ORDER_LINES, SHIPMENTS, APPLIED_VOUCHERS, BUYERS]
LINE_TAX = "line_tax"
WHOLESALE_ACCOUNTS = "wholesale_accounts"


def pricelist_currencies(wh) -> dict[int, str] | None:
    try:
        return order_reads.pricelist_currencies(wh)
    except Exception:  # noqa: BLE001 - the markets group has not run yet: the check says so
        return None


def stored_accounts(wh) -> set[int] | None:
    try:
        return keys.live_ids(wh, model.ACCOUNTS)
    except Exception:  # noqa: BLE001 - the wholesale group has not run yet: the check says so
        return None


def _check_lines_tax(lines: pd.DataFrame, mapping: Mapping, wrong_tax: list[dict]) -> None:
    """tax = rate × taxable amount, within one minor unit of the currency (a cent)."""
    for line in lines.itertuples(index=False):
        if line.currency not in mapping.currencies or any(
                v is None or pd.isna(v) for v in (line.tax_amount, line.taxable_value, line.tax_percent)):
            continue
        expected = line.taxable_value * Decimal(repr(float(line.tax_percent))) / 100
        if abs(line.tax_amount - expected) > quantum(line.currency, mapping):
            wrong_tax.append({"order": int(line.order_number), "line": int(line.id), "currency": line.currency,
                              "tax_percent": float(line.tax_percent), "taxable": str(line.taxable_value),
                              "tax": str(line.tax_amount), "expected": str(round(expected, 4))})


def _check_page(frames: dict[str, pd.DataFrame], mapping: Mapping, pricelists: dict[int, str] | None,
                wrong_currency: list[dict], wrong_totals: list[dict], signs: dict[str, int]) -> None:
    orders, lines = frames["orders"], frames["order_lines"]
    by_order = lines.groupby("order_id")["line_value"].apply(list).to_dict() if len(lines) else {}
    for o in orders.itertuples(index=False):
        if pricelists is not None:
            expected = pricelists.get(int(o.pricelist_id)) if not pd.isna(o.pricelist_id) else None
            if expected != o.currency:
                wrong_currency.append({"order": int(o.number), "currency": o.currency,
                                       "pricelist_id": None if pd.isna(o.pricelist_id) else int(o.pricelist_id),
                                       "pricelist_currency": expected})
        parts = [o.shipping, o.handling, o.discounts, o.grand_total, *by_order.get(o.id, [])]
        if o.currency not in mapping.currencies or any(p is None for p in parts):
            continue
        if (sign := discount_sign(o.discounts)) is not None:
            signs[sign] = signs.get(sign, 0) + 1
        if not totals_consistent(by_order.get(o.id, []), o.shipping, o.handling, o.discounts, o.grand_total,
                                 o.currency, mapping):
            wrong_totals.append({"order": int(o.number), "currency": o.currency, "grand_total": str(o.grand_total),
                                 "lines": str(sum(by_order.get(o.id, []))), "shipping": str(o.shipping),
                                 "handling": str(o.handling), "discounts": str(o.discounts)})


@dg.multi_asset(
    specs=[
        dg.AssetSpec("orders", group_name=GROUP, kinds=KINDS, deps=["pricelists"], partitions_def=daily_partitions,
                     description="Centra orders, DTC and wholesale (partition = UTC day of updatedAt): number, "
                                 "mapped status, money in the order currency and the base currency, UTC times."),
        dg.AssetSpec("order_lines", group_name=GROUP, kinds=KINDS,
                     description="Order lines with SKU, quantities (ordered, cancelled, shipped, returned) and "
                                 "prices in the order currency; written with their order (its partition is a column)."),
        dg.AssetSpec("shipments", group_name=GROUP, kinds=KINDS,
                     description="Shipments of each order with the mapped fulfilment state; written with their "
                                 "order (its partition is a column)."),
        dg.AssetSpec("applied_vouchers", group_name=GROUP, kinds=KINDS,
                     description="Vouchers and admin discounts applied to each order, with the amount taken off."),
        dg.AssetSpec("buyers", group_name="wholesale", kinds=KINDS,
                     description="Wholesale buyers (the people who place an account's orders): name, e-mail and "
                                 "account, from the wholesale orders of each window (Centra lists buyers nowhere "
                                 "else); the newest order's snapshot wins."),
    ],
    # Nothing downstream reads buyers: their bad rows never block the order tables.
    check_specs=[*(contract_check_spec(t, blocking=t is not BUYERS) for t in ORDER_TABLES), completeness_spec("orders"),
                 completeness_spec("shipments"),
                 dg.AssetCheckSpec(CURRENCY_CONSISTENCY, asset="orders", blocking=False,
                                   description="Each order's currency is its pricelist's currency."),
                 dg.AssetCheckSpec(TOTALS, asset="orders", blocking=False,
                                   description="lines + shipping + handling − discounts (either sign) = grand total, within one "
                                               "minor unit of the order currency."),
                 dg.AssetCheckSpec(LINE_TAX, asset="order_lines", blocking=False,
                                   description="Each line's tax (value with tax − taxable value) equals its tax rate × "
                                               "the taxable value, within one minor unit of the order currency."),
                 dg.AssetCheckSpec(WHOLESALE_ACCOUNTS, asset="orders", blocking=False, additional_deps=["accounts"],
                                   description="Every wholesale order's account is among the synced accounts.")],
    backfill_policy=BACKFILL,
    pool=POOL,
)
def order_windows(context: dg.AssetExecutionContext, config: WindowConfig, centra: CentraResource,
                  warehouse: WarehouseResource):
    """Orders changed in the run's days (plus the lookback), nested with lines, shipments and vouchers."""
    with window_run(context, config, centra, warehouse, "orders", ORDER_TABLES) as window:
        mapping, start, end, client, wh, writer = window
        base = base_currency(client)
        pricelists = pricelist_currencies(wh)
        gaps: dict[str, set[str]] = {"orders": set(), "shipments": set()}
        wrong_currency: list[dict] = []
        wrong_totals: list[dict] = []
        signs: dict[str, int] = {}  # orders by the sign their totals.discounts had
        wrong_tax: list[dict] = []
        accounts = stored_accounts(wh)
        without_account: list[dict] = []
        checked = [0, 0, 0]  # orders, lines, wholesale orders

        def on_page(rows: list[dict], frames: dict[str, pd.DataFrame]) -> None:
            gaps["orders"].update(orders_rows.mapping_gaps("orders", rows, frames["orders"], mapping))
            gaps["shipments"].update(orders_rows.mapping_gaps("shipments", rows, frames["shipments"], mapping))
            _check_page(frames, mapping, pricelists, wrong_currency, wrong_totals, signs)
            _check_lines_tax(frames["order_lines"], mapping, wrong_tax)
            wholesale = frames["orders"][frames["orders"]["order_type"] == "WholesaleOrder"]
            without_account.extend({"order": int(o.number), "account_id": None if pd.isna(o.account_id) else int(o.account_id)}
                                   for o in wholesale.itertuples(index=False)
                                   if accounts is None or pd.isna(o.account_id) or int(o.account_id) not in accounts)
            checked[0] += len(frames["orders"])
            checked[1] += len(frames["order_lines"])
            checked[2] += len(wholesale)

        pulled = pull_window(context, client, writer, "orders", "updatedAt", start, end,
                             lambda rows: orders_rows.orders(rows, mapping, base),
                             page_size=mapping.sync.orders_page_size, timezone_name=mapping.store_timezone,
                             on_page=on_page)
        no_pricelists = {"pricelists": "not synced: run reference_and_catalog_job first"} if pricelists is None else {}
        checks = {
            "orders": [
                completeness_result("orders", gaps["orders"]),
                dg.AssetCheckResult(asset_key="orders", check_name=CURRENCY_CONSISTENCY,
                                    passed=pricelists is not None and not wrong_currency,
                                    severity=dg.AssetCheckSeverity.ERROR,
                                    metadata={"orders_checked": checked[0], "orders_off": len(wrong_currency),
                                              **no_pricelists,
                                              "first_failures": dg.MetadataValue.json(wrong_currency[:FIRST_CASES])}),
                dg.AssetCheckResult(asset_key="orders", check_name=TOTALS, passed=not wrong_totals,
                                    severity=dg.AssetCheckSeverity.ERROR,
                                    metadata={"orders_checked": checked[0], "orders_off": len(wrong_totals),
                                              "discount_signs_seen": dg.MetadataValue.json(signs),
                                              "first_failures": dg.MetadataValue.json(wrong_totals[:FIRST_CASES])}),
            ],
            "shipments": [completeness_result("shipments", gaps["shipments"])],
            "order_lines": [
                dg.AssetCheckResult(asset_key="order_lines", check_name=LINE_TAX, passed=not wrong_tax,
                                    severity=dg.AssetCheckSeverity.WARN,
                                    metadata={"lines_checked": checked[1], "lines_off": len(wrong_tax),
                                              "first_failures": dg.MetadataValue.json(wrong_tax[:FIRST_CASES])}),
            ],
        }
        no_accounts = {"accounts": "not synced: run reference_and_catalog_job first"} if accounts is None else {}
        checks["orders"].append(dg.AssetCheckResult(
            asset_key="orders", check_name=WHOLESALE_ACCOUNTS, passed=not without_account,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"wholesale_orders_checked": checked[2], "orders_without_account": len(without_account),
                      "missing_accounts": dg.MetadataValue.json(sorted({o["account_id"] for o in without_account
                                                                        if o["account_id"] is not None})),
                      **no_accounts, "first_failures": dg.MetadataValue.json(without_account[:FIRST_CASES])}))
        yield from materialize_results(writer, client.stats, checks=checks, context=context, window_start=start.isoformat(),
                                       window_end=end.isoformat(), base_currency=base or "", orders=pulled.rows, centra_as_of=pulled.as_of)


@dg.multi_asset(
    specs=[
        dg.AssetSpec("returns", group_name=GROUP, kinds=KINDS, deps=["orders"], partitions_def=daily_partitions,
                     description="Returns (partition = UTC day of createdAt: Centra's Return has no updatedAt) with "
                                 "the mapped return and refund states, and refunds (successful refundPaymentHistory "
                                 "entries) in the order currency and the base currency. A wholesale return's order "
                                 "is found through its shipment."),
        dg.AssetSpec("return_lines", group_name=GROUP, kinds=KINDS,
                     description="The lines of each return: the order line and shipment line returned, by position "
                                 "in the return; written with their return (its partition is a column)."),
    ],
    check_specs=[contract_check_spec(RETURNS), completeness_spec("returns"), contract_check_spec(RETURN_LINES)],
    backfill_policy=BACKFILL,
    pool=POOL,
)
def returns(context: dg.AssetExecutionContext, config: WindowConfig, centra: CentraResource,
            warehouse: WarehouseResource):
    """Returns of the run's days (by createdAt, plus the lookback) with their lines and refunds."""
    with window_run(context, config, centra, warehouse, "returns", [RETURNS, RETURN_LINES], "createdAt") as window:
        mapping, start, end, client, wh, writer = window
        base = base_currency(client)
        wh.ensure_tables([model.SHIPMENTS])
        via_shipment = order_reads.shipment_orders(wh)
        gaps: set[str] = set()

        def flatten(rows: list[dict]) -> dict[str, pd.DataFrame]:
            frame = orders_rows.fill_orders_from_shipments(orders_rows.returns(rows, mapping, base), via_shipment)
            gaps.update(orders_rows.mapping_gaps("returns", rows, frame, mapping))
            return {"returns": frame, "return_lines": orders_rows.return_lines(rows, mapping)}

        pulled = pull_window(context, client, writer, "returns", "createdAt", start, end, flatten,
                             page_size=mapping.sync.page_size, timezone_name=mapping.store_timezone)
        yield from materialize_results(writer, client.stats, checks={"returns": [completeness_result("returns", gaps)]},
                                       context=context,
                                       window_start=start.isoformat(), window_end=end.isoformat(), returns=pulled.rows, centra_as_of=pulled.as_of)


ASSETS = [order_windows, returns]
