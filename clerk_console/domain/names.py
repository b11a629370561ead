"""What may be a person's or an organisation's name. Pure domain.

A person's name is written in Chinese characters (any CJK block, Ext-B and later included,
e.g. 王𠈌), with the middle dot of minority and transliterated names (买买提·艾力), or in
Latin letters with spaces for foreign names (John Smith, José Müller-Lee). Digits, emoji and
other symbols are refused with a message saying which character is wrong. An organisation's
name may also hold digits and the brackets and signs of registered names (烟台3D打印（山东）
有限公司, A&B).
"""
from __future__ import annotations

import unicodedata

from clerk_console.domain.limits import NAME as MAX_NAME

MIDDLE_DOT = "·"
# dots an IME or a foreign keyboard types for the middle dot (katakana, bullet, hyphenation)
_DOTS = {"・": MIDDLE_DOT, "•": MIDDLE_DOT, "‧": MIDDLE_DOT, "∙": MIDDLE_DOT, "．": MIDDLE_DOT}
_LATIN_JOINERS = frozenset("-'")  # Müller-Lee, O'Brien
_ORG_SIGNS = frozenset("（）()-&.、,，《》'·")


def normalize_name(name: str) -> str:
    """NFC, the usual look-alike dots turned into ·, runs of spaces made one, ends trimmed."""
    s = unicodedata.normalize("NFC", name)
    s = "".join(_DOTS.get(c, c) for c in s).replace("\u3000", " ")
    return " ".join(s.split())


def _is_cjk(c: str) -> bool:
    return c == "〇" or unicodedata.name(c, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def _is_latin(c: str) -> bool:
    return unicodedata.category(c).startswith("L") and "LATIN" in unicodedata.name(c, "")


def _shown(c: str) -> str:
    return f"“{c}”" if unicodedata.category(c)[0] not in "CZ" else f"U+{ord(c):04X}"


def name_error(name: str, organisation: bool = False) -> str:
    """'' if ``name`` (after normalize_name) is acceptable, else a Chinese message saying
    what is wrong and what to do."""
    what = "名称" if organisation else "姓名"
    s = normalize_name(name)
    if not s:
        return ("请输入单位名称" if organisation else "请输入姓名（中文用输入法输入）")
    if len(s) > MAX_NAME:
        return f"{what}过长：最多 {MAX_NAME} 个字，现有 {len(s)} 个"
    for i, c in enumerate(s):
        if _is_cjk(c) or _is_latin(c) or c in (" ", MIDDLE_DOT):
            continue
        if organisation and (c.isdigit() or c in _ORG_SIGNS):
            continue
        if (c in _LATIN_JOINERS and 0 < i < len(s) - 1 and _is_latin(s[i - 1])
                and _is_latin(s[i + 1])):
            continue
        if c.isdigit():
            return f"姓名中不能有数字{_shown(c)}：请按证件上的姓名输入"
        if unicodedata.category(c)[0] == "C":
            return f"{what}含有不可见的控制字符（{_shown(c)}），请删去后重新输入"
        if unicodedata.category(c)[0] == "L":
            return (f"{what}中的“{c}”不是汉字或拉丁字母：外国人姓名请按证件上的拉丁字母拼写输入")
        allowed = ("汉字、拉丁字母、数字、括号和 - & . 、" if organisation
                   else "汉字、拉丁字母、间隔号“·”和空格")
        return f"{what}中不能有符号或表情{_shown(c)}：只能用{allowed}，请按证件上的{what}输入"
    if s[0] == MIDDLE_DOT or s[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in s:
        return f"间隔号“·”只用在{what}的两部分之间（如 买买提·艾力）"
    return ""
