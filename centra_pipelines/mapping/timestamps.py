"""Centra dates into UTC.

Centra renders `DateTimeTz` in the store's zone with its offset ("2026-03-29T03:15:00+02:00", or
"+0200" with PHP's `O` format); some values come naive ("2026-03-29 03:15:00", webhook `date`),
meaning wall-clock time in the store's zone (`store_timezone` in the mapping). Everything we
store is UTC.

Naive values on DST-change days: a wall time that occurs twice (the autumn hour 02:00–03:00 in
Europe/Stockholm) is read as its FIRST occurrence (summer time); a wall time that does not exist
(the spring hour 02:00–03:00) is moved forward to the first instant after the gap (03:00 local).
Values with an offset are exact and need no such rule.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

# an offset after the time part (so the "-29" of a bare date is not taken for one)
_HAS_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


def to_utc(value: str | datetime | None, store_timezone: str) -> datetime | None:
    """One Centra date as an aware UTC datetime (None stays None)."""
    result = to_utc_series(pd.Series([value], dtype=object), store_timezone).iloc[0]
    return None if pd.isna(result) else result.to_pydatetime()


def to_utc_series(values: pd.Series, store_timezone: str,
                  errors: Literal["raise", "coerce"] = "raise") -> pd.Series:
    """Centra dates (strings with or without offset, or datetimes) as `datetime64[ns, UTC]`.

    Missing values become NaT. A value that is not a date raises ValueError naming it, or becomes
    NaT with ``errors="coerce"`` (for callers that quarantine such rows).
    """
    ZoneInfo(store_timezone)  # fail on a bad zone name before touching the data
    # Per value only plain Python (strip, one regex); pandas is called once per column, since its
    # fixed cost per call, not the values, is what a page of ~100 dates pays.
    texts = _texts(values)
    present = np.array([t is not None for t in texts], dtype=bool)
    aware = np.array([t is not None and _HAS_OFFSET.search(t) is not None for t in texts], dtype=bool)
    text = pd.Series(texts, index=values.index, dtype=object)
    if not present.any():
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]", name=values.name)
    if (aware == present).all():
        # The usual Centra column: every value has its offset, so one parse of the whole column
        # (missing values become NaT) gives what parsing the present values alone gives.
        out = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce").astype("datetime64[ns, UTC]")
        out.name = values.name
    else:
        aware_mask, naive_mask = pd.Series(aware, index=values.index), pd.Series(present & ~aware, index=values.index)
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]", name=values.name)
        if aware_mask.any():
            out[aware_mask] = pd.to_datetime(text[aware_mask], utc=True, format="ISO8601", errors="coerce")
        local = pd.to_datetime(text[naive_mask], format="ISO8601", errors="coerce")
        local = local.dt.tz_localize(store_timezone, ambiguous=np.ones(len(local), dtype=bool),
                                     nonexistent="shift_forward")
        out[naive_mask] = local.dt.tz_convert("UTC")

    unreadable = present & out.isna().to_numpy()
    if unreadable.any() and errors == "raise":
        bad = text[unreadable]
        raise ValueError(f"{len(bad)} value(s) are not Centra dates, e.g. {bad.iloc[0]!r}")
    return out


def _texts(values: pd.Series) -> list[str | None]:
    """Each value as stripped text; None for a missing or empty one."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string":
        return [(v.strip() or None) if isinstance(v, str) else None for v in values.tolist()]
    mapped = values.map(_as_text, na_action="ignore").tolist()
    return [t if isinstance(t, str) and t else None for t in mapped]


def _as_text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):  # also pandas Timestamp
        return value.isoformat()
    return str(value)


__all__ = ["to_utc", "to_utc_series"]
