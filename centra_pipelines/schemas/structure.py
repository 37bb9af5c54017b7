"""Contracts for the catalog structure (brands, collections, folders, categories and their links to
products), product media and translations."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from centra_pipelines.schemas.catalog import UTC, _Contract


class Brands(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]


class Collections(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    status: Series[str] = pa.Field(nullable=True, isin=["ACTIVE", "INACTIVE"])


class Folders(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    parent_id: Series[pd.Int64Dtype] = pa.Field(gt=0, nullable=True)


class Categories(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]
    parent_id: Series[pd.Int64Dtype] = pa.Field(gt=0, nullable=True)


class ProductCategories(_Contract):
    display_id: Series[int] = pa.Field(gt=0)
    category_id: Series[int] = pa.Field(gt=0)
    product_id: Series[int] = pa.Field(gt=0)


class ProductMedia(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    product_id: Series[int] = pa.Field(gt=0)
    position: Series[int] = pa.Field(ge=0)
    url: Series[str] = pa.Field(str_matches=r"^https?://\S+$")  # an image without a URL cannot be shown
    product_updated_at: Series[UTC]


class Translations(_Contract):
    object_type: Series[str]
    object_id: Series[int] = pa.Field(gt=0)
    field: Series[str]
    language_code: Series[str] = pa.Field(str_length={"min_value": 2})
    value: Series[str] = pa.Field(str_length={"min_value": 1})  # an empty translation shows as a blank page
    object_updated_at: Series[UTC]
