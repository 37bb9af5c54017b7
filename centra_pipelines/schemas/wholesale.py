"""Contracts for wholesale accounts and their buyers."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from centra_pipelines.schemas.catalog import UTC, _Contract

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Accounts(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    name: Series[str]


class Buyers(_Contract):
    id: Series[int] = pa.Field(gt=0, unique=True)
    account_id: Series[pd.Int64Dtype] = pa.Field(gt=0, nullable=True)
    email: Series[str] = pa.Field(str_matches=EMAIL, nullable=True)
    order_updated_at: Series[UTC]
