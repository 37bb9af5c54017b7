"""The mapping file: how Centra's fields, statuses, currencies and languages become ours.

`load_mapping()` reads the defaults shipped in the package (`default_mapping.yaml`) and lays a
user file over them — the path given, else the file named by `CENTRA_MAPPING_FILE`. Overlay
rule: mappings merge key by key, lists and plain values replace, and `null` removes a default
entry. So a user file holds only what differs from the defaults.

The merged result is validated here, before any request is made; a wrong file raises
`MappingError` whose text names the file and every bad key path with what was expected, e.g.
``order_status.SHIPPD: unknown Centra status; expected one of INCOMPLETE, PENDING, …``.
"""

from __future__ import annotations

import os
import re
import types
from datetime import date
from decimal import (ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP,
                     ROUND_UP)
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

ENV_VAR = "CENTRA_MAPPING_FILE"
DEFAULT_MAPPING_PATH = Path(__file__).with_name("default_mapping.yaml")

# Centra's enum values (reference §2.7/2.8). ARCHIVED, INCOMPLETE and the ReturnStatus values are
# not confirmed by public sources; they are accepted so that a mapping can name them.
ORDER_STATUSES = ("INCOMPLETE", "PENDING", "CONFIRMED", "PROCESSING", "SHIPPED", "CANCELLED", "ARCHIVED")
ORDER_FLAGS = ("isOnHold",)
SHIPMENT_FLAGS = ("isGoodToGo", "isShipped", "isPaid", "isCaptured", "isOnHold", "isPrinted")
RECORD_STATUSES = ("ACTIVE", "INACTIVE", "CANCELLED")  # Centra `Status`, used by Return.status
RETURN_STATUSES = ("PENDING", "COMPLETED")  # Centra `ReturnStatus`
PAYMENT_ENTRY_STATUSES = ("SUCCESS", "PENDING", "FAILED")  # PaymentHistoryEntry.status
TABLES = ("customers", "orders", "order_lines", "shipments", "returns", "vouchers")

ROUNDING_MODES = {
    "half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP, "half_down": ROUND_HALF_DOWN,
    "up": ROUND_UP, "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR,
}

_CANONICAL = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[A-Z][a-z]{3})?$")


class MappingError(ValueError):
    """The mapping file is wrong. The text names the file and each bad key path."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"mapping file {source} is invalid:\n{lines}")


# ------------------------------------------------------------------------------ value checks
def _one_of(kind: str, allowed: tuple[str, ...]):
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {kind}; expected one of {', '.join(allowed)}")
        return value
    return check


def _matching(pattern: re.Pattern, expected: str):
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            # YAML 1.1 reads yes/no/on/off as booleans (`no:` is Norwegian to us, False to YAML).
            raise ValueError(f"expected {expected}, got {value!r} (YAML read it as a boolean: quote it)")
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"expected {expected}, got {value!r}")
        return value
    return check


def _int_between(low: int, high: int):
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected an integer {low}–{high}, got {value!r}")
        return value
    return check


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"expected an IANA time zone such as Europe/Stockholm, got {value!r}") from None
    return value


def _rounding(value: Any) -> str:
    if value not in ROUNDING_MODES:
        raise ValueError(f"expected one of {', '.join(ROUNDING_MODES)}, got {value!r}")
    return value


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


Canonical = Annotated[str, BeforeValidator(_matching(_CANONICAL, "a lower-case name such as 'on_hold'"))]
Column = Annotated[str, BeforeValidator(_matching(_COLUMN, "a lower-case SQL column name ([a-z_][a-z0-9_]*)"))]
FieldPath = Annotated[str, BeforeValidator(_matching(_FIELD_PATH, "a Centra field path such as 'grandTotal.value'"))]
OrderStatus = Annotated[str, AfterValidator(_one_of("Centra status", ORDER_STATUSES))]
OrderFlag = Annotated[str, AfterValidator(_one_of("Centra order flag", ORDER_FLAGS))]
ShipmentFlag = Annotated[str, AfterValidator(_one_of("Centra shipment flag", SHIPMENT_FLAGS))]
RecordStatus = Annotated[str, AfterValidator(_one_of("Centra record status", RECORD_STATUSES))]
ReturnStatus = Annotated[str, AfterValidator(_one_of("Centra return status", RETURN_STATUSES))]
EntryStatus = Annotated[str, AfterValidator(_one_of("Centra payment entry status", PAYMENT_ENTRY_STATUSES))]
Table = Annotated[str, AfterValidator(_one_of("table", TABLES))]
CurrencyCode = Annotated[str, BeforeValidator(_matching(_CURRENCY, "an ISO 4217 currency code in capitals"))]
LanguageCode = Annotated[str, BeforeValidator(_matching(_LANGUAGE, "a Centra language code such as 'sv'"))]
Locale = Annotated[str, BeforeValidator(_matching(_LOCALE, "a locale such as 'sv-SE'"))]
Rounding = Annotated[str, BeforeValidator(_rounding)]
Flag = Annotated[bool, BeforeValidator(_strict_bool)]


def _ordered_range(value: tuple[int, int]) -> tuple[int, int]:
    if value[0] > value[1]:
        raise ValueError(f"expected [lowest, highest], got {list(value)}")
    return value


def _unique_columns(fields: dict[str, "FieldSpec"]) -> dict[str, "FieldSpec"]:
    seen: dict[str, str] = {}
    for path, spec in fields.items():
        if spec.column in seen:
            raise ValueError(f"column {spec.column!r} is mapped from both {seen[spec.column]} and {path}")
        seen[spec.column] = path
    return fields


# ------------------------------------------------------------------------------ the model
class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Section):
    column: Column
    required: Flag = False


class ShipmentRule(_Section):
    status: Canonical
    when: dict[ShipmentFlag, Flag]


class Returns(_Section):
    record_status: dict[RecordStatus, Canonical] = {}
    return_status: dict[ReturnStatus, Canonical]
    refund_status: dict[EntryStatus, Canonical]
    no_refund: Canonical


class Currency(_Section):
    minor_units: Annotated[int, BeforeValidator(_int_between(0, 4))]
    rounding: Rounding | None = None  # None: the file's top-level `rounding`


class Sync(_Section):
    initial_import_start: date
    page_size: Annotated[int, BeforeValidator(_int_between(1, 200))] = 200
    orders_page_size: Annotated[int, BeforeValidator(_int_between(1, 100))] = 100
    lookback_days: Annotated[int, BeforeValidator(_int_between(0, 90))] = 3


class Identity(_Section):
    merge_across_stores: Flag = False


RFM_SCORES = ("r", "f", "m")


class SegmentRule(_Section):
    """A named RFM segment: every score named in `when` lies in its [lowest, highest] range."""

    segment: Canonical
    when: dict[Annotated[str, AfterValidator(_one_of("RFM score", RFM_SCORES))],
               Annotated[tuple[int, int], AfterValidator(_ordered_range)]]


class Analytics(_Section):
    """Customer history, segments and daily sales (warehouse/analytics.py)."""

    # Orders in these Centra statuses are not sales (abandoned checkouts, cancellations).
    excluded_order_statuses: list[OrderStatus]
    rfm_bins: Annotated[int, BeforeValidator(_int_between(2, 9))] = 5  # one digit each in `rfm`
    segments: list[SegmentRule]

    @model_validator(mode="after")
    def _segments_cover_every_score(self) -> "Analytics":
        problems = [f"segments[{i}].when.{score}: {low}–{high} is outside the scores 1–{self.rfm_bins} (rfm_bins)"
                    for i, rule in enumerate(self.segments) for score, (low, high) in rule.when.items()
                    if low < 1 or high > self.rfm_bins]
        if not self.segments or self.segments[-1].when:
            problems.append("segments: the last rule must have an empty `when` (a catch-all), so that every "
                            "identity gets a segment")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Mapping(_Section):
    """A validated mapping. Build it with `load_mapping()`; `sources` says which files made it."""

    fields: dict[Table, Annotated[dict[FieldPath, FieldSpec], AfterValidator(_unique_columns)]]
    order_status: dict[OrderStatus, Canonical]
    order_flags: dict[OrderFlag, Canonical]
    shipment_status: list[ShipmentRule]
    returns: Returns
    rounding: Rounding = "half_even"
    currencies: dict[CurrencyCode, Currency]
    languages: dict[LanguageCode, Locale]
    store_timezone: Annotated[str, BeforeValidator(_timezone)]
    sync: Sync
    identity: Identity = Identity()
    analytics: Analytics
    sources: tuple[str, ...] = ()

    def currency(self, code: str) -> Currency:
        """The currency's settings; an unconfigured currency is an error naming the key to add."""
        try:
            return self.currencies[code]
        except (KeyError, TypeError):
            raise KeyError(f"currency {code!r} is not configured: add currencies.{code}.minor_units to the "
                           f"mapping file (configured: {', '.join(self.currencies)})") from None

    def rounding_mode(self, code: str) -> str:
        """The `decimal` rounding constant for the currency (its own, else the file's default)."""
        return ROUNDING_MODES[self.currency(code).rounding or self.rounding]

    def required_fields(self, table: str) -> dict[str, str]:
        """Centra field path -> column, for the table's required fields."""
        return {path: spec.column for path, spec in self.fields.get(table, {}).items() if spec.required}


# ------------------------------------------------------------------------------ loading
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader with YAML 1.2 booleans (only true/false, so the language code `no` stays a
    string) and dates left as text (pydantic then names the key of a bad date). libyaml's parser
    where PyYAML has it: every asset reads the mapping, and the pure-Python parser took ~50 ms."""


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))


def load_mapping(path: str | Path | None = None) -> Mapping:
    """The defaults, overlaid with `path` (else `$CENTRA_MAPPING_FILE`, else nothing), validated."""
    defaults = _read(DEFAULT_MAPPING_PATH)
    user = path if path is not None else (os.environ.get(ENV_VAR) or None)
    if user is None:
        return _validate(defaults, str(DEFAULT_MAPPING_PATH), (str(DEFAULT_MAPPING_PATH),))
    user_path = Path(user).expanduser()
    merged = _overlay(defaults, _read(user_path))
    return _validate(merged, f"{user_path} (laid over the package defaults)", (str(DEFAULT_MAPPING_PATH), str(user_path)))


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise MappingError(str(path), [f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MappingError(str(path), [f"(top level): expected a mapping of sections "
                                       f"({', '.join(_section_names())}), got {type(data).__name__}"])
    return data


def _overlay(base: Any, over: Any) -> Any:
    """Merge `over` into `base`: dicts key by key, anything else replaced; None removes a key."""
    if not isinstance(over, dict):
        return over
    out = dict(base) if isinstance(base, dict) else {}
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _overlay(out.get(key), value)
    return out


def _validate(data: dict, source: str, sources: tuple[str, ...]) -> Mapping:
    if "sources" in data:
        raise MappingError(source, ["sources: unknown key; it is set by the loader"])
    try:
        return Mapping.model_validate({**data, "sources": sources})
    except ValidationError as exc:
        raise MappingError(source, [_describe(err) for err in exc.errors()]) from None


def _describe(err: dict) -> str:
    loc = [part for part in err["loc"] if part != "[key]"]
    # list positions print as [i]; a key YAML read as a boolean (`no:`) prints as False, not [0]
    path = "".join(f"[{p}]" if type(p) is int else (f".{p}" if i else str(p)) for i, p in enumerate(loc))
    path = path or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return f"{path}: unknown key" + (f"; expected one of {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "value_error":
        return f"{path}: {err['msg'].removeprefix('Value error, ')}"
    message = err["msg"][0].lower() + err["msg"][1:]
    return f"{path}: {message}, got {err.get('input')!r}"


def _section_names() -> list[str]:
    return [name for name in Mapping.model_fields if name != "sources"]


def _allowed_keys(loc: list) -> list[str] | None:
    """The keys a model accepts at `loc` (for 'unknown key' messages); None when not a model."""
    kind: Any = Mapping
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            kind = field.annotation
        elif get_origin(kind) is dict:
            kind = get_args(kind)[1]
        elif get_origin(kind) is list:
            kind = get_args(kind)[0]
        else:
            return None
    kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [name for name in kind.model_fields if name != "sources"]
    return None


def _unwrap(kind: Any) -> Any:
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            kind = get_args(kind)[0]
        elif origin in (Union, types.UnionType):
            kind = next(a for a in get_args(kind) if a is not type(None))
        else:
            return kind


__all__ = [
    "Analytics", "DEFAULT_MAPPING_PATH", "ENV_VAR", "Currency", "FieldSpec", "Identity", "Mapping", "MappingError",
    "ORDER_FLAGS", "ORDER_STATUSES", "ROUNDING_MODES", "Returns", "SHIPMENT_FLAGS", "SegmentRule", "ShipmentRule", "Sync",
    "load_mapping",
]
