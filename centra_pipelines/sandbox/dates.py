"""Store-local date rendering and parsing (Europe/Stockholm-like: +01:00 winter, +02:00 summer).

Centra renders DateTimeTz in the store's time zone with a PHP-style `format` argument
(default "Y-m-d\\TH:i:sP"). The sandbox keeps every timestamp in UTC and converts on output.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable

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


def _offset(local: datetime, separator: str) -> str:
    total = int((local.utcoffset() or timedelta(0)).total_seconds()) // 60
    hh, mm = divmod(abs(total), 60)
    return f"{'+' if total >= 0 else '-'}{hh:02d}{separator}{mm:02d}"


# PHP date() format characters Centra's `format` argument takes; any other character stands for itself.
_PHP_FIELDS: dict[str, Callable[[datetime], str]] = {
    "Y": lambda t: f"{t.year:04d}", "y": lambda t: f"{t.year % 100:02d}",
    "m": lambda t: f"{t.month:02d}", "n": lambda t: str(t.month),
    "d": lambda t: f"{t.day:02d}", "j": lambda t: str(t.day),
    "H": lambda t: f"{t.hour:02d}", "G": lambda t: str(t.hour),
    "i": lambda t: f"{t.minute:02d}", "s": lambda t: f"{t.second:02d}",
    "u": lambda t: f"{t.microsecond:06d}", "v": lambda t: f"{t.microsecond // 1000:03d}",
    "P": lambda t: _offset(t, ":"), "O": lambda t: _offset(t, ""),
    "T": lambda t: "CEST" if t.utcoffset() == timedelta(hours=2) else "CET",
    "e": lambda t: "Europe/Stockholm", "U": lambda t: str(int(t.timestamp())),
    "c": lambda t: _php_format(t, "Y-m-d\\TH:i:sP"),
}


def _php_format(local: datetime, fmt: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            out.append(fmt[i + 1])
            i += 2
            continue
        field = _PHP_FIELDS.get(c)
        out.append(field(local) if field else c)
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
