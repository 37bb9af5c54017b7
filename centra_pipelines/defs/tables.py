"""The tables more than one domain writes: the scheduled syncs write them, and the real-time runs
(defs/realtime/) write the same tables from re-fetched webhook and event references."""

from centra_pipelines.defs.loading import Table
from centra_pipelines.schemas import catalog as catalog_contracts
from centra_pipelines.schemas import orders as contracts
from centra_pipelines.schemas import wholesale as wholesale_contracts
from centra_pipelines.warehouse import model

ORDERS = Table(model.ORDERS, contracts.Orders)
ORDER_LINES = Table(model.ORDER_LINES, contracts.OrderLines)
SHIPMENTS = Table(model.SHIPMENTS, contracts.Shipments)
APPLIED_VOUCHERS = Table(model.APPLIED_VOUCHERS, contracts.AppliedVouchers)
RETURNS = Table(model.RETURNS, contracts.Returns)
BUYERS = Table(model.BUYERS, wholesale_contracts.Buyers)
CUSTOMERS = Table(model.CUSTOMERS, contracts.Customers)
STOCK_LEVELS = Table(model.STOCK_LEVELS, catalog_contracts.StockLevels)
