"""Applying a pandera contract to one batch: keep the good rows, reject the bad with reasons.

A contract is a pandera `DataFrameModel`. Validation is lazy (every failure is collected), and the
failures are turned into per-row reasons so that bad rows can be quarantined while the good rows
load. A failure that is not about a row (a missing column, a wrong dtype for the whole column)
means the batch does not fit the contract at all: that raises `ContractError` and nothing loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa


class ContractError(ValueError):
    """The batch as a whole does not fit the table's contract (e.g. a column is missing)."""


@dataclass
class ContractOutcome:
    valid: pd.DataFrame
    rejected: pd.DataFrame
    """The rejected rows, with an extra `_reason` column."""
    failure_cases: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    def first_failures(self, n: int = 10) -> list[dict]:
        """The first failure cases, JSON-friendly, for check metadata."""
        head = self.failure_cases.head(n)
        return [
            {
                "column": None if pd.isna(r.column) else str(r.column),
                "check": str(r.check),
                "failure_case": None if pd.isna(r.failure_case) else str(r.failure_case),
                "row": None if pd.isna(r.index) else int(r.index),
            }
            for r in head.itertuples()
        ]


def apply_contract(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> ContractOutcome:
    frame = frame.reset_index(drop=True)
    try:
        valid = model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        batch_level = cases[cases["index"].isna()]
        if not batch_level.empty:
            described = "; ".join(
                f"{row.schema_context} {row.column!s}: {row.check} ({row.failure_case!s})"
                for row in batch_level.head(5).itertuples()
            )
            raise ContractError(f"{model.__name__}: the batch does not fit the contract: {described}") from None
        reasons: dict[int, list[str]] = {}
        for row in cases.itertuples():
            reasons.setdefault(int(row.index), []).append(f"{row.column}: {row.check} (got {row.failure_case!r})")
        bad_index = sorted(reasons)
        rejected = frame.loc[bad_index].copy()
        rejected["_reason"] = ["; ".join(reasons[i]) for i in bad_index]
        good = frame.drop(index=bad_index)
        # Re-validate the remainder so that coercion is applied to what loads.
        valid = model.validate(good, lazy=True) if not good.empty else good
        return ContractOutcome(valid=valid.reset_index(drop=True), rejected=rejected, failure_cases=cases)
    return ContractOutcome(valid=valid, rejected=frame.iloc[0:0].assign(_reason=pd.Series(dtype=str)))
