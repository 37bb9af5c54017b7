"""The promotions group's table: vouchers, a full pull."""

from centra_pipelines.warehouse.tables import Column, TableSpec

VOUCHERS = TableSpec("vouchers", key="id", columns={
    "id": Column("bigint", "Centra voucher id.", gt=0, unique=True),
    "status": Column("text", "Voucher status in Centra.", nullable=False),
    "name": Column("text", "Voucher name.", nullable=False),
    "code": Column("text", "Code customers enter, if any."),
    "store_id": Column("bigint", "Store (stores.id)."),
    "start_at": Column("timestamptz", "When the voucher starts to apply (UTC)."),
    "stop_at": Column("timestamptz", "When it stops (UTC)."),
    "max_usages": Column("bigint", "How many times it may be used; NULL: unlimited."),
    "successful_usages": Column("bigint", "How many times it was used."),
})
