"""The public schema is the contract: the sandbox serves the reference file as it is, and every
document the client can send validates against that reference (read from shared/, not a copy) and
against its strict form (what no public source confirms removed)."""

from __future__ import annotations

import re
from pathlib import Path

import graphql
import httpx
import pytest

from centra_pipelines.centra import queries
from centra_pipelines.centra.streams import STREAMS
from centra_pipelines.sandbox.schema import SDL_PATH, load_schema

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "centra-schema.graphql"


@pytest.fixture(scope="module")
def reference() -> Path:
    assert REFERENCE.is_file(), f"the public schema reference is missing at {REFERENCE}"
    return REFERENCE


def _words(text: str) -> list[str]:
    return re.split(r"\s+", text.strip())


def test_the_packaged_schema_is_the_reference_except_whitespace(reference):
    ours, theirs = _words(SDL_PATH.read_text(encoding="utf-8")), _words(reference.read_text(encoding="utf-8"))
    first = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
    assert ours == theirs, (f"{SDL_PATH.name} differs from the reference at word {first}: "
                            f"{' '.join(ours[first:first + 8])!r} vs {' '.join(theirs[first:first + 8])!r}")


def test_the_sandbox_serves_the_reference_schema_over_http(sandbox_server, reference):
    response = httpx.post(sandbox_server.url, json={"query": graphql.get_introspection_query(descriptions=True)},
                          headers={"Authorization": "Bearer sandbox"}, timeout=30)
    served = graphql.build_client_schema(response.json()["data"])
    expected = graphql.build_schema(reference.read_text(encoding="utf-8"))
    assert graphql.print_schema(served) == graphql.print_schema(expected)


@pytest.mark.parametrize("strict", [False, True], ids=["reference", "strict"])
def test_every_client_document_validates_against_the_reference(reference, strict):
    schema = load_schema(strict=strict, path=reference)
    documents = queries.all_documents()
    assert len(documents) >= 10
    for name, text in documents.items():
        errors = graphql.validate(schema, graphql.parse(text))
        assert not errors, f"{name}: {[e.message for e in errors]}"
    for stream in STREAMS.values():
        assert stream.query in documents.values()


def test_strict_form_drops_what_no_source_confirms(reference):
    full, strict = load_schema(False, reference), load_schema(True, reference)
    assert "updatedAt" in full.type_map["ProductFilter"].fields
    assert "ProductFilter" not in strict.type_map or "updatedAt" not in strict.type_map["ProductFilter"].fields
    assert "updatedAt" in strict.type_map["OrderFilter"].fields  # confirmed: orders(where: {updatedAt})


def test_drop_fields_serves_the_reference_minus_exactly_those_members(make_sandbox, reference):
    from centra_pipelines.centra.served_schema import served_members

    server = make_sandbox(drop_fields=("Order.isOnHold", "OrderStatus.INCOMPLETE", "OrderFilter.isOnHold"))
    response = httpx.post(server.url, json={"query": queries.SCHEMA}, headers={"Authorization": "Bearer sandbox"},
                          timeout=30)
    served = served_members(graphql.build_client_schema(response.json()["data"]))
    full = served_members(graphql.build_schema(reference.read_text(encoding="utf-8")))
    assert served <= full  # never adds anything
    assert full - served == {"Order.isOnHold", "OrderStatus.INCOMPLETE", "OrderFilter.isOnHold"}


def test_drop_fields_refuses_a_member_the_schema_lacks():
    import argparse

    from centra_pipelines.sandbox.cli import add_sandbox_commands, config_from_args

    parser = argparse.ArgumentParser()
    add_sandbox_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sandbox", "serve", "--drop-fields", "Order.isOnHold,Order.noSuchField"])
    with pytest.raises(SystemExit, match="cannot drop Order.noSuchField: the served schema has no such member"):
        config_from_args(args)
    args = parser.parse_args(["sandbox", "serve", "--drop-fields", "Order.isOnHold, OrderStatus.ARCHIVED"])
    assert config_from_args(args).drop_fields == ("Order.isOnHold", "OrderStatus.ARCHIVED")


def test_documents_use_fields_arguments_and_literal_input_fields():
    from centra_pipelines.centra.served_schema import used_members

    used = used_members()
    assert {"Order.isOnHold", "Order.lines(includeFullyCancelled)", "OrderFilter"} <= used["ORDERS_PAGE"]
    assert "CurrencyFilter.isBase" in used["BASE_CURRENCY"]  # an input field written in the document
    assert set(used) == set(queries.all_documents())
