"""Scratch copies of the shipped data folders (catalogue, demo) and in-place edits to break
them, for the data-file tests."""
from __future__ import annotations

import shutil
from pathlib import Path


def copy_folder(src: Path, tmp_path: Path) -> Path:
    """A scratch copy of a shipped data folder, to break files in."""
    return Path(shutil.copytree(src, tmp_path / src.name))


def edit(folder: Path, rel: str, old: str, new: str) -> int:
    """Replace the first ``old`` in a file; return the 1-based line where it was."""
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line
