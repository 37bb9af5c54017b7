"""Table declarations: what a synced table holds and the rules its rows meet, independent of the engine.

A table is declared once, as a `TableSpec` of `Column`s (warehouse/model/). Everything else is
derived from that declaration: the DDL of both engines (`Warehouse.ensure_tables`), the pandera
contract the rows are checked against (`warehouse/contract.py`) and the Dagster `TableSchema` the
UI shows (`defs/checks.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    import pandera.pandas as pa

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
# The rules a column may declare: pandera's built-in column checks, named as pandera names them
# (so the contract reports them as `gt`→`greater_than(0)`, `str_matches('…')`, `field_uniqueness`…).
CONSTRAINTS = frozenset({"nullable", "unique", "gt", "ge", "lt", "le", "isin", "str_matches", "str_contains",
                         "str_length"})


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
class Rule:
    """A named row rule beyond the built-in constraints.

    On a column, `test` takes the column (a Series without its NULLs) and returns a boolean Series;
    on a table, it takes the frame. True means the row passes; a failing row is quarantined with
    `name` as the rule it broke.
    """

    name: str
    test: Callable[[Any], Any]


@dataclass(frozen=True, init=False)
class Column:
    """One column: its logical type, what it holds (the UI's column description) and its rules.

        Column("bigint", "Centra product id.", gt=0, unique=True)
        Column("text", "EAN/GTIN barcode.", GTIN_CHECK_DIGIT, nullable=True)
        Column("text", "Product name.", nullable=False)   # checked: present and never NULL

    A column that declares a rule or a constraint (any of `CONSTRAINTS`) is part of the table's
    contract: it must be present in every batch, is coerced to its type and may not be NULL unless
    `nullable=True`. A column without any is stored as it comes.
    """

    type: str
    description: str
    rules: tuple[Rule, ...]
    constraints: Mapping[str, Any]

    def __init__(self, type: str, description: str = "", *rules: Rule, **constraints: Any) -> None:
        unknown = sorted(set(constraints) - CONSTRAINTS)
        if unknown:
            raise ValueError(f"unknown column constraints {unknown}; use {sorted(CONSTRAINTS)} or a Rule")
        object.__setattr__(self, "type", normalise_type(type))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "constraints", MappingProxyType(constraints))

    @property
    def checked(self) -> bool:
        """Whether the contract checks this column."""
        return bool(self.rules or self.constraints)

    @property
    def nullable(self) -> bool:
        """Whether the contract lets the column be NULL (an unchecked column may always be)."""
        return self.constraints.get("nullable", not self.checked)


@dataclass(frozen=True)
class TableSpec:
    """One warehouse table.

    name: table name inside the warehouse schema (``products``, ``stock_levels``…).
    columns: {column: Column}, in the order the table has them; a bare logical type stands for a
        column without description or rules. ``deleted_at`` and ``synced_at`` are added by the warehouse.
    key: the upsert key (``("id",)`` for entities with a Centra id).
    updated_at: the column the conflict rule compares (Centra's updatedAt), or None when the
        source has no change time: then the last write wins.
    partition: the column holding the Dagster partition key, if the table is partitioned
        (indexed on PostgreSQL).
    rules: rules across columns that every row must meet (`Rule`s taking the frame).
    """

    name: str
    columns: Mapping[str, Column | str]
    key: tuple[str, ...]
    updated_at: str | None = None
    partition: str | None = None
    rules: tuple[Rule, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        check_identifier(self.name, "table name")
        key = (self.key,) if isinstance(self.key, str) else tuple(self.key)
        object.__setattr__(self, "key", key)
        columns = {check_identifier(c, f"column of {self.name}"): col if isinstance(col, Column) else Column(col)
                   for c, col in self.columns.items()}
        clash = set(columns) & set(BOOKKEEPING_COLUMNS)
        if clash:
            raise ValueError(f"table {self.name}: columns {sorted(clash)} are added by the warehouse; remove them")
        if not key:
            raise ValueError(f"table {self.name}: key must name at least one column")
        for role, cols in (("key", key), ("updated_at", (self.updated_at,)), ("partition", (self.partition,))):
            for col in cols:
                if col is not None and col not in columns:
                    raise ValueError(f"table {self.name}: {role} column {col!r} is not among its columns")
        if self.updated_at is not None and columns[self.updated_at].type != "timestamptz":
            raise ValueError(f"table {self.name}: updated_at column {self.updated_at!r} must be timestamptz")
        object.__setattr__(self, "columns", MappingProxyType(columns))
        object.__setattr__(self, "rules", tuple(self.rules))

    @cached_property
    def types(self) -> Mapping[str, str]:
        """Spec columns with canonical logical types (without the bookkeeping columns)."""
        return MappingProxyType({c: col.type for c, col in self.columns.items()})

    @property
    def all_types(self) -> dict[str, str]:
        """Every stored column with its logical type, bookkeeping columns last."""
        return {**self.types, **BOOKKEEPING_COLUMNS}

    @cached_property
    def descriptions(self) -> Mapping[str, str]:
        """What every stored column holds, bookkeeping columns included."""
        return MappingProxyType({**{c: col.description for c, col in self.columns.items()},
                                 **BOOKKEEPING_DESCRIPTIONS})

    @cached_property
    def contract(self) -> "pa.DataFrameSchema":
        """The pandera schema the table's rows are checked against, derived from its columns and rules."""
        from centra_pipelines.warehouse.contract import derive_contract  # pandera loads only where rows are checked

        return derive_contract(self)
