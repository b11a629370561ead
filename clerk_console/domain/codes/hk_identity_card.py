"""Hong Kong identity card number (香港身份证号码).

One or two letters, six digits and a check character (a digit or ``A``), printed with the check
in brackets: ``A123456(3)``, ``AB987654(3)``. The canonical form drops the brackets
(``A1234563``). Check (the Immigration Department's rule): letters count A=10 … Z=35, a missing first letter counts 36;
weights 9 8 7 6 5 4 3 2 over the (padded) 8 characters; check = (11 − sum mod 11) mod 11,
10 written ``A``.
"""
from __future__ import annotations

import re

from .messages import check_error, length_error
from .result import HK_IDENTITY_CARD, KIND_LABELS, Identification, invalid

LABEL = KIND_LABELS[HK_IDENTITY_CARD]
SHAPE = re.compile(r"^([A-Z]{1,2})(\d{6})\(?([0-9A])\)?$")
LOOSE = re.compile(r"^[A-Z]{1,2}\d{5,7}\(?[0-9A]?\)?$")  # what a mistyped one can look like


def _value(c: str) -> int:
    return 36 if c == " " else int(c) if c.isdigit() else ord(c) - ord("A") + 10


def calc_check_char(prefix: str, digits: str) -> str:
    """Check character for 1-2 letters and 6 digits."""
    body = prefix.rjust(2) + digits
    total = sum(_value(c) * w for c, w in zip(body, range(9, 1, -1)))
    check = (11 - total % 11) % 11
    return "A" if check == 10 else str(check)


def compact(s: str) -> str:
    """``A123456(3)`` -> ``A1234563``."""
    return s.replace("(", "").replace(")", "")


def format(s: str) -> str:
    """``A1234563`` -> ``A123456(3)``."""
    s = compact(s)
    return f"{s[:-1]}({s[-1]})"


def looks_like(s: str) -> bool:
    return bool(LOOSE.match(s)) and ("(" in s or 8 <= len(s) <= 9)


def analyse(text: str, s: str) -> Identification:
    m = SHAPE.match(s)
    if not m or s.count("(") != s.count(")"):
        body = compact(s)
        letters = len(body) - len(body.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        return invalid(text, HK_IDENTITY_CARD, body,
                       length_error(LABEL, len(body), letters + 7,
                                    f"（{letters}位字母+6位数字+1位校验码，如A123456(3)）"))
    prefix, digits, check = m.groups()
    canonical = prefix + digits + check
    expected = calc_check_char(prefix, digits)
    details = {"formatted": format(canonical)}
    if check != expected:
        return invalid(text, HK_IDENTITY_CARD, canonical, check_error(expected, check), details)
    return Identification(text, HK_IDENTITY_CARD, True, canonical, None, (), details)
