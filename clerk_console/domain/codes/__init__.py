"""一证通办: recognise and validate the codes a clerk scans or types.

One small module of pure functions per standard (python-stdnum style):
resident_id (GB 11643), permits (Hong Kong/Macao/Taiwan residence permits, foreigners'
permanent residence IDs), uscc (GB 32100), project_code (GB/T 40058), regions (GB/T 2260
names from python-stdnum's data), normalize (scanner/IME input). ``identify`` picks the kind
and returns an ``Identification``; it never raises on any text.
"""
from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

from . import permits, project_code, regions, resident_id, uscc
from .messages import length_error
from .normalize import normalize
from .result import (FOREIGN_PR_ID, HMT_PERMIT, KIND_LABELS, PERSON_KINDS, PROJECT_CODE,
                     RESIDENT_ID, UNKNOWN, USCC, Identification, invalid)

__all__ = ["identify", "plausible_scan", "warm_up", "normalize", "Identification", "KIND_LABELS",
           "PERSON_KINDS", "RESIDENT_ID", "HMT_PERMIT", "FOREIGN_PR_ID", "USCC", "PROJECT_CODE",
           "UNKNOWN"]

DIGITS = frozenset("0123456789")
SCAN_LENGTHS = frozenset({15, 18, 20})
MAX_SCAN = 40


def identify(text: str, today: date | None = None) -> Identification:
    """Recognise the kind of ``text`` and validate it; ``today`` bounds birth dates and years."""
    today = today or date.today()
    s = normalize(text)
    if not s:
        return invalid(text, UNKNOWN, s, "未输入号码，请扫描或输入证件号码、统一社会信用代码或项目代码")
    if project_code.looks_like(s):
        return project_code.analyse(text, s, today)
    if len(s) == 18:
        return _analyse18(text, s, today)
    if len(s) == 15:
        if s[0].isalpha() and s[0].isascii():
            return permits.analyse_fpr(text, s, today)
        return resident_id.analyse(text, s, today)
    return _wrong_length(text, s)


def _all_digits(s: str) -> bool:
    return all(c in DIGITS for c in s)


def _person_kind(s: str) -> str:
    if s[0] == "9":
        return FOREIGN_PR_ID
    if permits.is_permit_prefix(s):
        return HMT_PERMIT
    return RESIDENT_ID


def _analyse_as(kind: str, text: str, s: str, today: date) -> Identification:
    if kind == USCC:
        return uscc.analyse(text, s)
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


def _analyse18(text: str, s: str, today: date) -> Identification:
    """18 characters: a person's number, a credit code, or both shapes at once.

    All-digit credit codes (e.g. 11.../12... organs, 51.../52... social organisations, 91...
    enterprises) share their shape with citizen IDs of Beijing, Sichuan ... and with the
    9-prefixed permanent residence IDs; the check characters decide. If neither check passes,
    the error shown is the one of the more plausible reading.
    """
    id_like = _all_digits(s[:17]) and s[17] in "0123456789X"
    uscc_like = all(c in uscc.ALPHABET for c in s)
    kinds = []
    if id_like:
        kinds.append(_person_kind(s))
    if uscc_like:
        kinds.append(USCC)
    if not kinds:
        # Neither alphabet fits: report against the reading the text is closest to.
        non_digits = sum(c not in DIGITS for c in s[:17])
        kinds.append(_person_kind(s) if non_digits <= 1 else USCC)
    results = [_analyse_as(k, text, s, today) for k in kinds]
    valid = [r for r in results if r.valid]
    if len(valid) == 1:
        return _with_lookalike_note(valid[0], s)
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
    # Neither is valid. A reading whose check character matches has its error elsewhere
    # (date, region): that error is the useful one. Otherwise go by the shape.
    person_checked = resident_id.calc_check_char(s) == s[17]
    credit_checked = uscc.calc_check_char(s) == s[17]
    if person_checked != credit_checked:
        return person if person_checked else credit
    if _person_shaped(s) and not (s[0] == "9" and uscc.entity(s)[1]):
        return person
    return credit


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
    shown = s if len(s) <= 30 else s[:30] + "…"
    return invalid(text, UNKNOWN, s,
                   f"无法识别“{shown}”（{n}位）：身份证件号码和统一社会信用代码为18位，"
                   "投资项目代码为YYYY-RRRRRR-DD-TT-NNNNNN，请核对后重新扫描或输入")


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
