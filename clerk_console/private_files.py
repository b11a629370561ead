"""Files holding citizens' personal data are the window user's own: folders 0700, files 0600.

POSIX: ``chmod`` on every folder and file the console makes (replica and its WAL/SHM, backups,
notices). Windows: the folder's inherited ACL entries are replaced by one full-control entry
for the signed-in user (``icacls /inheritance:r /grant:r``); files made inside inherit it.
Failures never stop the console (a network share may not allow it): they are returned so the
caller can warn.
"""
from __future__ import annotations

import logging
import os
import stat
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def _windows_owner_only(path: Path) -> None:
    user = os.environ.get("USERNAME")
    if not user:
        raise OSError("USERNAME not set")
    grant = f"{user}:(OI)(CI)F" if path.is_dir() else f"{user}:F"
    subprocess.run(["icacls", str(path), "/inheritance:r", "/grant:r", grant],
                   check=True, capture_output=True, timeout=30)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it the user's own."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _restrict(path, DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file the user's own (missing files are skipped)."""
    path = Path(path)
    if path.exists():
        _restrict(path, FILE_MODE)


def _restrict(path: Path, mode: int) -> None:
    try:
        if os.name == "nt":
            _windows_owner_only(path)
        elif stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not restrict %s to its owner: %s", path.name, type(exc).__name__)


def private_sqlite(path: Path) -> None:
    """A SQLite file and its WAL/SHM companions."""
    for suffix in ("", "-wal", "-shm"):
        private_file(Path(f"{path}{suffix}"))
