"""一证通办: recognise and validate the codes a clerk scans or types.

One small module of pure functions per standard (python-stdnum style):
resident_id (GB 11643), permits (Hong Kong/Macao/Taiwan residence permits, foreigners'
permanent residence IDs), travel_permits (home-return and Taiwan compatriot permits),
hk_identity_card, tw_national_id, passport (with the ICAO MRZ), uscc (GB 32100), project_code
(GB/T 40058), regions (GB/T 2260 names from python-stdnum's data), countries (ISO 3166-1 from
pycountry), payloads (what scanners and readers send, unwrapped), normalize (scanner/IME
input). ``identify`` picks the kind and returns an ``Identification``; it never raises on any
text.
"""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

from .. import limits
from . import (hk_identity_card, passport, payloads, permits, project_code, regions, resident_id,
               travel_permits, tw_national_id, uscc)
from .messages import LOOKALIKE, length_error
from .normalize import normalize
from .result import (FOREIGN_PR_ID, FOREIGNER_KINDS, HK_IDENTITY_CARD, HMT_PERMIT,
                     HOME_RETURN_PERMIT, KIND_LABELS, PASSPORT, PERSON_KINDS, PROJECT_CODE,
                     RESIDENT_ID, TW_COMPATRIOT_PERMIT, TW_NATIONAL_ID, UNKNOWN, USCC,
                     Identification, invalid)

__all__ = ["identify", "plausible_scan", "warm_up", "normalize", "Identification", "KIND_LABELS",
           "PERSON_KINDS", "FOREIGNER_KINDS", "RESIDENT_ID", "HMT_PERMIT", "FOREIGN_PR_ID",
           "HOME_RETURN_PERMIT", "TW_COMPATRIOT_PERMIT", "HK_IDENTITY_CARD", "TW_NATIONAL_ID",
           "PASSPORT", "USCC", "PROJECT_CODE", "UNKNOWN"]

DIGITS = frozenset("0123456789")
SCAN_LENGTHS = frozenset({15, 18, 20})
MAX_SCAN = limits.CODE


def identify(text: str, today: date | None = None,
             uscc_exceptions: frozenset[str] = frozenset()) -> Identification:
    """Recognise the kind of ``text`` and validate it; ``today`` bounds birth dates and years.

    ``text`` may be anything a scanner or reader sends (see payloads): the code is unwrapped
    first. ``uscc_exceptions``: pilot credit codes accepted although they fail GB 32100
    (data/codes/uscc_exceptions.toml, read by the caller).
    """
    today = today or date.today()
    wrapped = payloads.unwrap(text)
    if wrapped.message:
        return replace(invalid(text, UNKNOWN, "", wrapped.message), payload=wrapped.shape)
    result = _identify(text, wrapped.code, today, uscc_exceptions)
    if wrapped.shape or wrapped.prefill or wrapped.notes:
        result = replace(result, payload=result.payload or wrapped.shape,
                         prefill={**wrapped.prefill, **result.prefill},
                         warnings=(*wrapped.notes, *result.warnings))
    if result.valid and result.kind in FOREIGNER_KINDS and result.details.get("nationality") \
            and "nationality" not in result.prefill:
        result = replace(result, prefill={**result.prefill,
                                          "nationality": result.details["nationality"]})
    return result


def _identify(text: str, code: str, today: date, exceptions: frozenset[str]) -> Identification:
    s = normalize(code)
    if not s:
        return invalid(text, UNKNOWN, s, "未输入号码，请扫描或输入证件号码、统一社会信用代码或项目代码")
    if passport.looks_like_mrz(s):
        return passport.analyse_mrz(text, s, today)
    if project_code.looks_like(s):
        return project_code.analyse(text, s, today)
    if len(s) == 18:
        return _analyse18(text, s, today, exceptions)
    if len(s) == 15:
        if s[0].isalpha() and s[0].isascii():
            return permits.analyse_fpr(text, s, today)
        return resident_id.analyse(text, s, today)
    return _short(text, s)


def _short(text: str, s: str) -> Identification:
    """Documents of Hong Kong, Macao, Taiwan and foreign residents: 8 to 13 characters."""
    if "(" in s or ")" in s:
        return hk_identity_card.analyse(text, s)
    if passport.looks_like_foreign(s):
        return passport.analyse_foreign(text, s)
    if passport.looks_like_chinese(s):
        result = passport.analyse_chinese(text, s)
        if result.valid and hk_identity_card.SHAPE.match(s) and \
                hk_identity_card.analyse(text, s).valid:
            note = "该号码同时符合香港身份证号码的校验规则，请确认证件类型"
            result = replace(result, warnings=(*result.warnings, note))
        return result
    if travel_permits.looks_like_home_return(s) and len(s) != 10:
        return travel_permits.analyse_home_return(text, s)
    if tw_national_id.looks_like(s):
        result = tw_national_id.analyse(text, s)
        if not result.valid and s[0] in travel_permits.HOME_REGIONS:
            other = KIND_LABELS[HOME_RETURN_PERMIT]
            result = replace(result, error=f"{result.error}；如为{other}，应为{s[0]}加8位数字"
                                           "（含换证次数为10位数字）")
        return result
    if hk_identity_card.looks_like(s):
        return hk_identity_card.analyse(text, s)
    if travel_permits.looks_like_tw_compatriot(s):
        return travel_permits.analyse_tw_compatriot(text, s)
    return _wrong_length(text, s)


def _all_digits(s: str) -> bool:
    return all(c in DIGITS for c in s)


def _person_kind(s: str) -> str:
    if s[0] == "9":
        return FOREIGN_PR_ID
    if permits.is_permit_prefix(s):
        return HMT_PERMIT
    return RESIDENT_ID


def _analyse_as(kind: str, text: str, s: str, today: date,
                exceptions: frozenset[str] = frozenset()) -> Identification:
    if kind == USCC:
        return uscc.analyse(text, s, exceptions)
    if kind == FOREIGN_PR_ID:
        return permits.analyse_fpr(text, s, today)
    if kind == HMT_PERMIT:
        return permits.analyse_hmt(text, s, today)
    return resident_id.analyse(text, s, today)


def _person_shaped(s: str) -> bool:
    """Does the text still look like a person's number (a typo breaks one part at most)?

    Points: region code known (2, citizens' numbers only), province known (1), birth year
    starting 18/19/20, month 01-12, day 01-31 (1 each). A genuine number scores 6 (4 for a
    permanent residence ID, which names only the province); one wrong character costs at
    most 3 (1), so 3 or more still counts. Credit codes rarely reach it: their positions
    7-14 are the end of a region code and the organisation code.
    """
    if s[0] == "9":
        score = int(regions.province_known(s[1:3] + "0000"))
    else:
        score = 2 * (regions.known(s[:6]) or s[:6] in permits.PERMIT_REGIONS)
        score += regions.province_known(s[:6]) or permits.is_permit_prefix(s)
    month, day = s[10:12], s[12:14]
    score += s[6:8] in ("18", "19", "20")
    score += month.isdigit() and 1 <= int(month) <= 12
    score += day.isdigit() and 1 <= int(day) <= 31
    return score >= 3


def _credit_shaped(s: str) -> bool:
    """Known authority and entity type, a region code that exists and a right organisation
    code check."""
    return (bool(uscc.entity(s)[1]) and regions.known(s[2:8])
            and uscc.calc_org_check_char(s[8:16]) == s[16])


def _with_lookalike_note(chosen: Identification, s: str) -> Identification:
    """A typo in a person's number can land on a valid credit code (about 1 in 341) and the
    other way round: when the reading that failed still looks right, say so."""
    if chosen.kind == USCC:
        looks = _person_shaped(s) and sum(c not in DIGITS for c in s[:17]) <= 1
        other = KIND_LABELS[_person_kind(s)]
    else:
        looks = _credit_shaped(s)
        other = KIND_LABELS[USCC]
    if not looks:
        return chosen
    note = f"该号码也像{other}（但按其规则校验不符），如为{other}请核对"
    return replace(chosen, warnings=(*chosen.warnings, note))


def _analyse18(text: str, s: str, today: date, exceptions: frozenset[str]) -> Identification:
    """18 characters: a person's number, a credit code, or both shapes at once.

    All-digit credit codes (e.g. 11.../12... organs, 51.../52... social organisations, 91...
    enterprises) share their shape with citizen IDs of Beijing, Sichuan ... and with the
    9-prefixed permanent residence IDs; the check characters decide. If neither check passes,
    the error shown is the one of the more plausible reading, and the other reading is named
    when it is plausible too.
    """
    if s in exceptions:
        return uscc.analyse(text, s, exceptions)
    non_digits = sum(c not in DIGITS for c in s[:17])
    id_like = non_digits == 0 and s[17] in "0123456789X"
    uscc_like = all(c in uscc.ALPHABET for c in s)
    kinds = []
    if id_like:
        kinds.append(_person_kind(s))
    if uscc_like:
        kinds.append(USCC)
    if not kinds:
        # Neither alphabet fits: report against the reading the text is closest to.
        kinds.append(_person_kind(s) if non_digits <= 1 else USCC)
    results = [_analyse_as(k, text, s, today, exceptions) for k in kinds]
    valid = [r for r in results if r.valid]
    if len(valid) == 1:
        return _with_lookalike_note(valid[0], s)
    if not valid and non_digits == 1 and s[17] in "0123456789X" and _person_shaped(s):
        return _likely_typo(text, s, today)
    if len(results) == 1:
        return results[0]
    person, credit = results
    if len(valid) == 2:
        # Both checks pass (1 in 31 of citizen IDs pass the MOD 31 check too): keep the
        # reading with fewer warnings, credit codes on a tie for 9... (enterprises are far
        # more common than permanent residents), persons otherwise. Only when the other
        # reading is just as clean is it a real alternative worth telling the clerk.
        prefer_credit = s[0] == "9"
        best, other = sorted(results, key=lambda r: (len(r.warnings),
                                                     (r.kind == USCC) != prefer_credit))
        if len(other.warnings) > len(best.warnings):
            return best
        note = f"该号码同时符合{other.label}的规则，请确认证件类型"
        return replace(best, warnings=(*best.warnings, note))
    chosen = person if _person_more_plausible(s) else credit
    other = credit if chosen is person else person
    plausible = _credit_shaped(s) if other is credit else _person_shaped(s)
    return _say_both(chosen, other) if plausible else chosen


def _person_more_plausible(s: str) -> bool:
    """Neither reading is valid: which error helps the clerk more?

    A reading whose check character matches has its error elsewhere (date, region): that
    error is the useful one. A 9-prefixed number with a known province and a real birth date
    is a permanent residence ID with a typo, whatever its first two characters mean in a
    credit code. Otherwise go by the shape.
    """
    person_checked = resident_id.calc_check_char(s) == s[17]
    credit_checked = uscc.calc_check_char(s) == s[17]
    if person_checked != credit_checked:
        return person_checked
    if s[0] == "9" and regions.province_known(s[1:3] + "0000") \
            and isinstance(resident_id.parse_date(s[6:14]), date):
        return True
    return _person_shaped(s) and not (s[0] == "9" and uscc.entity(s)[1])


def _say_both(chosen: Identification, other: Identification) -> Identification:
    """Both readings fail but both are plausible: the error names the other one too (without
    telling what its check character "should be", which would invite a wrong fix)."""
    why = "其校验位也不符" if (other.error or "").startswith("校验位") else other.error
    return replace(chosen, error=f"{chosen.error}；如为{other.label}：{why}")


def _likely_typo(text: str, s: str, today: date) -> Identification:
    """A person's number with one letter among its digits (I for 1, O for 0 ...)."""
    kind = _person_kind(s)
    result = _analyse_as(kind, text, s, today)
    pos = next(i for i, c in enumerate(s[:17]) if c not in DIGITS)
    digit = LOOKALIKE.get(s[pos])
    hint = ""
    if digit is not None:
        fixed = s[:pos] + digit + s[pos + 1:]
        if _analyse_as(kind, text, fixed, today).valid:
            hint = f"（改为{digit}后校验通过）"
    return replace(result, error=f"疑似输错：{result.error}{hint}")


def _wrong_length(text: str, s: str) -> Identification:
    """Not 15, 18 or a project code: say which code it resembles and how long it should be."""
    n = len(s)
    if 13 <= n <= 22 and _all_digits(s[:-1]) and s[-1] in "0123456789X":
        kind = _person_kind(s)
        note = "（一代身份证为15位）" if kind == RESIDENT_ID else ""
        return invalid(text, kind, s, length_error(KIND_LABELS[kind], n, 18, note))
    if 12 <= n <= 18 and s[:3].isascii() and s[:3].isalpha() and _all_digits(s[3:]):
        return invalid(text, FOREIGN_PR_ID, s, permits.fpr2017_length_error(s))
    if 14 <= n <= 22 and all(c in uscc.ALPHABET for c in s):
        return invalid(text, USCC, s, length_error(KIND_LABELS[USCC], n, 18))
    return invalid(text, UNKNOWN, s,
                   f"无法识别这个{n}位的号码：身份证件号码和统一社会信用代码为18位，"
                   "投资项目代码为YYYY-RRRRRR-DD-TT-NNNNNN，港澳居民来往内地通行证为H或M加8位数字，"
                   "台湾居民来往大陆通行证为8位数字，香港身份证如A123456(3)，台湾身份证如A123456789，"
                   "外国护照请在号码前加签发国代码（如USA:A12345678），请核对后重新扫描或输入")


def warm_up() -> None:
    """Load the region table now. Importing this package costs about 0.1-0.2 s (python-stdnum
    pulls in ssl and pydoc) and the first lookup reads the region table (~20 ms): a UI
    should import this module and call warm_up() in a worker after its first paint so the
    first scan of the day stays within the scan budget."""
    regions.load()


def plausible_scan(text: str) -> bool:
    """Cheap test (length and alphabet only) whether a burst of keys can be a code."""
    s = text.strip()
    if not s or len(s) > MAX_SCAN:
        return False
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    s = s.replace(" ", "")
    if "-" in s:
        s = s.replace("-", "")
        return len(s) == project_code.DIGITS_ONLY and s.isascii() and s.isdigit()
    return len(s) in SCAN_LENGTHS and s.isascii() and s.isalnum()
