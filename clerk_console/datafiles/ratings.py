"""Load data/ratings/reasons.toml: the GB/T 39734 reasons an applicant ticks for a bad rating."""
from __future__ import annotations

import tomllib
from pathlib import Path

from clerk_console import toml_text
from clerk_console.domain.rating import BadReason

FILE = "reasons.toml"


class RatingFileError(ValueError):
    """data/ratings/ cannot be used; the message is Chinese and names the file."""


def load_reasons(folder: Path) -> tuple[BadReason, ...]:
    path = Path(folder) / FILE
    try:
        data = toml_text.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RatingFileError(f"{path} 无法读取或格式有误（{exc}），格式见 data/ratings/README.md") \
            from None
    out: list[BadReason] = []
    for i, r in enumerate(data.get("reasons", []), 1):
        fields = [str(r.get(k, "")).strip() if isinstance(r, dict) else "" for k in
                  ("code", "group", "label")]
        if not all(fields):
            raise RatingFileError(f"{path} 第{i}条原因缺少 code、group 或 label")
        out.append(BadReason(*fields))
    if not out or len({r.code for r in out}) != len(out):
        raise RatingFileError(f"{path}：原因为空或编号重复")
    return tuple(out)
