"""A table's data contract: the pandera schema derived from its declaration, and applying it to a batch.

The contract is derived from the `TableSpec` (warehouse/tables.py): its checked columns with their
types, nullability and constraints, their rules, and the table's rules across columns.
Validation is lazy (every failure is collected), and the failures are turned into per-row reasons
so that bad rows can be quarantined while the good rows load. A failure that is not about a row (a
missing column, a wrong dtype for the whole column) means the batch does not fit the contract at
all: that raises `ContractError` and nothing loads.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from centra_pipelines.warehouse.tables import Column, Rule, TableSpec



class _Text(pandas_engine.NpString):
    """pandera's `str`, checked without a Python call per value when the column is all text.

    pandera's own check maps `isinstance(x, str)` over every value and, even when every value
    passes, formats an (empty) failure table into its message: the largest cost of a contract.
    When every present value is a str (one C pass) the answer is the same True; otherwise pandera's
    element-wise check runs as before, so a failure is reported exactly as pandera reports it.
    """

    def check(self, pandera_dtype, data_container=None):
        if data_container is not None and pd.api.types.infer_dtype(data_container, skipna=True) in ("string", "empty"):
            return True
        return super().check(pandera_dtype, data_container)


# What a checked column is coerced to, by logical type; decimals (money) stay Decimal objects.
# Timestamps arrive as tz-aware UTC pandas timestamps, flattened from Centra's offset dates.
_DTYPES = {"bigint": int, "integer": int, "double": float, "text": _Text(), "boolean": bool, "date": object,
           "json": object, "timestamptz": "datetime64[ns, UTC]"}
_NULLABLE_DTYPES = {"bigint": pd.Int64Dtype, "integer": pd.Int64Dtype, "boolean": pd.BooleanDtype}


class ContractError(ValueError):
    """The batch as a whole does not fit the table's contract (e.g. a column is missing)."""


def derive_contract(spec: TableSpec) -> pa.DataFrameSchema:
    """The pandera schema of a table: one column per checked column, in the table's order, and the
    table's rules. Columns without rules are not checked (other columns may ride along)."""
    return pa.DataFrameSchema(
        {name: _column(name, col) for name, col in spec.columns.items() if col.checked},
        checks=[_check(rule) for rule in spec.rules],
        name="".join(part.title() for part in spec.name.split("_")),
        coerce=True,
        strict=False,
    )


def _column(name: str, col: Column) -> pa.Column:
    dtype = (_NULLABLE_DTYPES if col.nullable else {}).get(col.type) or _DTYPES.get(col.type, object)
    # pa.Field turns the constraints into pandera's own checks, named as pandera names them.
    declared = pa.Field(**{**col.constraints, "nullable": col.nullable}, description=col.description)
    return pa.Column(**declared.column_properties(dtype, checks=[_check(rule) for rule in col.rules], name=name))


def _check(rule: Rule) -> pa.Check:
    return pa.Check(rule.test, name=rule.name)


@dataclass
class ContractOutcome:
    valid: pd.DataFrame
    rejected: pd.DataFrame
    """The rejected rows, with an extra `_reason` column."""
    failure_cases: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    def first_failures(self, n: int, ids: Sequence[str]) -> list[dict]:
        """The first `n` failures, JSON-friendly, for check metadata: the row's `ids` (its key, and
        the order number or SKU where the table has one), the rule that failed and the value."""
        cases = self.failure_cases
        cases = cases[cases["index"].notna()].head(n) if len(cases) else cases
        out = []
        for r in cases.itertuples():
            row = self.rejected.loc[int(r.index)]
            case = {c: _plain(row[c]) for c in ids if c in row.index}
            case.update(rule=_rule(r.column, r.check), value=_plain(r.failure_case))
            out.append(case)
        return out

    def rule_counts(self) -> Counter[str]:
        """How many rows failed each rule (`column: check`)."""
        cases = self.failure_cases
        if not len(cases):
            return Counter()
        cases = cases[cases["index"].notna()]
        return Counter(_rule(c, k) for c, k in zip(cases["column"], cases["check"]))


def _rule(column: object, check: object) -> str:
    return f"{column}: {check}" if not pd.isna(column) else str(check)


def _plain(value: object) -> object:
    """A value as JSON has it (None for a missing value, ints as ints, the rest as text)."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return str(value)


# pandera's names of the checks of a column's type (a failed one leaves the column uncoerced).
_TYPE_CHECKS = ("coerce_dtype(", "dtype(")
# Per contract: the same schema without its coercion step (see `apply_contract`), by id of the spec.
_CHECKING: dict[int, tuple[TableSpec, pa.DataFrameSchema]] = {}


def _checking_schema(spec: TableSpec) -> pa.DataFrameSchema:
    held = _CHECKING.get(id(spec))
    if held is None or held[0] is not spec:
        held = _CHECKING[id(spec)] = (spec, _without_coercion(spec.contract))
    return held[1]


def _without_coercion(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    unchecked = copy.deepcopy(schema)
    unchecked.coerce = False
    return unchecked


def _coerced(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    """`frame` with its checked columns coerced as pandera coerces them (the same dtype functions),
    or None when a column does not coerce (pandera then reports which values did not)."""
    columns = {}
    for name, column in schema.columns.items():
        if name in frame.columns and not _already(column.dtype, frame[name]):
            try:
                columns[name] = column.dtype.coerce(frame[name])
            except Exception:
                return None
    if not columns:
        return frame
    return pd.DataFrame({name: columns.get(name, frame[name]) for name in frame.columns}, index=frame.index)


def _already(dtype, values: pd.Series) -> bool:
    """Whether coercing `values` to `dtype` would give them back unchanged (the flattened columns
    mostly have their type already): same pandas dtype, or for text only exact `str`s and missing values."""
    if isinstance(dtype, _Text):
        return (values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
                and all(type(v) is str for v in values.tolist() if isinstance(v, str)))
    return values.dtype == dtype.type


def apply_contract(spec: TableSpec, frame: pd.DataFrame) -> ContractOutcome:
    """Check one batch of `spec`'s rows against its contract.

    pandera's validation coerces column by column (copying each column's schema and setting the
    column into the frame one at a time), which costs more than the checks: the batch's columns
    that are not of their type yet are coerced here at once with pandera's own dtype functions, and
    the checks run on the result with the same schema minus coercion. A column that does not coerce takes pandera's path, so
    its failure cases are pandera's.
    """
    schema = spec.contract
    frame = frame.reset_index(drop=True)
    coerced = _coerced(schema, frame)
    try:
        if coerced is None:
            valid = schema.validate(frame, lazy=True)
        else:
            valid = _checking_schema(spec).validate(coerced, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        batch_level = cases[cases["index"].isna()]
        if not batch_level.empty:
            described = "; ".join(
                f"{row.schema_context} {row.column!s}: {row.check} ({row.failure_case!s})"
                for row in batch_level.head(5).itertuples()
            )
            raise ContractError(f"{schema.name}: the batch does not fit the contract: {described}") from None
        reasons: dict[int, list[str]] = {}
        for row in cases.itertuples():
            reasons.setdefault(int(row.index), []).append(f"{row.column}: {row.check} (got {row.failure_case!r})")
        bad_index = sorted(reasons)
        rejected = frame.loc[bad_index].copy()
        rejected["_reason"] = ["; ".join(reasons[i]) for i in bad_index]
        good = frame.drop(index=bad_index)
        if good.empty:
            valid = good
        elif cases["check"].astype(str).str.startswith(_TYPE_CHECKS).any():
            # A column that failed its coercion was left as it came: coerce the remainder again.
            valid = schema.validate(good, lazy=True)
        else:
            # Every column was coerced (errors.data is the coerced batch): the good rows of it are
            # what validating them again would give, without paying for a second validation.
            valid = errors.data.drop(index=bad_index)
        return ContractOutcome(valid=valid.reset_index(drop=True), rejected=rejected, failure_cases=cases)
    return ContractOutcome(valid=valid, rejected=frame.iloc[0:0].assign(_reason=pd.Series(dtype=str)))
