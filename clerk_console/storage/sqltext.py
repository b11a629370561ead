"""How the replica stores values SQLite has no type for, written out without SQLAlchemy: what
SQLAlchemy's SQLite ``DateTime`` and ``JSON`` types write and read, so a row
written by the sign-in gate's raw connection (``storage/gate.py``) reads back through the
tables exactly as one written through them (tests/test_signin_gate.py checks both ways)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, overload


@overload
def local(dt: datetime) -> datetime: ...


@overload
def local(dt: None) -> None: ...


@overload
def local(dt: datetime | None) -> datetime | None: ...


def local(dt: datetime | None) -> datetime | None:
    """Naive local wall-clock time (the replica's convention)."""
    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone().replace(tzinfo=None)


def datetime_text(dt: datetime | None) -> str | None:
    """A naive datetime as SQLAlchemy's SQLite ``DateTime`` stores it (microseconds always)."""
    if dt is None:
        return None
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {dt.hour:02d}:{dt.minute:02d}:"
            f"{dt.second:02d}.{dt.microsecond:06d}")


def parse_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def json_text(value: Any) -> str:
    """A value as SQLAlchemy's ``JSON`` type stores it (``json.dumps``, its defaults)."""
    return json.dumps(value)

