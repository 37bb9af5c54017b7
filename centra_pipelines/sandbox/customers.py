"""Customers (direct-to-consumer, with their e-mail history) and wholesale accounts with their buyers."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from .seeding import QUIRK_RATE, moment

if TYPE_CHECKING:
    from .catalog import Catalog

FIRST_NAMES = ["Anna", "Erik", "Maja", "Lars", "Sofia", "Johan", "Emma", "Oskar", "Ida", "Nils", "Yuki",
               "Hans", "Claire", "Tom", "Ingrid", "Mats", "Hiro", "Lena"]
LAST_NAMES = ["Andersson", "Berg", "Lindqvist", "Nakamura", "Schmidt", "Dubois", "Smith", "Nilsen",
              "Jensen", "Virtanen", "de Vries", "Holm", "Sato", "Karlsson"]


def new_customer(cat: Catalog, rng: random.Random, created: datetime, email: str | None = None,
                 registered: bool = True) -> dict:
    cid = cat.next_id("customer")
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = email or f"{first}.{last}.{cid}@example.com".lower().replace(" ", "")
    country = rng.choice(cat.countries)
    customer = {
        "__typename": "Customer",
        "id": cid, "status": "ACTIVE", "email": email, "firstName": first, "lastName": last,
        "phoneNumber": f"+46 70 {rng.randrange(10**6):06d}", "gender": rng.choice(["female", "male", None]),
        "birthdate": (date(1960, 1, 1) + timedelta(days=rng.randrange(16000))).isoformat(),
        "createdAt": created, "updatedAt": created, "totalOrders": 0,
        "billingAddress": {"firstName": first, "lastName": last, "address1": f"Storgatan {rng.randrange(1, 90)}",
                           "city": "Stockholm", "zipCode": "11122", "country": country, "email": email},
        "store": cat.stores[0], "lastOrder": None, "attributes": [], "externalId": None,
        "_registered": registered, "_orders": [], "_emails": [],
    }
    cat.customers.append(customer)
    _use_email(cat, customer, email, created)
    return customer


def _use_email(cat: Catalog, customer: dict, email: str, at: datetime) -> None:
    row = {"customer_id": customer["id"], "email": email, "valid_from": at, "valid_to": None}
    cat.email_history.append(row)
    customer["_emails"].append(row)  # the same rows, per customer: email_at() scans only these


def email_at(customer: dict, when: datetime) -> str | None:
    """The address the customer had at `when` (what a checkout then put on the order)."""
    for row in reversed(customer["_emails"]):
        if row["valid_from"] <= when:
            return row["email"]
    return customer["_emails"][0]["email"] if customer["_emails"] else customer["email"]


def change_email(cat: Catalog, customer: dict, new_email: str, at: datetime) -> None:
    for row in customer["_emails"]:
        if row["valid_to"] is None:
            row["valid_to"] = at
    _use_email(cat, customer, new_email, at)
    customer["email"] = new_email
    customer["billingAddress"]["email"] = new_email
    customer["updatedAt"] = at


def generate_customers(cat: Catalog, rng: random.Random, count: int) -> None:
    start = cat.now - timedelta(days=800)
    while len(cat.customers) < count:
        created = moment(start, rng, timedelta(days=790))
        customer = new_customer(cat, rng, created, registered=rng.random() < 0.7)
        roll = rng.random()
        if roll < 0.08:
            # Guest checkout and registered account with the same e-mail: two customers, never merged.
            twin = new_customer(cat, rng, moment(created, rng, timedelta(days=60)), email=customer["email"],
                                registered=not customer["_registered"])
            twin["firstName"], twin["lastName"] = customer["firstName"], customer["lastName"]
            if twin["id"] % 4 == 0:
                # The first of the pair moves to a new address late: its earlier orders carry the
                # shared one, the only trace of the change Centra's API serves (no e-mail history).
                change_email(cat, customer, f"{customer['firstName']}.{customer['id']}@moved.example".lower(),
                             cat.now - timedelta(days=5))
        elif roll < 0.12:
            at = moment(created, rng, cat.now - created - timedelta(days=1))
            change_email(cat, customer, f"{customer['firstName']}.{customer['id']}@newmail.example".lower(), at)
        elif roll < 0.12 + QUIRK_RATE:
            customer["email"] = None
            cat.quirks.append({"entity": "customers", "id": customer["id"], "quirk": "null email"})


def generate_accounts(cat: Catalog, rng: random.Random, count: int) -> None:
    for i in range(1, count + 1):
        cat.accounts.append({
            "id": i, "name": f"{rng.choice(LAST_NAMES)} Retail {i}", "websiteUrl": None,
            "salesRepresentative": {"id": 1, "name": "Mats Holm", "email": "mats@example.com", "commissionPercent": 5.0},
            "paymentTerms": {"id": 1, "description": "30 days net"}, "shippingTerms": {"id": 1, "description": "DAP"},
            "carrierInformation": None, "attributes": [],
            "_buyer": {"id": i, "firstName": rng.choice(FIRST_NAMES), "lastName": rng.choice(LAST_NAMES),
                       "email": f"buyer{i}@retailer.example"},
        })


def link_orders(cat: Catalog) -> None:
    """Each customer's order count and last order, once all orders exist."""
    for customer in cat.customers:
        orders = customer["_orders"]
        customer["totalOrders"] = len(orders)
        customer["lastOrder"] = max(orders, key=lambda o: o["orderDate"]) if orders else None
