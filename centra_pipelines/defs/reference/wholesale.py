"""Wholesale: the accounts (retailers) wholesale orders are placed for.

Centra's Account has no change time: accounts are pulled whole each run, with the reference lists
(`reference_lists`, defs/reference/assets.py). Its buyers have no list of
their own in the public schema; they arrive with wholesale orders (the `buyers` asset is written by
the orders windows, defs/orders/assets.py), and the `wholesale_accounts` check on orders names orders
whose account is missing here.
"""

from centra_pipelines.defs.pulls import ReferenceList
from centra_pipelines.mapping import flatten
from centra_pipelines.warehouse.model import ACCOUNTS

GROUP = "wholesale"

LISTS = [ReferenceList(
    ACCOUNTS, flatten.accounts, GROUP,
    "Wholesale accounts: name, website, sales representative, payment and shipping terms. Full pull each run.",
    optional_permission=True)]
