"""What quick entry asks of a document's holder: the name in the document's script and, for
foreigners, the nationality. Pure functions over a kind and ``Identification.details``.

- Foreign passports print the name in Latin letters (the MRZ has nothing else): the name is
  asked in Latin letters, as printed.
- Taiwan documents print traditional characters; Hong Kong identity cards Chinese and/or
  English; permanent residence IDs the English name (and a Chinese one when the holder has
  one): the prompt says so, any of those scripts is accepted.
- Foreigners (passports other than Chinese ones, permanent residence IDs) are asked for the
  nationality as an ISO 3166-1 alpha-3 code, filled in from the document when it says.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from . import countries
from .result import (FOREIGN_PR_ID, HK_IDENTITY_CARD, HOME_RETURN_PERMIT, PASSPORT,
                     TW_COMPATRIOT_PERMIT, TW_NATIONAL_ID)

_PROMPTS = {
    TW_NATIONAL_ID: "姓名（按证件上的繁体中文）",
    TW_COMPATRIOT_PERMIT: "姓名（按证件上的中文）",
    HOME_RETURN_PERMIT: "姓名（按证件上的中文）",
    HK_IDENTITY_CARD: "姓名（按证件上的中文或英文）",
    FOREIGN_PR_ID: "姓名（按证件上的英文，有中文名的可输中文）",
}


def foreign_passport(kind: str, details: dict[str, Any]) -> bool:
    return kind == PASSPORT and details.get("issuing_code", "CHN") not in countries.CHINESE


def asks_nationality(kind: str, details: dict[str, Any]) -> bool:
    return kind == FOREIGN_PR_ID or foreign_passport(kind, details)


def nationality_of(kind: str, details: dict[str, Any]) -> str:
    """The nationality the document states (alpha-3), '' if it does not say."""
    stated: str = ""
    if kind == FOREIGN_PR_ID:
        stated = details.get("nationality", "")
    elif foreign_passport(kind, details):
        stated = details.get("nationality_code") or details.get("issuing_code", "")
    return stated


def name_prompt(kind: str, details: dict[str, Any]) -> str:
    if foreign_passport(kind, details):
        return "姓名（按护照上的拉丁字母，如 SMITH JOHN）"
    return _PROMPTS.get(kind, "姓名（中文用输入法）")


def name_script_error(name: str, kind: str, details: dict[str, Any]) -> str:
    """'' if the name is in the document's script, else a Chinese message."""
    if foreign_passport(kind, details):
        if any(unicodedata.category(c).startswith("L") and "LATIN" not in unicodedata.name(c, "")
               for c in name):
            return "外国护照请按护照上的拉丁字母输入姓名（如 SMITH JOHN），不要输入中文译名"
    return ""


def nationality_error(code: str) -> str:
    """'' if ``code`` is a known nationality code, else a Chinese message."""
    code = code.strip().upper()
    if not code:
        return "请输入国籍（三字母代码，如 USA、GBR、JPN、KOR）"
    if not countries.known(code):
        return f"国籍代码“{code}”不是ISO 3166三字母国家代码，请按证件核对（如 USA、GBR、JPN、KOR）"
    return ""
