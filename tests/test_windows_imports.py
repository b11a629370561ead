"""Runtime code has no POSIX-only calls: every module imports with ``sys.platform`` set to
``win32`` and the POSIX-only standard modules missing, as on a hall's Windows PC."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "clerk_console"
POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix")
POSIX_CALLS = {("os", "fork"), ("os", "getuid"), ("os", "killpg"), ("os", "setsid"),
               ("signal", "SIGKILL"), ("signal", "SIGHUP"), ("signal", "SIGUSR1"),
               ("os", "geteuid"), ("os", "getpgid")}

SCRIPT = r"""
import importlib, pathlib, sys
root = pathlib.Path(%r)
names = sorted(".".join(("clerk_console",) + p.relative_to(root).with_suffix("").parts)
               .removesuffix(".__init__") for p in root.rglob("*.py")
               if p.name != "__main__.py" and not p.match("migrations/env.py")
               and "versions" not in p.parts)
# the third-party and standard modules they use, imported first on this real platform
for name in ("asyncio", "textual.app", "sqlalchemy", "sqlmodel", "alembic", "reportlab",
             "escpos", "httpx", "fastapi", "uvicorn", "platformdirs", "pypinyin", "rich"):
    importlib.import_module(name)
for name in %r:
    sys.modules[name] = None  # import fails, as on Windows
sys.platform = "win32"
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_on_windows():
    done = subprocess.run([sys.executable, "-c", SCRIPT % (str(PACKAGE), POSIX_ONLY)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_posix_only_call_in_runtime_code():
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{path.name}:{node.lineno} import {m}" for m in mods
                          if m.split(".")[0] in POSIX_ONLY]
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in POSIX_CALLS):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert not found, found


def test_posix_only_tests_skip_on_windows_with_a_reason(monkeypatch):
    import conftest

    class Item:
        def __init__(self, name):
            self.fspath = Path(__file__).parent / name
            self.markers = []

        def add_marker(self, marker):
            self.markers.append(marker)

    items = [Item(name) for name in conftest.POSIX_ONLY_TESTS] + [Item("test_settings.py")]
    assert all(item.fspath.exists() for item in items)
    conftest.pytest_collection_modifyitems(None, items)
    assert not any(item.markers for item in items)  # not on this platform
    monkeypatch.setattr(sys, "platform", "win32")
    conftest.pytest_collection_modifyitems(None, items)
    *posix, other = items
    assert all(item.markers[0].kwargs["reason"] for item in posix) and not other.markers
