"""How long a typed value may be, wherever the domain has a limit: the one place for them.

The rules that enforce a limit import it from here (names, codes, the search), and the
console's text fields are capped to it (``ui/widgets/field.py``), so a stuck key or a reader
typing a whole record into the wrong field stops at the limit instead of growing the field.
Pure domain, no imports; ``text_error`` is the one rule for a required free text.
"""
from __future__ import annotations

CLERK_ID = 32  # a clerk's id: 1-32 letters, digits, _ . - (services/accounts.py)
PIN = 12  # PINs are 6-12 digits (domain/accounts.PIN_DIGITS)
NAME = 60  # a person's or an organisation's name (domain/names.py)
CODE = 40  # a document number, credit code or project code as typed (domain/codes)
SEARCH = 40  # what the item search reads of a query: the longest item name is 21 characters


def text_error(value: str, what: str, limit: int) -> str:
    """'' when ``value`` (stripped) is a usable required free text of at most ``limit``
    characters, else the Chinese message saying what to do (reasons, notes, legal bases).

    >>> text_error("  ", "复核理由", 500)
    '请填写复核理由'
    >>> text_error("x" * 3, "复核理由", 2)
    '复核理由过长（3 字），请精简到 2 字以内'
    """
    value = (value or "").strip()
    if not value:
        return f"请填写{what}"
    if len(value) > limit:
        return f"{what}过长（{len(value)} 字），请精简到 {limit} 字以内"
    return ""
