"""The stock group's table: snapshots of each size's stock per warehouse; a later snapshot replaces an earlier one."""

from centra_pipelines.warehouse.tables import Column, Rule, TableSpec

STOCK_LEVELS = TableSpec("stock_levels", key=("warehouse_id", "size_id"), updated_at="observed_at", columns={
    "warehouse_id": Column("bigint", "Warehouse (warehouses.id); the table's Dagster partition.", gt=0),
    "size_id": Column("bigint", "Product size (sizes.id).", gt=0),
    "physical": Column("bigint", "Units physically in the warehouse.", ge=0),
    "allocated": Column("bigint", "Units allocated to orders not yet shipped.", ge=0),
    "free_to_allocate": Column("bigint", "Units that can still be sold: physical minus allocated.", nullable=False),
    "observed_at": Column("timestamptz", "When this snapshot was read from Centra (UTC)."),
}, rules=[
    Rule("physical_is_free_plus_allocated", lambda f: f["physical"] == f["free_to_allocate"] + f["allocated"]),
])
