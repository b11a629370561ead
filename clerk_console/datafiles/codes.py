"""Load data/codes/: the credit codes accepted as known exceptions (pilot codes)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from clerk_console.domain.codes.uscc import check_format

FILE = "uscc_exceptions.toml"


class CodeFileError(ValueError):
    """data/codes/ cannot be used; the message is Chinese and names the file."""


def load_uscc_exceptions(folder: Path) -> frozenset[str]:
    """The listed codes (upper case). A missing file means no exceptions."""
    path = folder / FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CodeFileError(f"{FILE} 无法读取或格式有误（{exc}），格式见 data/codes/README.md") \
            from None
    codes = set()
    for i, entry in enumerate(data.get("codes", []), 1):
        code = str(entry.get("code", "")).strip().upper() if isinstance(entry, dict) else ""
        error = check_format(code) if code else "缺少 code"
        if error:
            raise CodeFileError(f"{FILE} 第{i}条：{error}")
        codes.add(code)
    return frozenset(codes)
