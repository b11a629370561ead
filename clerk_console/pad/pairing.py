"""Pairing one pad with the window: a one-time code shown to the clerk, typed on the pad.

A code is 6 digits, valid for ``CODE_MINUTES`` and for one pairing; ``MAX_TRIES`` wrong codes
end it (the clerk makes a new one). Pairing gives the pad a random token (its cookie); a new
pairing replaces the earlier pad, so one window has one pad. Thread-safe; clock and random
source injected.
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

CODE_MINUTES = 10
MAX_TRIES = 5


@dataclass(frozen=True)
class Code:
    value: str
    expires: datetime


class Pairing:
    def __init__(self, clock: Callable[[], datetime], *, randbelow=secrets.randbelow,
                 token=lambda: secrets.token_urlsafe(32)):
        self._clock, self._randbelow, self._token = clock, randbelow, token
        self._lock = threading.Lock()
        self._code: Code | None = None
        self._tries = 0
        self._paired: str | None = None

    def new_code(self) -> Code:
        with self._lock:
            self._code = Code(f"{self._randbelow(1_000_000):06d}",
                              self._clock() + timedelta(minutes=CODE_MINUTES))
            self._tries = 0
            return self._code

    def pair(self, typed: str) -> str | None:
        """The new pad's token when ``typed`` is the live code (then used up), else None."""
        with self._lock:
            code = self._code
            if code is None or self._clock() > code.expires:
                self._code = None
                return None
            if not secrets.compare_digest(str(typed or "").strip(), code.value):
                self._tries += 1
                if self._tries >= MAX_TRIES:
                    self._code = None
                return None
            self._code = None
            self._paired = self._token()
            return self._paired

    def is_paired(self, token: str | None) -> bool:
        with self._lock:
            return bool(token) and self._paired is not None \
                and secrets.compare_digest(token, self._paired)

    @property
    def code(self) -> Code | None:
        """The live code, or None (none made yet, used, expired or too many wrong tries)."""
        with self._lock:
            code = self._code
            return code if code is not None and self._clock() <= code.expires else None

    @property
    def paired(self) -> bool:
        """A pad has paired since this server started (its token is the live one)."""
        with self._lock:
            return self._paired is not None
