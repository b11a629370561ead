"""The suite's own rules (issue 11): no test module imports another test module; what they
share lives in tests/support/ (helpers) or conftest.py (fixtures)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def of_test_modules(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[-1].startswith("test_")
                  and n.split(".")[0] in ("tests", n.split(".")[-1]))


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_no_test_module_imports_another():
    offenders = {p.name: of_test_modules(imported(p))
                 for p in sorted(TESTS.glob("**/*.py")) if "__snapshots__" not in p.parts}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_finds_such_an_import(tmp_path):
    sample = tmp_path / "test_x.py"
    sample.write_text("import test_ui\nfrom tests.test_sms import decided\nfrom support.ui import keys\n",
                      encoding="utf-8")
    assert of_test_modules(imported(sample)) == ["test_ui", "tests.test_sms"]
