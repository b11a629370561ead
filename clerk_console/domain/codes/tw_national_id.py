"""Taiwan national identification number (台湾居民身份证统一编号).

A letter (the place of first registration) and nine digits: the first digit is the sex
(1 male, 2 female), the last the check. Check: the letter stands for a two-digit number
(A=10 … Z=33, in the order below, which is not alphabetical); its tens digit has weight 1 and
its units digit weight 9; the sex digit and the seven digits after it have weights
8 7 6 5 4 3 2 1 and the check digit 1; the sum is a multiple of 10.

The check is weak: modulo 10, a digit of weight 5 changed by an even amount, or one of weight
2, 4, 6 or 8 changed by 5, goes unseen (about 1 in 9 single typos).
"""
from __future__ import annotations

import re

from .messages import char_error, check_error, length_error
from .result import KIND_LABELS, TW_NATIONAL_ID, Identification, invalid

LABEL = KIND_LABELS[TW_NATIONAL_ID]
# letter -> its number (A=10 ... H=17, I=34, J=18 ... N=22, O=35, P=23 ... V=29, W=32, X=30,
# Y=31, Z=33)
LETTER_VALUES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))
SHAPE = re.compile(r"^[A-Z]\d{9}$")
SEXES = {"1": "男", "2": "女"}


def calc_check_digit(number: str) -> str:
    """Check digit for a letter and the first eight digits."""
    value = LETTER_VALUES[number[0]]
    total = value // 10 + (value % 10) * 9
    total += sum(int(c) * w for c, w in zip(number[1:9], range(8, 0, -1)))
    return str((10 - total % 10) % 10)


def looks_like(s: str) -> bool:
    return len(s) == 10 and s[0].isalpha() and s[0].isascii() and s[1:].isdigit()


def analyse(text: str, s: str) -> Identification:
    if not SHAPE.match(s):
        return invalid(text, TW_NATIONAL_ID, s,
                       length_error(LABEL, len(s), 10, "（1位字母+9位数字，如A123456789）"))
    if s[1] not in SEXES:
        return invalid(text, TW_NATIONAL_ID, s,
                       char_error(LABEL, 2, s[1], "第2位为性别，应为1或2"))
    expected = calc_check_digit(s)
    if s[9] != expected:
        return invalid(text, TW_NATIONAL_ID, s, check_error(expected, s[9]))
    return Identification(text, TW_NATIONAL_ID, True, s, None, (), {"sex": SEXES[s[1]]})
