"""TOML text as every loader of the console reads it: a UTF-8 byte-order mark accepted (Windows
editors write one), nesting too deep for the parser refused as a format error instead of a
RecursionError traceback."""
from __future__ import annotations

import tomllib
from typing import Any, BinaryIO

MAX_TOML_BYTES = 8 * 1024 * 1024  # the largest shipped file is ~40 KB


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads`` with a leading BOM dropped; TOMLDecodeError for any unusable text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_TOML_BYTES:
        raise tomllib.TOMLDecodeError(f"文件过大（超过 {MAX_TOML_BYTES // 1024 // 1024} MB）")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("嵌套层数过多（方括号或花括号套得太深）") from None


def load(fh: BinaryIO) -> dict[str, Any]:
    """``tomllib.load`` the same way (BOM accepted, bounded nesting)."""
    try:
        text = fh.read(MAX_TOML_BYTES + 4).decode("utf-8")
    except UnicodeDecodeError:
        raise tomllib.TOMLDecodeError("文件不是 UTF-8 编码，请用 UTF-8 另存后重试") from None
    return loads(text)
