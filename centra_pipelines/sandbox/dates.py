"""Store-local date rendering and parsing (Europe/Stockholm-like: +01:00 winter, +02:00 summer).

Centra renders DateTimeTz in the store's time zone with a PHP-style `format` argument
(default "Y-m-d\\TH:i:sP"). The sandbox keeps every timestamp in UTC and converts on output.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

DEFAULT_FORMAT = "Y-m-d\\TH:i:sP"
UTC = timezone.utc


@lru_cache(maxsize=64)
def _dst_bounds(year: int) -> tuple[datetime, datetime]:
    """EU summer time: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC."""
    def last_sunday(month: int) -> date:
        d = date(year, month, 31)
        return d - timedelta(days=(d.weekday() + 1) % 7)
    start = datetime.combine(last_sunday(3), datetime.min.time(), UTC) + timedelta(hours=1)
    end = datetime.combine(last_sunday(10), datetime.min.time(), UTC) + timedelta(hours=1)
    return start, end


def store_offset(moment: datetime) -> timedelta:
    start, end = _dst_bounds(moment.year)
    return timedelta(hours=2) if start <= moment < end else timedelta(hours=1)


def to_store_time(moment: datetime) -> datetime:
    """The UTC moment as an aware datetime in the store's offset."""
    offset = store_offset(moment)
    return moment.astimezone(timezone(offset))


def _php_format(local: datetime, fmt: str) -> str:
    off = local.utcoffset() or timedelta(0)
    total = int(off.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    hh, mm = divmod(abs(total), 60)
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            out.append(fmt[i + 1])
            i += 2
            continue
        if c == "Y":
            out.append(f"{local.year:04d}")
        elif c == "y":
            out.append(f"{local.year % 100:02d}")
        elif c == "m":
            out.append(f"{local.month:02d}")
        elif c == "n":
            out.append(str(local.month))
        elif c == "d":
            out.append(f"{local.day:02d}")
        elif c == "j":
            out.append(str(local.day))
        elif c == "H":
            out.append(f"{local.hour:02d}")
        elif c == "G":
            out.append(str(local.hour))
        elif c == "i":
            out.append(f"{local.minute:02d}")
        elif c == "s":
            out.append(f"{local.second:02d}")
        elif c == "u":
            out.append(f"{local.microsecond:06d}")
        elif c == "v":
            out.append(f"{local.microsecond // 1000:03d}")
        elif c == "P":
            out.append(f"{sign}{hh:02d}:{mm:02d}")
        elif c == "O":
            out.append(f"{sign}{hh:02d}{mm:02d}")
        elif c == "T":
            out.append("CEST" if total == 120 else "CET")
        elif c == "e":
            out.append("Europe/Stockholm")
        elif c == "U":
            out.append(str(int(local.timestamp())))
        elif c == "c":
            out.append(_php_format(local, "Y-m-d\\TH:i:sP"))
        else:
            out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=200_000)
def render(moment: datetime, fmt: str = DEFAULT_FORMAT) -> str:
    """Render a UTC datetime in store time with a PHP date format (cached: pages repeat dates)."""
    return _php_format(to_store_time(moment), fmt)


def parse_input(value: str) -> datetime:
    """Parse a DateTimeTz input: ISO 8601 with offset, or 'YYYY-MM-DD[ HH:MM:SS]' in store time."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"Invalid DateTimeTz value {value!r}; use 2026-03-01T00:00:00+01:00 or '2026-03-01 00:00:00'.") from exc
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    # Naive: store-local wall time. Try the winter offset, then check it against the rule.
    guess = parsed.replace(tzinfo=UTC) - timedelta(hours=1)
    if store_offset(guess) == timedelta(hours=2):
        guess = parsed.replace(tzinfo=UTC) - timedelta(hours=2)
    return guess


def iso_utc(moment: datetime | None) -> str | None:
    """Truth/export form: ISO 8601 in UTC."""
    return None if moment is None else moment.astimezone(UTC).isoformat()
