"""Identifiers made at the window, unique across all windows even while offline."""
from __future__ import annotations

import re
from datetime import date

from uuid6 import uuid7

CASE_NO_RE = re.compile(r"^(?P<window>[A-Z0-9]{2,12})-(?P<day>\d{8})-(?P<seq>\d{4,})$")


def new_id() -> str:
    """Client-made, time-ordered id (UUIDv7) carried by every record for sync."""
    return str(uuid7())


def format_case_no(window_code: str, day: date, seq: int) -> str:
    """Case number = window code + date + daily sequence: YT0101-20261127-0001.

    Window codes are unique per hall (assigned at enrollment), so numbers made offline at
    different windows never collide.
    """
    return f"{window_code}-{day:%Y%m%d}-{seq:04d}"


def parse_case_no(case_no: str) -> tuple[str, date, int] | None:
    m = CASE_NO_RE.match(case_no.strip().upper())
    if not m:
        return None
    d = m.group("day")
    try:
        day = date(int(d[:4]), int(d[4:6]), int(d[6:]))
    except ValueError:
        return None
    return m.group("window"), day, int(m.group("seq"))


def short_case_no(case_no: str) -> str:
    """A case number as short lists show it: month, day and sequence (11-27-0003), so two
    days' cases stay apart; a number of another shape is shown whole."""
    parsed = parse_case_no(case_no)
    if parsed is None:
        return case_no
    _window, day, seq = parsed
    return f"{day:%m-%d}-{seq:04d}"
