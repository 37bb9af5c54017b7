"""Domains stand alone: no module under defs/<domain>/ imports another domain's module.

What two domains share lives below them (mapping/, the warehouse, centra/) or in a shared module at
the top of defs/ (windows.py, partitions.py, checks.py, ...). The imports are read with
`ast`, so imports inside functions and relative imports count too.
"""

import ast
from pathlib import Path

import centra_pipelines.defs

DEFS = Path(centra_pipelines.defs.__file__).parent
PACKAGE = "centra_pipelines.defs"
DOMAINS = sorted(p.name for p in DEFS.iterdir() if (p / "__init__.py").exists())


def imported_modules(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The dotted names an import statement in `module` reaches, relative ones resolved; `from package
    import name` gives `package.name` too, since the name may be a module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = module.split(".")[:-node.level]
        base = ".".join([*parts, base]) if base else ".".join(parts)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def domain_of(name: str) -> str | None:
    """The domain a dotted module name belongs to (None: not inside a domain folder)."""
    parts = name.split(".")
    if parts[:2] != PACKAGE.split(".") or len(parts) < 3 or parts[2] not in DOMAINS:
        return None
    return parts[2]


def sideways_imports(source: str, module: str) -> list[str]:
    """`module:line: the import statement` for each import of another domain's module."""
    own = domain_of(module)
    return [f"{module}:{node.lineno}: {ast.unparse(node)}"
            for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Import, ast.ImportFrom))
            if any((other := domain_of(name)) is not None and other != own
                   for name in imported_modules(node, module))]


def test_no_domain_imports_another_domain():
    offences = []
    for domain in DOMAINS:
        for path in sorted((DEFS / domain).rglob("*.py")):
            module = ".".join([PACKAGE, *path.relative_to(DEFS).with_suffix("").parts])
            offences += sideways_imports(path.read_text(), module)
    assert DOMAINS and not offences, "\n".join(offences)


def test_the_walk_finds_sideways_imports_of_every_form():
    source = ("from centra_pipelines.defs.orders.assets import ORDERS\n"
              "import centra_pipelines.defs.stock.assets\n"
              "from centra_pipelines.defs import reference\n"
              "from ..customers import assets\n"
              "def late():\n"
              "    from centra_pipelines.defs.catalog.assets import PRODUCTS\n"
              "from centra_pipelines.defs.realtime import landing\n"  # its own domain: allowed
              "from centra_pipelines.defs.windows import WindowConfig\n")  # shared: allowed
    found = sideways_imports(source, "centra_pipelines.defs.realtime.refetch")
    assert sorted(found) == [
        "centra_pipelines.defs.realtime.refetch:1: from centra_pipelines.defs.orders.assets import ORDERS",
        "centra_pipelines.defs.realtime.refetch:2: import centra_pipelines.defs.stock.assets",
        "centra_pipelines.defs.realtime.refetch:3: from centra_pipelines.defs import reference",
        "centra_pipelines.defs.realtime.refetch:4: from ..customers import assets",
        "centra_pipelines.defs.realtime.refetch:6: from centra_pipelines.defs.catalog.assets import PRODUCTS",
    ]
