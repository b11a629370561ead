"""Travel permits that identify Hong Kong, Macao and Taiwan residents on the mainland.

- 港澳居民来往内地通行证 (home-return permit, card since 2013): ``H`` (Hong Kong) or ``M``
  (Macao) and 8 digits; the card prints 2 more digits, the number of times it was renewed,
  which some systems keep (``H1234567801``).
- 台湾居民来往大陆通行证 (Taiwan compatriot permit, card since 2015): 8 digits, likewise
  followed by a 2-digit renewal count on the card (``1234567801``).

No check character is published for either: only the format can be checked, so the clerk is
told to compare the number with the card.
"""
from __future__ import annotations

import re

from .messages import char_error, length_error
from .result import HOME_RETURN_PERMIT, KIND_LABELS, TW_COMPATRIOT_PERMIT, Identification, invalid

HOME_LABEL = KIND_LABELS[HOME_RETURN_PERMIT]
TW_LABEL = KIND_LABELS[TW_COMPATRIOT_PERMIT]
HOME_REGIONS = {"H": "香港", "M": "澳门"}
HOME_SHAPE = re.compile(r"^[HM]\d{8}(\d{2})?$")
TW_SHAPE = re.compile(r"^\d{8}(\d{2})?$")
NO_CHECK = "没有公开的校验规则，只核对了格式，请与证件逐位核对"


def looks_like_home_return(s: str) -> bool:
    return s[:1] in HOME_REGIONS and 8 <= len(s) <= 11 and s[1:].isdigit()


def looks_like_tw_compatriot(s: str) -> bool:
    return len(s) in (8, 10) and s.isdigit()


def analyse_home_return(text: str, s: str) -> Identification:
    if not HOME_SHAPE.match(s):
        if not s[1:].isdigit():
            pos = next(i for i, c in enumerate(s[1:], 2) if not c.isdigit())
            return invalid(text, HOME_RETURN_PERMIT, s,
                           char_error(HOME_LABEL, pos, s[pos - 1], "H或M后应为数字"))
        return invalid(text, HOME_RETURN_PERMIT, s,
                       length_error(HOME_LABEL, len(s), 9, "（H或M加8位数字，含换证次数为11位）"))
    details = {"region_name": HOME_REGIONS[s[0]], "number": s[:9],
               "renewals": int(s[9:]) if len(s) == 11 else None}
    return Identification(text, HOME_RETURN_PERMIT, True, s, None, (f"{HOME_LABEL}{NO_CHECK}",),
                          details)


def analyse_tw_compatriot(text: str, s: str) -> Identification:
    if not TW_SHAPE.match(s):
        return invalid(text, TW_COMPATRIOT_PERMIT, s,
                       length_error(TW_LABEL, len(s), 8, "（含换证次数为10位）"))
    details = {"region_name": "台湾地区", "number": s[:8],
               "renewals": int(s[8:]) if len(s) == 10 else None}
    return Identification(text, TW_COMPATRIOT_PERMIT, True, s, None, (f"{TW_LABEL}{NO_CHECK}",),
                          details)
