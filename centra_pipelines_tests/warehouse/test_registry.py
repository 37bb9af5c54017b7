"""Every table is declared once (warehouse/model/): the DDL of both engines, the pandera contract and the
Dagster TableSchema the UI shows are all derived from that one declaration."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from centra_pipelines.defs.checks import column_schema
from centra_pipelines.warehouse import TableSpec, Warehouse, connect, model
from centra_pipelines.warehouse.contract import apply_contract
from centra_pipelines.warehouse.tables import Column, Rule

TABLES = [v for v in vars(model).values() if isinstance(v, TableSpec)]

# What information_schema reports for each logical type.
STORED_TYPES = {
    "duckdb": {"bigint": "BIGINT", "integer": "INTEGER", "text": "VARCHAR", "boolean": "BOOLEAN", "double": "DOUBLE",
               "date": "DATE", "timestamptz": "TIMESTAMP WITH TIME ZONE", "json": "JSON",
               "decimal(18,4)": "DECIMAL(18,4)"},
    "postgresql": {"bigint": "bigint", "integer": "integer", "text": "text", "boolean": "boolean",
                   "double": "double precision", "date": "date", "timestamptz": "timestamp with time zone",
                   "json": "jsonb", "decimal(18,4)": "numeric"},
}


def test_the_warehouse_creates_every_table_as_declared(warehouse_url):
    with connect(warehouse_url) as wh:
        _assert_created_as_declared(wh)


def _assert_created_as_declared(wh: Warehouse) -> None:
    wh.ensure_tables(TABLES)
    types = STORED_TYPES[wh.engine]
    for spec in TABLES:
        where = f"table_schema = '{wh.schema}' AND table_name = '{spec.name}'"
        stored = wh.read(f"SELECT column_name, data_type FROM information_schema.columns WHERE {where} "
                         "ORDER BY ordinal_position")
        assert list(zip(stored["column_name"], stored["data_type"])) == [
            (c, types[t]) for c, t in spec.all_types.items()], spec.name
        key = wh.read(f"SELECT column_name FROM information_schema.key_column_usage WHERE {where} "
                      "ORDER BY ordinal_position")
        assert tuple(key["column_name"]) == spec.key, spec.name


def test_every_contract_and_table_schema_is_the_declaration():
    for spec in TABLES:
        contract, schema = spec.contract, column_schema(spec)
        checked = [c for c, col in spec.columns.items() if col.checked]
        assert list(contract.columns) == checked, spec.name
        assert [(c.name, c.type, c.description) for c in schema.columns] == [
            (c, t, spec.descriptions[c]) for c, t in spec.all_types.items()], spec.name
        for column in schema.columns:
            declared, rules = spec.columns.get(column.name), contract.columns.get(column.name)
            if rules is None:  # not checked: Dagster's defaults (nullable, not unique, no rules)
                assert column.constraints == dg.TableColumnConstraints(), (spec.name, column.name)
            else:
                assert rules.nullable is declared.nullable and column.constraints.nullable is declared.nullable
                assert column.constraints.unique is rules.unique is declared.constraints.get("unique", False)
                assert column.constraints.other == [c.error or c.name for c in rules.checks]
                assert {r.name for r in declared.rules} <= set(column.constraints.other)
        assert [c.name for c in contract.checks] == [r.name for r in spec.rules], spec.name
        assert schema.constraints.other == [f"key: {', '.join(spec.key)}", *(r.name for r in spec.rules)]


def test_a_rule_declared_once_checks_rows_shows_in_the_ui_and_its_table_is_created(wh):
    spec = TableSpec("parcels", key="id", columns={
        "id": Column("bigint", "Parcel id.", gt=0, unique=True),
        "carrier": Column("text", "Carrier.", isin=["dhl", "ups"]),
        "code": Column("text", "Tracking code.", Rule("even_length", lambda s: s.str.len() % 2 == 0), nullable=True),
        "weight": Column("double", "Kilograms."),
        "max_weight": Column("double", "Kilograms allowed."),
    }, rules=[Rule("weight_within_limit", lambda f: f["weight"] <= f["max_weight"])])
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 4], "carrier": ["dhl", "fedex", "ups", "ups", "dhl"],
                          "code": ["ab", None, "abc", "abcd", "xy"], "weight": [1.0, 2.0, 3.0, 9.0, 1.0],
                          "max_weight": [5.0, 5.0, 5.0, 5.0, 5.0]})

    outcome = apply_contract(spec, frame)
    assert outcome.valid["id"].tolist() == [1]
    counts = outcome.rule_counts()
    assert {rule: counts[rule] for rule in ("carrier: isin(['dhl', 'ups'])", "code: even_length", "id: field_uniqueness")} \
        == {"carrier: isin(['dhl', 'ups'])": 1, "code: even_length": 1, "id: field_uniqueness": 2}
    assert counts["weight: weight_within_limit"] == 1  # a table rule is reported on each column of the failing row
    overweight = outcome.rejected[outcome.rejected["weight"] > 5]
    assert sorted(outcome.rejected["id"]) == [2, 3, 4, 4] and "weight_within_limit" in overweight["_reason"].item()
    assert spec.contract.name == "Parcels" and "weight" not in spec.contract.columns  # no rule: not checked

    ui = {c.name: c for c in column_schema(spec).columns}
    assert ui["carrier"].constraints.other == ["isin(['dhl', 'ups'])"] and ui["code"].constraints.nullable
    assert ui["id"].constraints.unique and ui["weight"].constraints == dg.TableColumnConstraints()
    assert column_schema(spec).constraints.other == ["key: id", "weight_within_limit"]

    wh.ensure_tables([spec])
    assert list(wh.read(spec).columns) == list(spec.all_types)


def test_a_column_with_an_unknown_constraint_is_refused():
    with pytest.raises(ValueError, match="unknown column constraints \\['greater_than'\\]"):
        Column("bigint", "Parcel id.", greater_than=0)
