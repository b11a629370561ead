"""Numbers with the citizen ID layout that python-stdnum's ``cn.ric`` rejects.

- Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, since 2018):
  the citizen ID layout and MOD 11-2 check with region 810000, 820000 or 830000. The region is
  the holder's home, not a birth place, so no birth-year region check applies.
- Foreigners' permanent residence ID, 2023 edition (外国人永久居留身份证, issued from
  2023-12-01): 18 digits, ``9`` + issuing province (2 digits) + nationality (3 digits, numeric
  country code) + birth date (8) + sequence (3, odd = male) + MOD 11-2 check.
- The 2017 edition (and the 2004 card before it): 15 characters, nationality (ISO 3166-1
  alpha-3) + accepting province (2 digits) + birth date (YYMMDD) + sequence (3) + check (1).
  The nationality, the province and the birth date are checked; the check algorithm is not
  public, so the clerk is told to compare the number with the card.
"""
from __future__ import annotations

from datetime import date

from . import countries, regions
from .messages import char_error, first_bad, length_error
from .resident_id import analyse_layout18, birth_facts
from .result import FOREIGN_PR_ID, HMT_PERMIT, KIND_LABELS, Identification, invalid

PERMIT_REGIONS = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾地区"}
PERMIT_PREFIXES = frozenset(code[:2] for code in PERMIT_REGIONS)
HMT_LABEL = KIND_LABELS[HMT_PERMIT]
FPR_LABEL = KIND_LABELS[FOREIGN_PR_ID]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def is_permit_prefix(s: str) -> bool:
    return s[:2] in PERMIT_PREFIXES


def analyse_hmt(text: str, s: str, today: date) -> Identification:
    facts = analyse_layout18(s, HMT_LABEL, today)
    if isinstance(facts, str):
        return invalid(text, HMT_PERMIT, s, facts)
    region = s[:6]
    if region not in PERMIT_REGIONS:
        listed = "、".join(f"{c}（{n[:2]}）" for c, n in PERMIT_REGIONS.items())
        return invalid(text, HMT_PERMIT, s,
                       f"{HMT_LABEL}前6位应为{listed}，实际为{region}，请核对号码", facts)
    details = {**facts, "region_code": region, "region_name": PERMIT_REGIONS[region]}
    return Identification(text, HMT_PERMIT, True, s, None, (), details)


def analyse_fpr(text: str, s: str, today: date) -> Identification:
    """Foreigners' permanent residence ID: 18-digit 2023 edition or 15-character 2017 one."""
    if len(s) == 15 and s[0].isalpha():
        return _analyse_fpr2017(text, s, today)
    facts = analyse_layout18(s, FPR_LABEL, today)
    if isinstance(facts, str):
        return invalid(text, FOREIGN_PR_ID, s, facts)
    province = s[1:3] + "0000"
    alpha3 = countries.alpha3_of_numeric(s[3:6])
    details = {**facts, "edition": 2023, "region_code": province,
               "region_name": regions.name(province) or "", "nationality_code": s[3:6],
               "nationality": alpha3, "nationality_name": countries.name(alpha3) if alpha3 else ""}
    if not regions.province_known(province):
        # Province codes have been fixed for decades (as for resident IDs): a code that does
        # not exist is a typo the check character happened to miss, or a fake.
        return invalid(text, FOREIGN_PR_ID, s,
                       f"{FPR_LABEL}第2-3位签发地代码{s[1:3]}不是省级行政区划代码，请核对号码",
                       details)
    return Identification(text, FOREIGN_PR_ID, True, s, None, (), details)


def fpr2017_birth_year(yy: int, today: date) -> int:
    """The card gives two digits: the latest year not after today."""
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def _analyse_fpr2017(text: str, s: str, today: date) -> Identification:
    label = f"2017版{FPR_LABEL}"
    bad = first_bad(s, LETTERS, 0, 3)
    if bad:
        return invalid(text, FOREIGN_PR_ID, s, char_error(label, *bad, "前3位应为字母"))
    bad = first_bad(s, "0123456789", 3)
    if bad:
        return invalid(text, FOREIGN_PR_ID, s, char_error(label, *bad, "后12位应为数字"))
    nationality = s[:3]
    details = {"edition": 2017, "nationality_code": nationality, "nationality": nationality,
               "nationality_name": countries.name(nationality)}
    if not countries.known(nationality):
        return invalid(text, FOREIGN_PR_ID, s,
                       f"{label}前3位国籍代码“{nationality}”不是ISO 3166三字母国家代码，请核对号码",
                       details)
    province = s[3:5] + "0000"
    if not regions.province_known(province):
        return invalid(text, FOREIGN_PR_ID, s,
                       f"{label}第4-5位受理地代码{s[3:5]}不是省级行政区划代码，请核对号码", details)
    year = fpr2017_birth_year(int(s[5:7]), today)
    facts = birth_facts(f"{year}{s[7:11]}", s[13], today)
    if isinstance(facts, str):
        return invalid(text, FOREIGN_PR_ID, s, facts, details)
    facts.pop("sex")  # which digit gives the sex on this edition is not public
    details.update(facts, region_code=province, region_name=regions.name(province) or "")
    note = f"{label}没有公开的校验算法，已核对国籍、受理地和出生日期，请与证件逐位核对"
    return Identification(text, FOREIGN_PR_ID, True, s, None, (note,), details)


def fpr2017_length_error(s: str) -> str:
    return length_error(f"2017版{FPR_LABEL}", len(s), 15)
