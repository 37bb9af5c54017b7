"""What our documents use of Centra's schema, what a Centra serves, and the difference.

A schema member is named as a string: "Type" (a type), "Type.field", "Type.field(argument)",
"InputType.field" or "Enum.VALUE". `used_members()` walks every document of `centra.queries`
against the package's copy of the public reference; `served_members()` lists what an introspected
schema offers; what is used but not served would make Centra reject a document. Names the client
sends only at run time (sort values, filter fields in `where` variables) are covered by the
per-stream detection in `centra.capabilities`, not here.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import graphql
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
)

from centra_pipelines.centra import queries
from centra_pipelines.sandbox.schema import SDL_PATH  # the package's verbatim copy of the public reference


class _Uses(Visitor):
    def __init__(self, info: TypeInfo) -> None:
        super().__init__()
        self.info = info
        self.fields: list[str] = []  # the field being entered, innermost last
        self.found: set[str] = set()

    def enter_field(self, node, *_):
        parent, name = self.info.get_parent_type(), node.name.value
        self.fields.append(name)
        if parent is not None and not _introspection(parent.name, name):
            self.found.add(f"{parent.name}.{name}")

    def leave_field(self, *_):
        self.fields.pop()

    def enter_argument(self, node, *_):
        parent = self.info.get_parent_type()
        if self.fields and parent is not None and not _introspection(parent.name, self.fields[-1]):
            self.found.add(f"{parent.name}.{self.fields[-1]}({node.name.value})")

    def enter_object_field(self, node, *_):
        parent = get_named_type(self.info.get_parent_input_type())
        if parent is not None:
            self.found.add(f"{parent.name}.{node.name.value}")

    def enter_enum_value(self, node, *_):
        enum = get_named_type(self.info.get_input_type())
        if enum is not None:
            self.found.add(f"{enum.name}.{node.value}")

    def enter_named_type(self, node, *_):
        if not _introspection(node.name.value):
            self.found.add(node.name.value)


def _introspection(*names: str) -> bool:
    """GraphQL's own introspection types and fields (`__type`, `__Schema`): always served."""
    return any(n.startswith("__") for n in names)


@lru_cache(maxsize=1)
def reference_schema() -> GraphQLSchema:
    return graphql.build_schema(SDL_PATH.read_text(encoding="utf-8"))


def used_by(document: str, schema: GraphQLSchema | None = None) -> set[str]:
    """The members one document uses, resolved against `schema` (default: the reference)."""
    info = TypeInfo(schema or reference_schema())
    uses = _Uses(info)
    graphql.visit(graphql.parse(document), TypeInfoVisitor(info, uses))
    return uses.found


@lru_cache(maxsize=1)
def used_members() -> dict[str, frozenset[str]]:
    """Every document of `centra.queries` (by constant name) and the members it uses."""
    return {name: frozenset(used_by(text)) for name, text in queries.all_documents().items()}


def served_members(schema: GraphQLSchema) -> set[str]:
    """Every member a schema offers, named like `used_members()`."""
    out: set[str] = set()
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        out.add(name)
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in kind.fields.items():
                out.add(f"{name}.{field_name}")
                out.update(f"{name}.{field_name}({arg})" for arg in field.args)
        elif isinstance(kind, GraphQLInputObjectType):
            out.update(f"{name}.{field_name}" for field_name in kind.fields)
        elif isinstance(kind, GraphQLEnumType):
            out.update(f"{name}.{value}" for value in kind.values)
    return out


def schema_from_introspection(data: dict[str, Any]) -> GraphQLSchema:
    """The served schema from the answer to `queries.SCHEMA`."""
    return graphql.build_client_schema(data)


def missing_members(served: GraphQLSchema) -> dict[str, list[str]]:
    """Members our documents use that `served` lacks, each with the documents that use it."""
    offered = served_members(served)
    missing: dict[str, list[str]] = {}
    for document, members in used_members().items():
        for member in members - offered:
            missing.setdefault(member, []).append(document)
    return {member: sorted(docs) for member, docs in sorted(missing.items())}


def synced_types() -> set[str]:
    """Object and interface types whose fields our documents select (the types we sync); the root
    types are left out: a new root field is a new entity, not a change of one we sync."""
    reference = reference_schema()
    roots = {t.name for t in (reference.query_type, reference.mutation_type) if t is not None}
    names = {m.split(".", 1)[0] for members in used_members().values() for m in members if "." in m}
    return {n for n in names - roots
            if isinstance(reference.type_map.get(n), (GraphQLObjectType, GraphQLInterfaceType))}


def type_fields(served: GraphQLSchema, names: set[str]) -> dict[str, list[str]]:
    """Field names of the named object/interface types `served` has."""
    out = {}
    for name in sorted(names):
        kind = served.type_map.get(name)
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType)):
            out[name] = sorted(kind.fields)
    return out


def enum_values(served: GraphQLSchema, name: str) -> list[str] | None:
    kind = served.type_map.get(name)
    return sorted(kind.values) if isinstance(kind, GraphQLEnumType) else None


def fingerprint(served: GraphQLSchema) -> str:
    """A short hash of the whole served schema (changes with any type, field, argument or value)."""
    return hashlib.sha256(graphql.print_schema(served).encode()).hexdigest()[:16]
