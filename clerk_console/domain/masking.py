"""How personal data is masked on screens, lists, paper and logs. Pure domain.

One rule per kind of datum, each in one function:

- ``mask_id``: every person's document number (resident IDs of both generations, the Hong
  Kong/Macao/Taiwan residence permits, both editions of the foreigners' permanent residence ID,
  home-return and Taiwan compatriot permits, Hong Kong and Taiwan identity cards, passports
  and whatever a clerk typed that matched no rule). Organisations' codes (unified social credit
  codes, investment project codes) are not personal data and are shown whole.
- ``mask_name``: a person's name, in any script. Enterprise names are not masked (callers
  decide whether the name is a person's).
- ``mask_phone``: a phone number, mobile or landline.

Every masked text keeps at most ``MAX_KEPT_RUN`` consecutive characters of the original, so a
masked number can be matched against the document in the applicant's hand but never rebuilt.
"""
from __future__ import annotations

MASK = "*"
# Kinds that identify an organisation or a project, not a person (domain.codes kinds).
ORGANISATION_KINDS = frozenset({"uscc", "project_code"})
MAX_KEPT_RUN = 4  # the longest run of original characters any masked text keeps
# Characters kept as they are in a name: they separate its parts and carry no identity.
_NAME_SEPARATORS = frozenset(" ·•・.-'")


def _keep_ends(text: str, head: int, tail: int) -> str:
    middle = len(text) - head - tail
    if middle < 1:
        return MASK * len(text)
    return text[:head] + MASK * middle + text[len(text) - tail:]


def _id_ends(length: int) -> tuple[int, int]:
    """How many characters to keep at each end of a document number of this length.

    18 and 15 characters (resident IDs, permits, permanent residence IDs): the first 4 and the
    last 4, the form clerks know (3706**********1237). Passport-sized numbers (8-14): the first
    2 and the last 2 (E1*****78). Shorter ones keep one at each end; 3 or fewer nothing.
    """
    if length >= 15:
        return 4, 4
    if length >= 8:
        return 2, 2
    if length >= 4:
        return 1, 1
    return 0, 0


def mask_id(id_number: str, id_kind: str = "resident_id") -> str:
    """Mask a document number for display: 3706**********1237, USA3*******1234, E1*****78.

    ``id_kind`` is a ``domain.codes`` kind; only organisations' kinds are shown whole. Any
    other kind, including an unknown or empty one, is treated as a person's number.
    """
    if id_kind in ORGANISATION_KINDS:
        return id_number
    return _keep_ends(id_number, *_id_ends(len(id_number)))


def is_personal(id_kind: str) -> bool:
    """Does a number of this kind identify a natural person (and so get masked)?"""
    return id_kind not in ORGANISATION_KINDS


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*, 艾力·买买提 -> 艾*·**提, JOHN SMITH -> J*** ****H.

    The first and the last character are kept (only the first for two characters), separators
    between the parts of a name stay so the clerk can tell its shape.
    """
    letters = [i for i, c in enumerate(name) if c not in _NAME_SEPARATORS]
    if len(letters) <= 1:
        return name
    keep = {letters[0]} if len(letters) == 2 else {letters[0], letters[-1]}
    return "".join(c if i in keep or c in _NAME_SEPARATORS else MASK
                   for i, c in enumerate(name))


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678, 0531-88886666 -> 053*-****6666.

    Of the digits, the first 3 and the last 4 stay when there are at least 11, only the last 4
    for 8 to 10, the last 2 for fewer; other characters (+, -, spaces) stay in place.
    """
    digits = [i for i, c in enumerate(phone) if c.isdigit()]
    n = len(digits)
    head, tail = (3, 4) if n >= 11 else (0, 4) if n >= 8 else (0, 2) if n >= 4 else (0, 0)
    keep = set(digits[:head]) | set(digits[n - tail:] if tail else ())
    return "".join(MASK if c.isdigit() and i not in keep else c for i, c in enumerate(phone))
