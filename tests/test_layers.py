"""The layers stay visible: the import contracts of pyproject.toml hold (import-linter, static);
headless modules never import Textual, and the pure domain never imports the database, HTTP or
PDF libraries (what a fresh interpreter per package really loads)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROBE = r"""
import importlib, json, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
names = [pkg.__name__]
if hasattr(pkg, "__path__"):
    names += [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
              if ".migrations." not in m.name]
for name in names:
    importlib.import_module(name)
heavy = ["textual", "sqlalchemy", "sqlmodel", "httpx", "reportlab", "fastapi", "uvicorn", "alembic"]
print(json.dumps({"modules": names, "loaded": [h for h in heavy if h in sys.modules]}))
"""


def loaded_by(package: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, package], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["loaded"]


def test_domain_is_pure():
    assert loaded_by("clerk_console.domain") == []


@pytest.mark.parametrize("package", ["clerk_console.storage", "clerk_console.services",
                                     "clerk_console.printing", "clerk_console.sync",
                                     "clerk_console.backoffice"])
def test_headless_layers_never_import_textual(package):
    assert "textual" not in loaded_by(package)


def test_cli_parses_before_anything_heavy():
    probe = ("import sys; from clerk_console import cli; cli.build_parser().parse_args(['cases']);"
             "print([m for m in ('textual','sqlalchemy','reportlab','httpx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


ROOT = Path(__file__).resolve().parent.parent
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")


def test_import_contracts_hold():
    """Every contract of [tool.importlinter] is kept, checked over the whole package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    out = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in out.stdout
    analyzed = int(re.search(r"Analyzed (\d+) files", out.stdout).group(1))
    assert analyzed == len(list((ROOT / "clerk_console").rglob("*.py")))  # the whole package
