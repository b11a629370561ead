"""Copying a replica file in tests: its key is named by the id its folder keeps
(``replica.keyid``, storage/db.py), so a copy into another folder takes the id along, as a
copied window folder would."""
from __future__ import annotations

import shutil
from pathlib import Path

from clerk_console.storage.db import KEY_ID_FILE


def copy_replica(src: Path, dst: Path) -> Path:
    """``src`` copied to ``dst`` (folders made), readable with the same key."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    shutil.copyfile(src.parent / KEY_ID_FILE, dst.parent / KEY_ID_FILE)
    return dst
