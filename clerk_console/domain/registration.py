"""What quick entry accepts for an applicant or an agent the replica does not know. Pure domain.

One function per field rule, called by the quick-entry form (``ui/screens/quick_entry.py``):
``holder_name_error`` (the name rule of ``names`` plus the document's script) and
``phone_error`` (a mobile or a fixed-line number, optional for an agent).
"""
from __future__ import annotations

import re
import unicodedata

from .codes import holders
from .masking import ORGANISATION_KINDS
from .names import name_error

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


def holder_name_error(name: str, kind: str, details: dict | None = None) -> str:
    """'' if ``name`` may be recorded for a holder of a ``kind`` document (a domain.codes
    kind), else a Chinese message: an organisation's name by the organisation rule, a person's
    by the person rule and in the document's script (a foreign passport: Latin letters)."""
    if kind in ORGANISATION_KINDS:
        return name_error(name, organisation=True)
    return name_error(name) or holders.name_script_error(name, kind, details or {})


def normalize_phone(phone: str) -> str:
    """Full-width digits made ASCII, spaces dropped (a phone as it is stored)."""
    return unicodedata.normalize("NFKC", phone).replace(" ", "").strip()


def phone_error(phone: str, *, optional: bool = False) -> str:
    """'' if ``phone`` is a mobile (11 digits from 1) or fixed-line number (with or without
    area code), or empty when ``optional`` (an agent's); else a Chinese message."""
    phone = normalize_phone(phone)
    if not phone:
        return "" if optional else "请输入联系电话（手机 11 位，或带区号的固定电话）"
    if not PHONE_RE.match(phone):
        return f"电话号码“{phone}”格式不对：手机为 1 开头的 11 位数字，固话如 0535-6688123"
    return ""
