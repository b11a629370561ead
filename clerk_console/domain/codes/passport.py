"""Passport numbers: Chinese passports, foreign passports with their issuing state, and the
machine-readable zone (MRZ, ICAO Doc 9303 part 4, TD3: two lines of 44 characters).

- Chinese ordinary passports: ``E`` + 8 digits (electronic passports since 2012), ``E`` + a letter
  (not I or O) + 7 digits once the E numbers ran out, ``G`` + 8 digits (2006-2012).
- A foreign passport number is only unique within its issuing state, so it is entered and kept
  with the state's ISO 3166-1 alpha-3 code: ``USA:A12345678`` (typed as ``USA A12345678``,
  ``USA:A12345678`` or ``USAA12345678``). The number itself has no public rule beyond ICAO's
  (up to 9 letters and digits).
- The MRZ carries the number, nationality, birth date and expiry with ICAO check digits
  (weights 7 3 1, letters A=10 … Z=35, filler ``<`` = 0, sum mod 10). The check is small enough
  to write here; the ``mrz`` packages on PyPI do the same and more (TD1/TD2, visas) that this
  console does not read, and would be one more dependency to keep for nine lines.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from . import countries
from .result import PASSPORT, KIND_LABELS, Identification, invalid

LABEL = KIND_LABELS[PASSPORT]
CHINESE = re.compile(r"^(E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{8})$")
CHINESE_LOOSE = re.compile(r"^[EG][A-Z0-9]{6,10}$")
FOREIGN = re.compile(r"^([A-Z]{3}):?([A-Z0-9]{5,9})$")
MRZ_LINE = 44
MRZ_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
CHINESE_RULE = "中国护照号码为E加8位数字、E加1位字母和7位数字，或G加8位数字"


def mrz_check_digit(field: str) -> str:
    """ICAO 9303 check digit of an MRZ field."""
    total = 0
    for i, c in enumerate(field):
        value = 0 if c == "<" else int(c) if c.isdigit() else ord(c) - ord("A") + 10
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def looks_like_chinese(s: str) -> bool:
    return 8 <= len(s) <= 9 and bool(CHINESE_LOOSE.match(s)) and any(c.isdigit() for c in s[1:3])


def looks_like_foreign(s: str) -> bool:
    m = FOREIGN.match(s)
    return m is not None and countries.known(m.group(1))


def looks_like_mrz(s: str) -> bool:
    return len(s) in (MRZ_LINE, 2 * MRZ_LINE) and "<" in s and set(s) <= MRZ_CHARS


def analyse_chinese(text: str, s: str) -> Identification:
    if not CHINESE.match(s):
        return invalid(text, PASSPORT, s, f"{CHINESE_RULE}，实际为{len(s)}位“{s[:2]}…”，请核对")
    details = {"issuing_country": "中国", "issuing_code": "CHN"}
    return Identification(text, PASSPORT, True, s, None, (), details)


def analyse_foreign(text: str, s: str) -> Identification:
    m = FOREIGN.match(s)
    if not m:
        return invalid(text, PASSPORT, s, "外国护照请输入签发国三字母代码和护照号码，如USA:A12345678，"
                                          "护照号码最多9位字母或数字")
    state, number = m.groups()
    if not countries.known(state):
        return invalid(text, PASSPORT, s, f"签发国代码“{state}”不是ISO 3166三字母国家代码，"
                                          "请核对（如USA、GBR、DEU、JPN）")
    if state == "CHN":
        return analyse_chinese(text, number)
    return _foreign(text, state, number, {})


def _foreign(text: str, state: str, number: str, details: dict[str, Any]) -> Identification:
    details = {"issuing_code": state, "issuing_country": countries.name(state), **details}
    return Identification(text, PASSPORT, True, f"{state}:{number}", None, (), details)


def canonical(state: str, number: str) -> str:
    """What a passport is stored as: the bare number for Chinese ones, STATE:NUMBER else."""
    return number if state == "CHN" else f"{state}:{number}"


def _mrz_date(digits: str, today: date, future: bool) -> date | None:
    """YYMMDD -> date; birth dates are in the past, expiry dates at most 20 years ahead."""
    try:
        yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
        latest = today.year + 20 if future else today.year
        century = 2000 if 2000 + yy <= latest else 1900
        return date(century + yy, mm, dd)
    except ValueError:
        return None


def mrz_name(line1: str) -> str:
    """``SMITH<<JOHN<PAUL<<<`` -> ``SMITH JOHN PAUL``."""
    surname, _, given = line1[5:].partition("<<")
    return " ".join(part for part in (surname.replace("<", " ").strip(),
                                      given.replace("<", " ").strip()) if part)


def analyse_mrz(text: str, s: str, today: date) -> Identification:
    line1, line2 = (s[:MRZ_LINE], s[MRZ_LINE:]) if len(s) == 2 * MRZ_LINE else ("", s)
    if not line1 and not (s[13:19].isdigit() and s[21:27].isdigit()):
        return invalid(text, PASSPORT, "", "这是护照机读区第一行（证件类型、签发国和姓名），"
                                           "不含护照号码：请扫描第二行或整个机读区",
                       {"mrz_line": 1})
    fields = (("护照号码", 0, 9), ("出生日期", 13, 19), ("有效期", 21, 27))
    for label, start, end in fields:
        expected = mrz_check_digit(line2[start:end])
        if line2[end] != expected:
            return invalid(text, PASSPORT, "", f"机读区{label}的校验位应为{expected}，实际为"
                                               f"{line2[end]}，请擦净证件后重新扫描")
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    if line2[43] != mrz_check_digit(composite):
        return invalid(text, PASSPORT, "", "机读区第二行的总校验位不符，请擦净证件后重新扫描")
    number = line2[:9].rstrip("<")
    nationality = countries.canonical(line2[10:13])
    state = countries.canonical(line1[2:5]) if line1 else nationality
    born = _mrz_date(line2[13:19], today, future=False)
    expires = _mrz_date(line2[21:27], today, future=True)
    if born is None or expires is None:
        return invalid(text, PASSPORT, "", "机读区的出生日期或有效期不是有效日期，请重新扫描")
    details = {"issuing_code": state, "issuing_country": countries.name(state),
               "nationality_code": nationality, "nationality_name": countries.name(nationality),
               "birth_date": born.isoformat(), "expiry_date": expires.isoformat(),
               "sex": {"M": "男", "F": "女"}.get(line2[20], "")}
    warnings: tuple[str, ...] = ()
    if expires < today:
        warnings += (f"护照已于{expires.isoformat()}过期，请核对是否可作为身份证件",)
    if not countries.known(state):
        warnings += (f"签发国代码“{state}”不是已知的国家代码，请与护照核对",)
    prefill = {"nationality": nationality, "sex": details["sex"],
               "birth_date": details["birth_date"]}
    if line1:
        prefill["name"] = mrz_name(line1)
    if state == "CHN":
        result = analyse_chinese(text, number)
        if not result.valid:
            return result
    normalized = canonical(state, number)
    return Identification(text, PASSPORT, True, normalized, None, warnings, details,
                          payload="mrz", prefill=prefill)
