"""Every module imports on its own, first, in a fresh interpreter: an import cycle shows only
when its modules are imported in one order (``backoffice.sms`` alone failed while every test
imported ``backoffice.service`` before it)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "clerk_console"

# each module imported first, in a child forked from a parent that has imported nothing of ours
SCRIPT = r"""
import importlib, os, sys
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


def modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in rel.parts or rel.name == "__main__":
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        names.append(".".join(parts))
    return names


def test_every_module_imports_alone() -> None:
    if not hasattr(__import__("os"), "fork"):
        import pytest
        pytest.skip("needs os.fork (POSIX)")
    names = modules()
    assert "clerk_console.backoffice.sms" in names and len(names) > 100
    done = subprocess.run([sys.executable, "-c", SCRIPT, *names], capture_output=True,
                          text=True, timeout=600, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stdout + done.stderr
