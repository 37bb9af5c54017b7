"""The served GraphQL schema: the SDL file, optionally stripped to what public sources confirm.

Markers in schema.graphql (see its header): a line whose marker is a plain `# unconfirmed`
(no colon right after it) names something no source confirms; strict mode drops it.
`# unconfirmed: <what>` means the name is confirmed and only a detail is inferred, so it stays,
as do `# client-code` lines. Types left empty by stripping, and the
fields, arguments and union members that reference them, are dropped as well.

`drop` removes chosen members from what is served ("Order.isOnHold", "OrderStatus.ARCHIVED",
"OrderFilter.updatedAt"): how a Centra that changed its API looks to the client. It only ever
removes; a name the schema lacks is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLSchema,
    build_ast_schema,
    parse,
)
from graphql.language import ast

SDL_PATH = Path(__file__).with_name("schema.graphql")

# "unconfirmed" not directly followed by ":" (e.g. "# unconfirmed", "# unconfirmed (documented on Stock)").
_PLAIN_UNCONFIRMED = re.compile(r"#.*\bunconfirmed\b(?!\s*:)")
_DESCRIPTION_LINE = re.compile(r'^\s*"[^"]*"\s*$')

_BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def sdl_text(strict: bool, path: Path = SDL_PATH) -> str:
    """The SDL as served: the file, with plain-unconfirmed lines removed in strict mode."""
    text = path.read_text(encoding="utf-8")
    if not strict:
        return text
    kept: list[str] = []
    for line in text.splitlines():
        if _PLAIN_UNCONFIRMED.search(line) and not line.lstrip().startswith("#"):
            # A dropped field also loses the one-line description written above it.
            while kept and _DESCRIPTION_LINE.match(kept[-1]):
                kept.pop()
            continue
        if line.strip() == "}" and kept and re.search(r"\{\s*(#.*)?$", kept[-1]):
            # Every member was stripped: the type goes (its references are pruned on the AST).
            kept.pop()
            while kept and _DESCRIPTION_LINE.match(kept[-1]):
                kept.pop()
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def _named(type_node: ast.TypeNode) -> str:
    while not isinstance(type_node, ast.NamedTypeNode):
        type_node = type_node.type
    return type_node.name.value


def _prune(document: DocumentNode) -> DocumentNode:
    """Drop emptied types and everything that references them, until nothing changes."""
    defs = list(document.definitions)
    while True:
        changed = False
        type_defs = {d.name.value: d for d in defs if isinstance(d, ast.TypeDefinitionNode)}
        empty = set()
        for name, d in type_defs.items():
            if isinstance(d, (ast.ObjectTypeDefinitionNode, ast.InterfaceTypeDefinitionNode, ast.InputObjectTypeDefinitionNode)):
                if not d.fields:
                    empty.add(name)
            elif isinstance(d, ast.EnumTypeDefinitionNode) and not d.values:
                empty.add(name)
            elif isinstance(d, ast.UnionTypeDefinitionNode) and not d.types:
                empty.add(name)
        known = (set(type_defs) - empty) | _BUILTIN_SCALARS
        if empty:
            defs = [d for d in defs if not (isinstance(d, ast.TypeDefinitionNode) and d.name.value in empty)]
            changed = True
        # An interface field an implementation no longer has cannot stay on the interface.
        implemented: dict[str, list[ast.ObjectTypeDefinitionNode]] = {}
        for d in defs:
            if isinstance(d, (ast.ObjectTypeDefinitionNode, ast.InterfaceTypeDefinitionNode)):
                for i in d.interfaces or ():
                    implemented.setdefault(i.name.value, []).append(d)
        for d in defs:
            if isinstance(d, (ast.ObjectTypeDefinitionNode, ast.InterfaceTypeDefinitionNode, ast.InputObjectTypeDefinitionNode)):
                fields = []
                for f in d.fields or ():
                    if _named(f.type) not in known:
                        changed = True
                        continue
                    if isinstance(d, ast.InterfaceTypeDefinitionNode):
                        impls = implemented.get(d.name.value, [])
                        if any(f.name.value not in {g.name.value for g in (i.fields or ())} for i in impls):
                            changed = True
                            continue
                    if not isinstance(f, ast.InputValueDefinitionNode) and f.arguments:
                        args = [a for a in f.arguments if _named(a.type) in known]
                        if len(args) != len(f.arguments):
                            f.arguments = tuple(args)
                            changed = True
                    fields.append(f)
                if len(fields) != len(d.fields or ()):
                    d.fields = tuple(fields)
                if not isinstance(d, ast.InputObjectTypeDefinitionNode) and d.interfaces:
                    ifaces = [i for i in d.interfaces if i.name.value in known]
                    if len(ifaces) != len(d.interfaces):
                        d.interfaces = tuple(ifaces)
                        changed = True
            elif isinstance(d, ast.UnionTypeDefinitionNode):
                members = [t for t in d.types if t.name.value in known]
                if len(members) != len(d.types):
                    d.types = tuple(members)
                    changed = True
        if not changed:
            return ast.DocumentNode(definitions=tuple(defs))


def _drop(document: DocumentNode, members: tuple[str, ...]) -> DocumentNode:
    """The document without the named `Type.member`s (fields, input fields, enum values)."""
    wanted: dict[str, set[str]] = {}
    for member in members:
        type_name, dot, name = member.partition(".")
        if not dot or not type_name or not name:
            raise ValueError(f"cannot drop {member!r}: name a member as Type.member, e.g. Order.isOnHold")
        wanted.setdefault(type_name, set()).add(name)
    found: set[str] = set()
    for d in document.definitions:
        names = wanted.get(getattr(getattr(d, "name", None), "value", None))
        if not names:
            continue
        attr = "values" if isinstance(d, ast.EnumTypeDefinitionNode) else "fields"
        kept = [m for m in getattr(d, attr, None) or () if m.name.value not in names]
        found.update(f"{d.name.value}.{m.name.value}" for m in getattr(d, attr) or () if m.name.value in names)
        setattr(d, attr, tuple(kept))
    missing = sorted(set(members) - found)
    if missing:
        raise ValueError(f"cannot drop {', '.join(missing)}: the served schema has no such member")
    return document


def load_schema(strict: bool, path: Path = SDL_PATH, drop: tuple[str, ...] = ()) -> GraphQLSchema:
    """Build the served schema; strict=True serves only what the file does not mark plain `# unconfirmed`.
    `path` names another SDL file in the same notation (tests read the public reference with it);
    `drop` names members to leave out (see the module docstring)."""
    document = parse(sdl_text(strict, path), no_location=True)
    if drop:
        document = _drop(document, tuple(drop))
    if strict or drop:
        document = _prune(document)
    return build_ast_schema(document)
