"""DataFrame conversions shared by both engines: preparing a batch, casting it, shaping results.

A batch is cast and de-duplicated by DuckDB in both engines (in the warehouse file itself, or in
an in-memory DuckDB that writes the CSV PostgreSQL then COPYs), so both engines convert values
the same way: ISO strings with offsets and pandas timestamps become UTC instants, floats and
Decimals become decimals, dicts become JSON.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

ROW = "__row"  # position of a row in its batch: later rows win ties


def duckdb_type(logical: str) -> str:
    return {
        "bigint": "BIGINT",
        "integer": "INTEGER",
        "text": "VARCHAR",
        "boolean": "BOOLEAN",
        "double": "DOUBLE",
        "date": "DATE",
        "timestamptz": "TIMESTAMPTZ",
        "json": "JSON",
    }.get(logical) or logical.upper()


def prepare(df: pd.DataFrame, types: Mapping[str, str]) -> pd.DataFrame:
    """The columns of ``df`` named in ``types``, JSON columns serialised, plus the row position."""
    frame = df.loc[:, list(types)].reset_index(drop=True)
    for col, logical in types.items():
        if logical == "json":
            frame[col] = frame[col].map(lambda v: None if _is_missing(v) else json_text(v)).astype(object)
    frame[ROW] = np.arange(len(frame), dtype="int64")
    return frame


def cast_select(source: str, types: Mapping[str, str], key: Sequence[str] | None, newest: str | None) -> str:
    """DuckDB SELECT casting ``source`` to ``types``; with ``key``, one row per key: the newest
    by ``newest`` (a timestamp column), the last in the batch on ties or without ``newest``."""
    casts = ", ".join(f'CAST("{c}" AS {duckdb_type(t)}) AS "{c}"' for c, t in types.items())
    cols = ", ".join(f'"{c}"' for c in types)
    inner = f'SELECT {casts}, "{ROW}" FROM {source}'
    if not key:
        return f"SELECT {cols} FROM ({inner})"
    order = (f'"{newest}" DESC NULLS LAST, ' if newest else "") + f'"{ROW}" DESC'
    part = ", ".join(f'"{c}"' for c in key)
    return f"SELECT {cols} FROM ({inner}) QUALIFY row_number() OVER (PARTITION BY {part} ORDER BY {order}) = 1"


def to_frame(columns: Sequence[str], rows: Sequence[tuple], kinds: Sequence[str]) -> pd.DataFrame:
    """Build a result frame with the same dtypes on both engines.

    int → Int64, float → float64, decimal → Decimal objects, timestamptz → datetime64[UTC],
    boolean → boolean, json → Python objects, text → str objects.
    """
    frame = pd.DataFrame.from_records(list(rows), columns=list(columns)) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in columns}
    )
    for col, kind in zip(columns, kinds):
        s = frame[col]
        if kind == "int":
            frame[col] = pd.array([None if pd.isna(v) else int(v) for v in s], dtype="Int64")  # from_records: NULL among ints is NaN
        elif kind == "float":
            frame[col] = s.astype("float64")
        elif kind == "timestamptz":
            frame[col] = pd.to_datetime(s, utc=True)
        elif kind == "timestamp":
            frame[col] = pd.to_datetime(s)
        elif kind == "bool":
            frame[col] = s.astype("boolean")
        elif kind == "json_text":
            frame[col] = s.map(lambda v: json.loads(v) if isinstance(v, str) else v).astype(object)
    return frame


def json_text(value: Any) -> str:
    """JSON text for a payload: dates as ISO strings, Decimals as strings, NaN/NaT as null."""
    return json.dumps(_jsonable(value), separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, np.ndarray)):
        return [_jsonable(x) for x in v]
    if _is_missing(v):
        return None
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, np.floating) and bool(np.isnan(v))
