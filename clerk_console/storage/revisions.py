"""The head revision of the replica's schema, read off the version files without alembic (or
SQLAlchemy): the migrations' fast path and the sign-in gate compare a file's
``alembic_version`` with it (tests/test_migrations_fast_path.py: it is alembic's head)."""
from __future__ import annotations

import re
from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION_LINE = re.compile(
    r"""^(revision|down_revision)\s*=\s*(None|"[^"]*"|'[^']*')\s*(?:#.*)?$""", re.M)


def written_head() -> str | None:
    """The head revision read off the version files' ``revision``/``down_revision`` lines,
    without importing alembic; None when it cannot be told that way (no .py files, a merge,
    a line of another form): then alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        if path.name == "__init__.py":
            continue
        text = path.read_text(encoding="utf-8")
        found = {m.group(1): m.group(2) for m in _REVISION_LINE.finditer(text)}
        if set(found) != {"revision", "down_revision"}:
            return None
        revisions.add(found["revision"][1:-1])
        if found["down_revision"] != "None":
            parents.add(found["down_revision"][1:-1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None
