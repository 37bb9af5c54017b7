"""Table specifications: what a synced table holds, independent of the engine."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Columns every synced table carries in addition to its spec's columns.
DELETED_AT = "deleted_at"  # set by DELETED events and reconciliation; nothing is hard-deleted
SYNCED_AT = "synced_at"  # when our last write to the row committed (transaction time, UTC)
BOOKKEEPING_COLUMNS = {DELETED_AT: "timestamptz", SYNCED_AT: "timestamptz"}
BOOKKEEPING_DESCRIPTIONS = {
    DELETED_AT: "When Centra deleted the row (a DELETED event or reconciliation); NULL while it exists. "
                "Nothing is hard-deleted.",
    SYNCED_AT: "When our last write to the row committed (UTC).",
}

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SIMPLE_TYPES = {"bigint", "integer", "text", "boolean", "double", "date", "timestamptz", "json"}
_DECIMAL = re.compile(r"^decimal\((\d{1,2}),\s*(\d{1,2})\)$")


def check_identifier(name: str, what: str) -> str:
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise ValueError(f"{what} {name!r} is not a lower-case SQL identifier ([a-z_][a-z0-9_]*)")
    return name


def normalise_type(logical: str) -> str:
    """Validate a logical column type and return its canonical spelling.

    Logical types: bigint, integer, text, boolean, double, date, timestamptz (stored UTC),
    json, decimal(p,s) with p ≤ 38 (money is decimal(18,4) unless a spec says otherwise).
    """
    t = " ".join(str(logical).lower().split())
    if t in _SIMPLE_TYPES:
        return t
    m = _DECIMAL.match(t)
    if m and 1 <= int(m[1]) <= 38 and int(m[2]) <= int(m[1]):
        return f"decimal({int(m[1])},{int(m[2])})"
    raise ValueError(
        f"unknown column type {logical!r}; use one of {sorted(_SIMPLE_TYPES)} or decimal(p,s) with p <= 38"
    )


@dataclass(frozen=True)
class TableSpec:
    """One warehouse table.

    name: table name inside the warehouse schema (``products``, ``stock_levels``…).
    columns: {column: logical type}; ``deleted_at`` and ``synced_at`` are added by the warehouse.
    key: the upsert key (``("id",)`` for entities with a Centra id).
    updated_at: the column the conflict rule compares (Centra's updatedAt), or None when the
        source has no change time: then the last write wins.
    partition: the column holding the Dagster partition key, if the table is partitioned
        (indexed on PostgreSQL).
    descriptions: {column: what it holds}, shown as column descriptions in the Dagster UI.
    """

    name: str
    columns: Mapping[str, str]
    key: tuple[str, ...]
    updated_at: str | None = None
    partition: str | None = None
    descriptions: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _types: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_identifier(self.name, "table name")
        key = (self.key,) if isinstance(self.key, str) else tuple(self.key)
        object.__setattr__(self, "key", key)
        types = {check_identifier(c, f"column of {self.name}"): normalise_type(t) for c, t in self.columns.items()}
        clash = set(types) & set(BOOKKEEPING_COLUMNS)
        if clash:
            raise ValueError(f"table {self.name}: columns {sorted(clash)} are added by the warehouse; remove them")
        if not key:
            raise ValueError(f"table {self.name}: key must name at least one column")
        for role, cols in (("key", key), ("updated_at", (self.updated_at,)), ("partition", (self.partition,))):
            for col in cols:
                if col is not None and col not in types:
                    raise ValueError(f"table {self.name}: {role} column {col!r} is not among its columns")
        if self.updated_at is not None and types[self.updated_at] != "timestamptz":
            raise ValueError(f"table {self.name}: updated_at column {self.updated_at!r} must be timestamptz")
        unknown = sorted(set(self.descriptions) - set(types))
        if unknown:
            raise ValueError(f"table {self.name}: descriptions name columns it does not have: {unknown}")
        object.__setattr__(self, "descriptions", MappingProxyType({**self.descriptions, **BOOKKEEPING_DESCRIPTIONS}))
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        object.__setattr__(self, "_types", MappingProxyType(types))

    @property
    def types(self) -> Mapping[str, str]:
        """Spec columns with canonical logical types (without the bookkeeping columns)."""
        return self._types

    @property
    def all_types(self) -> dict[str, str]:
        """Every stored column with its logical type, bookkeeping columns last."""
        return {**self._types, **BOOKKEEPING_COLUMNS}
