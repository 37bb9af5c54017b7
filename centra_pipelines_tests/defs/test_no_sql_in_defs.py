"""defs/ holds no SQL text: its reads are named, parameterised functions in warehouse/reads/."""

import re
from pathlib import Path

import centra_pipelines.defs

SQL = re.compile(r"select |insert |update |delete ", re.IGNORECASE)


def test_no_module_under_defs_holds_sql_text():
    root = Path(centra_pipelines.defs.__file__).parent
    found = [f"{path.relative_to(root)}:{n}: {line.strip()}"
             for path in sorted(root.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if SQL.search(line)]
    assert not found, "SQL text in defs/ (move it to warehouse/reads/):\n" + "\n".join(found)
