"""Centra dates into UTC, including the 2026 Europe/Stockholm DST changes (29 March, 25 October)."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from centra_pipelines.mapping.timestamps import to_utc, to_utc_series

ZONE = "Europe/Stockholm"
UTC = timezone.utc


def utc(*args) -> pd.Timestamp:
    return pd.Timestamp(datetime(*args, tzinfo=UTC))


@pytest.mark.parametrize("text, expected", [
    # spring forward 2026-03-29: 02:00 CET -> 03:00 CEST (01:00 UTC)
    ("2026-03-29T01:59:59+01:00", utc(2026, 3, 29, 0, 59, 59)),
    ("2026-03-29T03:15:00+02:00", utc(2026, 3, 29, 1, 15)),
    ("2026-03-29T03:15:00+0200", utc(2026, 3, 29, 1, 15)),      # PHP `O` offset without colon
    ("2026-03-29T01:00:00Z", utc(2026, 3, 29, 1, 0)),
    ("2026-03-29 01:30:00", utc(2026, 3, 29, 0, 30)),           # naive, still CET
    ("2026-03-29 03:30:00", utc(2026, 3, 29, 1, 30)),           # naive, already CEST
    ("2026-03-29 02:30:00", utc(2026, 3, 29, 1, 0)),            # does not exist: moved to 03:00 local
    # fall back 2026-10-25: 03:00 CEST -> 02:00 CET (01:00 UTC)
    ("2026-10-25T02:30:00+02:00", utc(2026, 10, 25, 0, 30)),
    ("2026-10-25T02:30:00+01:00", utc(2026, 10, 25, 1, 30)),
    ("2026-10-25 01:30:00", utc(2026, 10, 24, 23, 30)),         # naive, CEST
    ("2026-10-25 02:30:00", utc(2026, 10, 25, 0, 30)),          # occurs twice: the first (CEST)
    ("2026-10-25 03:30:00", utc(2026, 10, 25, 2, 30)),          # naive, CET
    ("2026-06-01 12:00:00.250000", utc(2026, 6, 1, 10, 0, 0, 250000)),
])
def test_dst_days_convert_to_utc(text, expected):
    assert to_utc(text, ZONE) == expected
    assert to_utc_series(pd.Series([text]), ZONE).iloc[0] == expected


def test_series_mixes_offsets_naive_values_datetimes_and_missing():
    values = pd.Series(["2026-03-29T03:15:00+02:00", None, "", "2026-10-25 03:30:00",
                        datetime(2026, 1, 10, 12, 0), datetime(2026, 7, 1, 12, 0, tzinfo=UTC)], index=list("abcdef"))
    result = to_utc_series(values, ZONE)
    assert str(result.dtype) == "datetime64[ns, UTC]"
    assert list(result.index) == list("abcdef")
    assert result["a"] == utc(2026, 3, 29, 1, 15)
    assert pd.isna(result["b"]) and pd.isna(result["c"])
    assert result["d"] == utc(2026, 10, 25, 2, 30)
    assert result["e"] == utc(2026, 1, 10, 11, 0)  # naive datetime: store time, CET
    assert result["f"] == utc(2026, 7, 1, 12, 0)


def test_a_whole_dst_day_of_hourly_local_stamps_is_monotonic_in_utc():
    # the sandbox renders every hour of 2026-03-29 in the store's offset; UTC must step one hour each
    stamps = pd.date_range("2026-03-28T22:00:00Z", periods=6, freq="h")
    rendered = [s.tz_convert(ZONE).strftime("%Y-%m-%dT%H:%M:%S%z") for s in stamps]
    assert rendered[3] == "2026-03-29T03:00:00+0200"
    assert to_utc_series(pd.Series(rendered), ZONE).tolist() == list(stamps)


def test_non_dates_raise_naming_the_value_or_coerce():
    values = pd.Series(["2026-01-01T00:00:00+01:00", "not a date"])
    with pytest.raises(ValueError, match="'not a date'"):
        to_utc_series(values, ZONE)
    coerced = to_utc_series(values, ZONE, errors="coerce")
    assert coerced.iloc[0] == utc(2025, 12, 31, 23) and pd.isna(coerced.iloc[1])


def test_none_stays_none():
    assert to_utc(None, ZONE) is None


def test_a_column_where_every_value_has_its_offset_parses_in_one_go_like_any_other():
    # the usual Centra column (the one-parse path): offsets of both seasons, Z, blanks, missing values
    values = pd.Series([" 2026-03-29T03:15:00+02:00", None, "   ", "2026-01-10T12:00:00+0100", "2026-07-01T12:00:00Z",
                        "2026-07-01T12:00:00.250+02:00"], index=[10, 11, 12, 13, 14, 15], name="updated_at")
    result = to_utc_series(values, ZONE)
    assert str(result.dtype) == "datetime64[ns, UTC]" and result.name == "updated_at"
    assert list(result.index) == [10, 11, 12, 13, 14, 15]
    assert result[10] == utc(2026, 3, 29, 1, 15) and result[13] == utc(2026, 1, 10, 11) and result[14] == utc(2026, 7, 1, 12)
    assert result[15] == pd.Timestamp("2026-07-01T10:00:00.250Z")
    assert pd.isna(result[11]) and pd.isna(result[12])
    # one value in the column without its offset is the store's local time, whatever the others have
    mixed = to_utc_series(pd.Series(["2026-07-01T12:00:00+02:00", "2026-07-01 12:00:00"]), ZONE)
    assert mixed.tolist() == [utc(2026, 7, 1, 10), utc(2026, 7, 1, 10)]
    assert to_utc_series(pd.Series([None, ""], dtype=object), ZONE).isna().all()
