"""Contracts for reference data, the catalog and stock (one pandera model per table)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from centra_pipelines.schemas.gtin import valid_gtins

# Timestamps arrive as tz-aware UTC pandas timestamps (flattened from Centra's offset dates).
UTC = "datetime64[ns, UTC]"


class _Contract(pa.DataFrameModel):
    class Config:
        coerce = True
        strict = False  # bookkeeping columns (partition, synced_at) may ride along


class Stores(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    type: Series[str] = pa.Field(isin=["DIRECT_TO_CONSUMER", "WHOLESALE"])


class Markets(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    store_id: Series[int] = pa.Field(gt=0)


class Pricelists(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    status: Series[str]
    currency_code: Series[str] = pa.Field(str_matches=r"^[A-Z]{3}$")
    store_id: Series[int] = pa.Field(gt=0)


class Warehouses(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    status: Series[str] = pa.Field(nullable=True)


class Currencies(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    code: Series[str] = pa.Field(str_matches=r"^[A-Z]{3}$")


class Languages(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    code: Series[str]


class Countries(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    code: Series[str] = pa.Field(str_matches=r"^[A-Z]{2}$")
    name: Series[str]


class SizeCharts(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]


class Products(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    status: Series[str]
    product_number: Series[str]
    updated_at: Series[UTC]


class Variants(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    product_id: Series[int] = pa.Field(gt=0)
    name: Series[str]
    variant_number: Series[str]
    updated_at: Series[UTC]


class Sizes(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    variant_id: Series[int] = pa.Field(gt=0)
    size_id: Series[int] = pa.Field(gt=0)
    size_name: Series[str]
    sku: Series[str]
    ean: Series[str] = pa.Field(nullable=True)
    updated_at: Series[UTC]

    @pa.check("ean", name="gtin_check_digit")
    def ean_has_valid_check_digit(cls, ean: Series[str]) -> Series[bool]:
        return ean.isna() | valid_gtins(ean)


class Displays(_Contract):
    id: Series[int] = pa.Field(gt=0)
    market_id: Series[int] = pa.Field(gt=0)
    name: Series[str]
    status: Series[str]
    updated_at: Series[UTC]


class Prices(_Contract):
    display_id: Series[int] = pa.Field(gt=0)
    pricelist_id: Series[int] = pa.Field(gt=0)
    price: Series[float] = pa.Field(ge=0)
    currency_code: Series[str] = pa.Field(str_matches=r"^[A-Z]{3}$")


class StockLevels(_Contract):
    warehouse_id: Series[int] = pa.Field(gt=0)
    size_id: Series[int] = pa.Field(gt=0)
    physical: Series[int] = pa.Field(ge=0)
    allocated: Series[int] = pa.Field(ge=0)
    free_to_allocate: Series[int]

    @pa.dataframe_check(name="physical_is_free_plus_allocated")
    def physical_is_free_plus_allocated(cls, frame) -> Series[bool]:
        return frame["physical"] == frame["free_to_allocate"] + frame["allocated"]
