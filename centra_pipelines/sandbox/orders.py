"""Orders with their lines, totals, discounts, payments, shipments and returns, and the vouchers that
discount them. Each function draws from the generator's main sequence in a fixed order: same seed,
same orders."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .customers import email_at, new_customer
from .reference import money
from .seeding import QUIRK_RATE, moment, pick

if TYPE_CHECKING:
    from .catalog import Catalog

ORDER_STATUSES = [("PENDING", 6), ("CONFIRMED", 9), ("PROCESSING", 10), ("SHIPPED", 55), ("CANCELLED", 8),
                  ("ARCHIVED", 12)]
TAX_PERCENT = {"SE": 25.0, "NO": 25.0, "DK": 25.0, "FI": 25.5, "DE": 19.0, "FR": 20.0, "NL": 21.0,
               "GB": 20.0, "US": 0.0, "JP": 10.0}
SHIPPING_MINOR = {"SEK": 4900, "EUR": 495, "USD": 595, "GBP": 450, "NOK": 5900, "DKK": 3900, "JPY": 800}


def order_id(seed: int, number: int) -> str:
    """An order's id once it has its number (Centra's ids are opaque strings)."""
    return hashlib.md5(f"{seed}:order:{number}".encode()).hexdigest()


def add_order(cat: Catalog, rng: random.Random, created: datetime, status: str | None = None) -> dict:
    """Create one order (with lines, totals, discounts, payments, shipments, returns) placed at `created`."""
    order = _placed(cat, rng, created, status)
    order["lines"] = _lines(cat, rng, order)
    _totals(cat, rng, order)
    _payments(cat, order)
    order["shipments"] = []
    status = order["status"]
    if status in ("SHIPPED", "ARCHIVED", "PROCESSING"):
        when = min(cat.now, created + timedelta(hours=rng.randrange(2, 72)))
        add_shipment(cat, order, when, shipped=status != "PROCESSING", rng=rng)
    cat.orders.append(order)
    if status in ("SHIPPED", "ARCHIVED") and rng.random() < 0.1 and order["shipments"]:
        when = order["shipments"][0]["shippedAt"] + timedelta(days=rng.randrange(2, 20))
        if when < cat.now:
            add_return(cat, order, when, rng=rng)
    if order["customer"] is not None:
        order["customer"]["_orders"].append(order)
    return order


def _market(cat: Catalog, rng: random.Random, wholesale: bool) -> dict:
    """Mostly an active market of the store; now and then a closed one (orders placed before it closed)."""
    store = cat.stores[1 if wholesale else 0]
    markets = [m for m in cat.markets if m["store"] is store and m["_active"]]
    return rng.choice(markets) if rng.random() > 0.02 else next(
        (m for m in cat.markets if m["store"] is store and not m["_active"]), markets[0])


def _placed(cat: Catalog, rng: random.Random, created: datetime, status: str | None) -> dict[str, Any]:
    """The order as placed: who, where, in what currency, with its addresses (lines and totals follow)."""
    wholesale = rng.random() < 0.15
    market = _market(cat, rng, wholesale)
    store, pricelist = market["store"], market["_pricelist"]
    country = rng.choice(market["assignedToCountries"] or cat.countries[:1])
    status = status or pick(rng, ORDER_STATUSES)
    if cat.strict and status == "ARCHIVED":
        status = "SHIPPED"  # strict mode does not serve the unconfirmed OrderStatus.ARCHIVED
    customer = None
    if not wholesale:
        customer = rng.choice(cat.customers) if cat.customers else new_customer(cat, rng, created)
    account = rng.choice(cat.accounts) if wholesale else None
    order: dict[str, Any] = {
        "__typename": "WholesaleOrder" if wholesale else "DirectToConsumerOrder",
        "id": hashlib.md5(f"{cat.seed}:order:{len(cat.orders)}:{created.isoformat()}".encode()).hexdigest(),
        "number": 0, "status": status, "createdAt": created, "orderDate": created, "updatedAt": created,
        "userIP": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "internalComment": None, "otherComment": "", "currencyBaseRate": pricelist["currency"]["_rate"],
        "attributes": [], "country": country, "store": store, "market": market, "pricelist": pricelist,
        "isOnHold": rng.random() < 0.03, "isLocked": False,
        "shippingPriceGroup": {"shippingOption": {"id": 1, "name": "Standard", "uri": "standard"}},
        "paymentMethod": {"name": "Adyen" if not wholesale else "Invoice", "uri": "adyen" if not wholesale else "invoice",
                          "plugin": "adyen-drop-in" if not wholesale else "invoice"},
        "externalId": None, "customer": customer, "returns": [],
        "account": account, "buyer": account["_buyer"] if account else None,
        "purchaseOrderNumber": f"PO-{rng.randrange(10**6):06d}" if wholesale else None,
        "deliveryWindows": [],
        "_waitingForPayment": status == "PENDING" and rng.random() < 0.4,
        "_wholesale": wholesale, "_tax": TAX_PERCENT[country["code"]],
    }
    person = customer or account["_buyer"]
    order["billingAddress"] = order["shippingAddress"] = {
        "firstName": person["firstName"], "lastName": person["lastName"],
        "address1": f"Gatan {rng.randrange(1, 99)}", "city": "City", "zipCode": "12345", "country": country,
        "email": email_at(customer, created) if customer else account["_buyer"]["email"]}
    if rng.random() < QUIRK_RATE / 2:
        order["country"] = None
        cat.quirks.append({"entity": "orders", "id": order["id"], "quirk": "null country"})
    return order


def _lines(cat: Catalog, rng: random.Random, order: dict) -> list[dict]:
    """One to six lines of bestselling products; a wholesale order buys by the six-pack."""
    pricelist, lines = order["pricelist"], []
    for _ in range(1 + min(int(rng.expovariate(0.8)), 5)):
        product = cat.product(bestseller(cat, rng))
        if product is None or not any(v["productSizes"] for v in product["variants"]):
            continue
        variant = rng.choice([v for v in product["variants"] if v["productSizes"]])
        size = rng.choice(variant["productSizes"])
        original = product["_prices"][pricelist["id"]]["_minor"]
        discount = rng.choice([0, 0, 0, 0, 10, 20, 30])
        zero_decimals = pricelist["currency"]["_decimals"] == 0
        unit = original if zero_decimals and not discount else int(round(original * (100 - discount) / 100))
        qty = rng.randrange(1, 4) if not order["_wholesale"] else rng.randrange(6, 40, 6)
        lines.append(_line(order, product, variant, size, qty, unit, original, discount))
    if not lines:  # every product picked lacked sizes: one line of the first product that has any
        product = next(p for p in map(cat.product, range(1, len(cat.heads) + 1)) if p and p["variants"][0]["productSizes"])
        variant = product["variants"][0]
        unit = product["_prices"][pricelist["id"]]["_minor"]
        lines.append(_line(order, product, variant, variant["productSizes"][0], 1, unit, unit, 0))
    for line in lines:
        line["id"] = cat.next_id("order_line")
    return lines


def _line(order: dict, product: dict, variant: dict, size: dict, qty: int, unit: int, original: int,
          discount: int) -> dict:
    currency, status = order["pricelist"]["currency"], order["status"]
    return {
        "id": 0, "product": product, "productVariant": variant, "productSize": size,
        "brand": product["brand"], "productName": product["name"], "productVariantName": variant["name"],
        "productNumber": product["productNumber"], "size": size["size"]["name"], "quantity": qty,
        "cancelledQuantity": qty if status == "CANCELLED" else 0,
        "shippedQuantity": qty if status in ("SHIPPED", "ARCHIVED") else 0, "returnedQuantity": 0,
        "taxPercent": order["_tax"], "discountPercent": float(discount), "hasAnyDiscount": discount > 0,
        "unitPrice": money(unit, currency), "unitOriginalPrice": money(original, currency),
        "lineValue": money(unit * qty, currency), "comment": None, "allocations": [],
        "_unit": unit, "_order": order,
    }


def _totals(cat: Catalog, rng: random.Random, order: dict) -> None:
    """Shipping, handling, discounts and tax; prices include tax for consumers, not for wholesale."""
    currency, lines, tax = order["pricelist"]["currency"], order["lines"], order["_tax"]
    line_total = sum(line["_unit"] * line["quantity"] for line in lines)
    fee = SHIPPING_MINOR[currency["code"]]
    shipping = 0 if order["_wholesale"] or line_total > fee * 20 else fee
    handling = 0 if rng.random() > 0.05 else fee // 2
    order["discountsApplied"] = _discounts(cat, rng, order, line_total)
    discount_total = sum(d["value"]["valueInCents"] for d in order["discountsApplied"])
    grand = line_total + shipping + handling - discount_total
    tax_included = 0 if order["_wholesale"] else int(round(grand - grand / (1 + tax / 100)))
    order["totals"] = {
        "quantity": sum(line["quantity"] for line in lines), "lineValues": money(line_total, currency),
        "discounts": money(discount_total, currency), "shipping": money(shipping, currency),
        "shippingTaxIncluded": money(int(round(shipping - shipping / (1 + tax / 100))), currency),
        "handling": money(handling, currency), "taxAdded": money(0, currency),
        "taxDeducted": money(0, currency), "taxIncluded": money(tax_included, currency),
    }
    order["grandTotal"] = money(grand, currency)
    order["_grand"] = grand
    order["_line_total"], order["_shipping"], order["_handling"], order["_discounts"] = (
        line_total, shipping, handling, discount_total)


def _discounts(cat: Catalog, rng: random.Random, order: dict, line_total: int) -> list[dict]:
    """Now and then a voucher of the market (consumers only), rarely a discount an admin gave."""
    currency, created, applied, total = order["pricelist"]["currency"], order["createdAt"], [], 0
    eligible = [v for v in cat.vouchers if order["market"] in v["markets"]]
    if not order["_wholesale"] and eligible and rng.random() < 0.2:
        voucher = rng.choice(eligible)
        total = line_total * voucher["_percent"] // 100
        if currency["_decimals"] == 0:
            total = total // 10 * 10
        voucher["successfulUsages"] = (voucher["successfulUsages"] or 0) + 1
        applied.append({
            "__typename": "AppliedVoucherDiscount", "value": money(total, currency), "date": created,
            "paramsJSON": None, "voucher": voucher, "voucherName": voucher["name"], "voucherMethod": voucher["method"],
            "code": voucher["code"], "url": voucher["url"], "order": order,
        })
    if rng.random() < 0.02:
        amount = min(line_total - total, 100 * (10 ** currency["_decimals"]) // 10)
        applied.append({"__typename": "AdminDiscount", "value": money(amount, currency), "date": created})
    return applied


def _payments(cat: Catalog, order: dict) -> None:
    currency, created, grand = order["pricelist"]["currency"], order["createdAt"], order["_grand"]
    payments = []
    if order["status"] != "PENDING" or not order["_waitingForPayment"]:
        payments.append(_payment(cat, "AUTH", grand, currency, created + timedelta(seconds=5), order))
    if order["status"] == "CANCELLED" and payments:
        payments.append(_payment(cat, "CANCEL", grand, currency, created + timedelta(hours=2), order))
    order["paymentHistory"] = payments


def bestseller(cat: Catalog, rng: random.Random) -> int:
    """Orders concentrate on a bounded set of products (as sales do), which also bounds how many
    products generation must build at the large scale."""
    n = len(cat.heads)
    pool = min(n, 1500)
    return 1 + rng.randrange(pool) * (n // pool)


def _payment(cat: Catalog, entry: str, minor: int, currency: dict, at: datetime, order: dict,
             reference: str | None = None) -> dict:
    """A successful payment history entry of the order."""
    return {"id": cat.next_id("payment"), "createdAt": at, "status": "SUCCESS",
            "entryType": entry, "externalReference": reference or f"psp-{order['id'][:8]}-{entry.lower()}",
            "value": money(minor, currency), "paymentMethod": order["paymentMethod"]["plugin"],
            "paramsJSON": None, "currencyBaseRate": currency["_rate"]}


def add_shipment(cat: Catalog, order: dict, at: datetime, *, shipped: bool, rng: random.Random) -> dict:
    currency = order["pricelist"]["currency"]
    shipment = {
        "__typename": "WholesaleShipment" if order["store"]["type"] == "WHOLESALE" else "DirectToConsumerShipment",
        "id": cat.next_id("shipment"), "number": f"{order['number']}-{len(order['shipments']) + 1}",
        "createdAt": at, "updatedAt": at, "isGoodToGo": True, "isPrinted": shipped, "isShipped": shipped,
        "isOnHold": False, "trackingNumber": f"JJD{rng.randrange(10**10):010d}" if shipped else None,
        "returnTrackingNumber": None, "numberOfPackages": 1, "internalShippingCost": None,
        "grandTotal": order["grandTotal"], "additionalMessage": None,
        "shippedAt": at if shipped else None, "isPaid": shipped, "paidAt": at if shipped else None,
        "isCaptured": shipped, "capturedAt": at if shipped else None,
        "capturedValue": order["grandTotal"] if shipped else None, "currencyBaseRate": currency["_rate"],
        "usedFallbackTax": False, "adminUser": None,
        "carrierInformation": {"carrierName": "PostNord", "serviceName": "MyPack", "accountIdentifier": None, "taxId": None},
        "discountsApplied": order["discountsApplied"], "shippingAddress": order["shippingAddress"],
        "shipmentPlugin": {"id": 1, "name": "nShift", "status": "ACTIVE"},
        "totals": {"shipping": order["totals"]["shipping"], "discounts": order["totals"]["discounts"],
                   "taxAdded": order["totals"]["taxAdded"]},
        "order": order, "_store": order["store"],
    }
    shipment["lines"] = [
        {"id": cat.next_id("shipment_line"), "quantity": l["quantity"] - l["cancelledQuantity"], "lineValue": l["lineValue"], "orderLine": l}
        for l in order["lines"]
    ]
    if shipped:
        for l in order["lines"]:
            l["shippedQuantity"] = l["quantity"] - l["cancelledQuantity"]
        order["paymentHistory"].append(_payment(cat, "CAPTURE", order["_grand"], currency, at, order))
    cat.shipments.append(shipment)
    order["shipments"].append(shipment)
    order["updatedAt"] = max(order["updatedAt"], at)
    return shipment


def add_return(cat: Catalog, order: dict, at: datetime, *, rng: random.Random) -> dict:
    currency = order["pricelist"]["currency"]
    shipment = order["shipments"][0]
    sline = rng.choice(shipment["lines"])
    line = sline["orderLine"]
    qty = 1
    line["returnedQuantity"] += qty
    value = line["_unit"] * qty
    completed = rng.random() < 0.7
    refund_type = "REFUND"
    if cat.strict:
        refund_type = "CANCEL"  # strict mode does not serve the unconfirmed PaymentHistoryEntryType.REFUND
    ret = {
        "__typename": "WholesaleReturn" if order["store"]["type"] == "WHOLESALE" else "DirectToConsumerReturn",
        "id": cat.next_id("return"), "status": "ACTIVE", "returnStatus": "COMPLETED" if completed else "PENDING",
        "createdAt": at, "updatedAt": at, "totalQuantity": qty, "grandTotal": money(value, currency),
        "returnedToStock": completed, "comment": "Wrong size" if rng.random() < 0.5 else None,
        "createdFrom": "AMS", "currencyBaseRate": currency["_rate"], "adminUser": None, "discountsApplied": [],
        "lines": [{"id": cat.next_id("return_line"), "quantity": qty, "shipmentLine": sline, "orderLine": line}],
        "returnWarehouse": cat.warehouses[0], "store": order["store"],
        "totals": {"shipping": money(0, currency), "shippingTaxRules": [], "handling": money(0, currency),
                   "handlingTaxRules": [], "returnCost": money(0, currency), "returnCostTaxRules": [],
                   "discounts": money(0, currency), "discountTaxRules": []},
        "refundPaymentHistory": [_payment(cat, refund_type, value, currency, at, order,
                                          reference=f"refund-{order['id'][:8]}")] if completed else [],
        "usedFallbackTax": False, "externalId": None, "order": order, "shipment": shipment,
        "customer": order["customer"], "account": order["account"],
    }
    cat.returns.append(ret)
    order["returns"].append(ret)
    order["updatedAt"] = max(order["updatedAt"], at)
    return ret


def generate_vouchers(cat: Catalog, rng: random.Random, count: int) -> None:
    dtc_markets = [m for m in cat.markets if m["store"]["id"] == 1]
    for i in range(1, count + 1):
        created = moment(cat.now - timedelta(days=400), rng, timedelta(days=380))
        method = rng.choice(["CODE", "CODE", "AUTO", "URL"])
        cat.vouchers.append({
            "id": i, "status": "ACTIVE" if rng.random() < 0.8 else "INACTIVE",
            "name": f"{rng.choice(['Spring', 'Summer', 'Welcome', 'VIP', 'Black Friday'])} {rng.choice([10, 15, 20, 25])}%",
            "method": method, "type": rng.choice(["ORDER", "ORDER", "PRODUCT"]),
            "code": f"SAVE{i:03d}" if method == "CODE" else None,
            "url": f"https://shop.example/v/{i}" if method == "URL" else None,
            "startAt": created, "stopAt": created + timedelta(days=rng.randrange(10, 200)),
            "priority": rng.randrange(1, 10), "maxUsages": rng.choice([0, 100, 1000]), "successfulUsages": 0,
            "combineWithOtherVouchers": rng.random() < 0.3, "reuse": rng.random() < 0.5,
            "store": cat.stores[0], "markets": rng.sample(dtc_markets, rng.randrange(1, 4)),
            "createdAt": created, "updatedAt": created, "attributes": [], "externalId": None,
            "_percent": int(rng.choice([10, 15, 20, 25])),
        })
