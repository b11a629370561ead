"""Load data/followup/rules.toml: the province's working days for each step of the 差评 loop."""
from __future__ import annotations

import tomllib
from pathlib import Path

from clerk_console import toml_text
from clerk_console.domain.errors import RuleError
from clerk_console.domain.followup import FollowupRules, check_rules

FILE = "rules.toml"
KEYS = ("verify_days", "fix_days", "answer_days", "appeal_days")


class FollowupFileError(ValueError):
    """data/followup/ cannot be used; the message is Chinese and names the file."""


def load_followup_rules(folder: Path) -> FollowupRules:
    path = Path(folder) / FILE
    try:
        data = toml_text.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FollowupFileError(f"{path} 无法读取或格式有误（{exc}），格式见 "
                                "data/followup/README.md") from None
    missing = [k for k in KEYS if k not in data]
    if missing:
        raise FollowupFileError(f"{path} 缺少 {'、'.join(missing)}，格式见 data/followup/README.md")
    try:
        return check_rules(FollowupRules(**{k: data[k] for k in KEYS},
                                         source=str(data.get("source", "")).strip()))
    except RuleError as exc:
        raise FollowupFileError(f"{path}：{exc}") from None
