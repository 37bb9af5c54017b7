"""The sandbox stays readable in small pieces: no function (nested ones counted in their parent) is
longer than 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import centra_pipelines.sandbox

LONGEST = 60


def long_functions(package: Path, longest: int) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > longest:
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_sandbox_function_is_longer_than_60_lines():
    package = Path(centra_pipelines.sandbox.__file__).parent
    assert long_functions(package, LONGEST) == []


def test_the_walk_finds_a_long_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text("def short():\n    return 1\n\n\ndef long():\n" + "    x = 1\n" * 61)
    assert long_functions(package, LONGEST) == ["pkg/m.py:5 long (62 lines)"]
