"""Citizen ID number (公民身份号码, GB 11643-1999) and first-generation 15-digit numbers.

18 characters: region (GB/T 2260, 6 digits) + birth date (8) + sequence (3, odd = male) +
check character (ISO 7064 MOD 11-2, ``stdnum.cn.ric.calc_check_digit``). 15-digit numbers
(issued 1984-1999) have a 2-digit year and no check character.

python-stdnum's ``ric.validate`` rejects a region code that did not exist in the birth year;
here that is at most a warning (see ``_region_findings``), and the layout functions are shared
with the permits that use the same layout (permits.py).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn import ric

from . import regions
from .messages import char_error, check_error, first_bad, length_error
from .result import RESIDENT_ID, Identification, KIND_LABELS, invalid

DIGITS = "0123456789"
LABEL = KIND_LABELS[RESIDENT_ID]
OLDEST_BIRTH_YEAR = 1880  # nobody alive or on file was born earlier
# Mass issuing: first-generation numbers from 1984, 18-digit numbers for everybody by 1999.
# A person born earlier may carry a code created up to then; later births get theirs at birth.
MASS_ISSUE_DONE = 1999


def calc_check_char(number: str) -> str:
    """Check character for the first 17 digits of ``number`` (which may include a check)."""
    return ric.calc_check_digit(number[:17] + "0")


def parse_date(digits: str) -> date | str:
    """YYYYMMDD -> date, or the Chinese reason it is not a date."""
    y, m, d = digits[:4], digits[4:6], digits[6:8]
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return f"出生日期{y}-{m}-{d}不存在"


def birth_facts(birth_digits: str, sex_digit: str, today: date) -> dict[str, Any] | str:
    """Birth date, sex and age from the number, or the Chinese reason they are impossible."""
    born = parse_date(birth_digits)
    if isinstance(born, str):
        return born + "，请核对号码"
    if born > today:
        return f"出生日期{born.isoformat()}晚于今天，请核对号码"
    if born.year < OLDEST_BIRTH_YEAR:
        return f"出生日期{born.isoformat()}不合理（早于{OLDEST_BIRTH_YEAR}年），请核对号码"
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return {"birth_date": born.isoformat(), "sex": "男" if int(sex_digit) % 2 else "女", "age": age}


def check_layout18(s: str, label: str) -> str | None:
    """Length and alphabet of an 18-character ID-layout number (the check comes later)."""
    if len(s) != 18:
        return length_error(label, len(s), 18)
    bad = first_bad(s, DIGITS, 0, 17)
    if bad:
        return char_error(label, *bad, "前17位应为数字")
    if s[17] not in DIGITS + "X":
        return char_error(label, 18, s[17], "末位应为数字或X")
    return None


def analyse_layout18(s: str, label: str, today: date) -> dict[str, Any] | str:
    """Shared by resident IDs and permits: layout, birth date, then the check character.

    The birth date is checked before the check character: when both are off, "the date
    does not exist" tells the clerk where the typo is.
    """
    error = check_layout18(s, label)
    if error:
        return error
    facts = birth_facts(s[6:14], s[16], today)
    if isinstance(facts, str):
        return facts
    expected = calc_check_char(s)
    if s[17] != expected:
        return check_error(expected, s[17])
    return facts


def _region_findings(code: str, birth_year: int) -> tuple[str | None, tuple[str, ...], dict[str, Any]]:
    """(error, warnings, details) for the region part of a citizen's number.

    - Unknown province (first two digits): error. Province codes have been fixed since the
      1980s, so a genuine number never has one; the clerk is told to re-check the number.
    - Known province, county code not in the table: warning only. The check character already
      passed and the table (python-stdnum's, from Wikipedia) may lag behind new districts, so
      the holder of a genuine card must not be turned away for it.
    - A code not in use when the number can have been assigned: warning. Numbers were issued in
      bulk until 1999 (so an older person may carry any code in use between the birth year and
      1999) and at birth registration since (the code must exist around the birth year). A
      code created after that, or abolished before the birth, is worth a look, not a refusal:
      numbers were re-made on moving house in the early years.
    """
    details = {"region_code": code, "region_name": regions.name(code, birth_year) or ""}
    if not regions.province_known(code):
        return (f"地区代码{code}不存在（前两位{code[:2]}不是省级行政区划代码），请核对号码",
                (), details)
    if not regions.known(code):
        province = regions.name(code[:2] + "0000") or code[:2]
        details["region_name"] = province
        return None, (f"地区代码{code}未收录在行政区划代码表中（{province}），请与证件核对",), details
    first, last = regions.years(code)
    window_end = max(birth_year + 1, MASS_ISSUE_DONE)
    if regions.existed_between(code, birth_year, window_end):
        return None, (), details
    name = details["region_name"]
    if last is not None and last < birth_year:
        warn = (f"地区代码{code}（{name}）{last}年已停用，早于出生年份{birth_year}年，"
                "请与证件核对")
    else:
        warn = (f"地区代码{code}（{name}）{first}年起才使用，晚于出生年份{birth_year}年，"
                "号码可能是后来重新编制的，请与证件核对")
    return None, (warn,), details


def analyse(text: str, s: str, today: date) -> Identification:
    """``s`` is the normalised text, 18 characters or 15 digits."""
    if len(s) == 15:
        return _analyse15(text, s, today)
    facts = analyse_layout18(s, LABEL, today)
    if isinstance(facts, str):
        return invalid(text, RESIDENT_ID, s, facts)
    error, warnings, region = _region_findings(s[:6], int(s[6:10]))
    details = {**facts, **region, "generation": 2}
    if error:
        return invalid(text, RESIDENT_ID, s, error, details)
    return Identification(text, RESIDENT_ID, True, s, None, warnings, details)


def to_18(number15: str) -> str:
    """First-generation 15-digit number -> its 18-digit form (19 inserted, check appended)."""
    body = number15[:6] + "19" + number15[6:]
    return body + calc_check_char(body)


def _analyse15(text: str, s: str, today: date) -> Identification:
    bad = first_bad(s, DIGITS)
    if bad:
        return invalid(text, RESIDENT_ID, s, char_error(f"15位{LABEL}", *bad, "应全部为数字"))
    facts = birth_facts("19" + s[6:12], s[14], today)
    if isinstance(facts, str):
        return invalid(text, RESIDENT_ID, s, facts)
    error, warnings, region = _region_findings(s[:6], 1900 + int(s[6:8]))
    upgraded = to_18(s)
    details = {**facts, **region, "generation": 1, "id18": upgraded}
    if error:
        return invalid(text, RESIDENT_ID, s, error, details)
    note = (f"15位为第一代身份证号码（没有校验位，无法发现输错），对应18位号码为{upgraded}，"
            "请以现行证件核对")
    return Identification(text, RESIDENT_ID, True, s, None, (note, *warnings), details)
