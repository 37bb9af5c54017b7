"""apply_contract invokes pandera its own way (the batch coerced at once, text checked in one pass, no
second validation of the good rows): the outcome must be what pandera's plain validation gives."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
import pytest

from centra_pipelines.warehouse.contract import apply_contract
from centra_pipelines.warehouse.tables import Column, TableSpec

SPEC = TableSpec("contract_probe", key="id", updated_at="updated_at", columns={
    "id": Column("bigint", "Id.", gt=0, unique=True),
    "name": Column("text", "Name.", str_matches=r"^[A-Z]"),
    "count": Column("bigint", "Count.", ge=0, nullable=True),
    "price": Column("decimal(18,4)", "Price.", nullable=False),
    "active": Column("boolean", "Active.", nullable=True),
    "updated_at": Column("timestamptz", "Changed.", nullable=False),
    "note": "text",  # unchecked: rides along as it comes
})
WHEN = pd.Timestamp("2026-03-01T10:00:00Z")


def _frame(**overrides) -> pd.DataFrame:
    rows = {"id": [1, 2, 3, 4], "name": ["Ann", "Bo", "Cy", "Di"], "count": [1, None, 3, 4],
            "price": [Decimal("1.50"), Decimal("2"), Decimal("3.25"), Decimal("4")],
            "active": [True, None, False, True], "updated_at": [WHEN] * 4, "note": ["a", None, 3, "d"]}
    rows.update(overrides)
    return pd.DataFrame(rows)


def _pandera(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, set[str]]]:
    """The reference: pandera's plain lazy validation, then the good rows validated on their own."""
    try:
        return SPEC.contract.validate(frame, lazy=True), {}
    except pa.errors.SchemaErrors as errors:
        reasons: dict[int, set[str]] = {}
        for row in errors.failure_cases.itertuples():
            reasons.setdefault(int(row.index), set()).add(f"{row.column}: {row.check} (got {row.failure_case!r})")
        good = frame.drop(index=sorted(reasons))
        return SPEC.contract.validate(good, lazy=True).reset_index(drop=True), reasons


@pytest.mark.parametrize("case", [
    "clean",
    "a failing rule",  # rows rejected, every column coerced: the coerced batch's good rows are kept
    "a value that does not coerce",  # pandera's own path: the column is coerced again without the row
    "text that is not text",  # the element-wise text check reports the value
])
def test_the_outcome_is_pandera_s(case):
    frame = {
        "clean": _frame(),
        "a failing rule": _frame(name=["Ann", "bo", None, "Di"], id=[1, 2, -3, 4]),
        "a value that does not coerce": _frame(active=[True, "maybe", None, False],
                                               updated_at=[WHEN, "garbage", WHEN.isoformat(), WHEN]),
        "text that is not text": _frame(name=["Ann", 7, "Cy", "Di"]),
    }[case]
    expected, reasons = _pandera(frame.copy())

    outcome = apply_contract(SPEC, frame)

    pd.testing.assert_frame_equal(outcome.valid, expected, check_exact=True)
    got = {int(i): set(r.split("; ")) for i, r in zip(outcome.rejected.index, outcome.rejected["_reason"])}
    assert got == reasons
    assert (case == "clean") == (not reasons)
    if reasons:
        assert list(outcome.rejected.columns[:-1]) == list(frame.columns)
    assert str(outcome.valid["count"].dtype) == "Int64" and str(outcome.valid["id"].dtype) == "int64"
    assert str(outcome.valid["updated_at"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize("frame", [_frame().drop(columns=["price"]), _frame(count=[1, "many", 3, None])],
                         ids=["a missing column", "a rule that errors on a value that did not coerce"])
def test_a_batch_pandera_cannot_judge_row_by_row_fails_whole(frame):
    with pytest.raises(ValueError, match="does not fit the contract"):
        apply_contract(SPEC, frame)
