"""The suite's own rules (issue 11): no test module imports another test module; what they
share lives in tests/support/ (helpers) or conftest.py (fixtures); no Pilot test pauses for a
fixed time (``pilot.pause(0.3)``) without a comment on that line saying why it must be real time:
it waits on the condition (support.pilot.until/settle) or runs on the virtual key clock
(support.keyclock)."""
from __future__ import annotations

import ast
import io
import tokenize
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


def numeric(node: ast.expr) -> bool:
    """A number written in the code (``0.3``, ``-1``, ``2 * 0.1``), not a name or a call."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return numeric(node.operand)
    if isinstance(node, ast.BinOp):
        return numeric(node.left) and numeric(node.right)
    return False


def fixed_pauses(source: str) -> list[int]:
    """Lines of ``<x>.pause(<a number>)`` calls with no comment on any of their lines."""
    commented = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                 if tok.type == tokenize.COMMENT}
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "pause"):
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "delay")]
            lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            if any(numeric(a) for a in args) and not commented.intersection(lines):
                found.append(node.lineno)
    return sorted(found)


def test_no_pilot_test_pauses_for_a_fixed_time_unexplained():
    offenders = {str(p.relative_to(TESTS)): fixed_pauses(p.read_text(encoding="utf-8"))
                 for p in sorted(TESTS.glob("**/*.py")) if "__snapshots__" not in p.parts}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_finds_a_fixed_pause():
    sample = ("async def t(pilot, step):\n"
              "    await pilot.pause(0.3)\n"
              "    await pilot.pause(delay=2 * 0.1)\n"
              "    await pilot.pause(-1)\n"
              "    await pilot.pause()\n"
              "    await pilot.pause(step)\n"
              "    await pilot.pause(1.5)  # real time: the idle lock's own timer\n")
    assert fixed_pauses(sample) == [2, 3, 4]


def test_no_test_module_imports_another():
    offenders = {p.name: of_test_modules(imported(p))
                 for p in sorted(TESTS.glob("**/*.py")) if "__snapshots__" not in p.parts}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_finds_such_an_import(tmp_path):
    sample = tmp_path / "test_x.py"
    sample.write_text("import test_ui\nfrom tests.test_sms import decided\nfrom support.ui import keys\n",
                      encoding="utf-8")
    assert of_test_modules(imported(sample)) == ["test_ui", "tests.test_sms"]
