"""Scanner burst detection, independent of Textual.

A keyboard-mode scanner types a whole code within a few milliseconds and ends it with Enter;
a person types far slower. ``BurstDetector`` keeps the printable keys that arrived within
``gap`` seconds of each other; when Enter closes such a run of at least ``min_length``
characters, the run is a scan.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# A scanner or a card reader in keyboard mode types any printable character: licence QR codes
# are URLs (: / ? = & . %), labels and ID-card records are Chinese, MRZ lines use <, Hong Kong
# IDs brackets. Besides those: Tab between the fields of a record, and the framing control
# characters STX, ETX, EOT, GS, RS (domain.codes.payloads drops them). Full-width forms are
# folded by NFKC first.
FRAMING = frozenset("\x02\x03\x04\x1d\x1e")
FIELD_SEPARATOR = "\t"
MIN_SCAN_LENGTH = 15
# Shorter codes (8-14 characters: travel permits, Hong Kong and Taiwan IDs, passports) are
# scans only when they have one of those shapes AND arrived at scanner speed: a fast person
# types an 11-digit phone number with gaps under 0.1 s, never at 25 ms a key.
SHORT_SCAN_LENGTH = 8
SHORT_SCAN_GAP = 0.025
# The shapes of the short codes (domain.codes.travel_permits, hk_identity_card,
# tw_national_id, passport); only to tell a short scan from typing, not to validate.
SHORT_CODE = re.compile(r"(?<![A-Z0-9])([HM]\d{8}(\d\d)?|\d{8}(\d\d)?|[A-Z]{1,2}\d{6}\(?[0-9A]\)?"
                        r"|[A-Z]\d{9}|E[A-Z0-9]\d{7}|G\d{8}|[A-Z]{3}[: ]?[A-Z0-9]{5,9})(?![A-Z0-9])",
                        re.IGNORECASE)


def short_code(text: str) -> bool:
    return SHORT_CODE.search(text) is not None


def scan_char(character: str | None) -> str | None:
    """The scan character a key stands for (NFKC-folded), or None if a scanner never sends it.

    Tab counts only inside a burst (the caller decides: see ``BurstDetector.accepts``)."""
    if not character or len(character) != 1:
        return None
    if character in FRAMING or character == FIELD_SEPARATOR:
        return character
    folded = unicodedata.normalize("NFKC", character)
    return folded if folded.isprintable() else None


@dataclass
class BurstDetector:
    """Feed it keys with their arrival times (seconds); it tells when a burst is a scan."""

    gap: float = 0.1
    min_length: int = MIN_SCAN_LENGTH
    chars: list[str] = field(default_factory=list)
    last: float | None = None
    first: float | None = None

    def expired(self, now: float) -> bool:
        """True when the current run is over (the next key would start a new one)."""
        return self.last is not None and now - self.last > self.gap

    def accepts(self, char: str, now: float) -> bool:
        """Tab and space continue a burst but never start one: a Tab on its own moves the
        focus at once, a space goes where the clerk typed it."""
        if char in (FIELD_SEPARATOR, " "):
            return bool(self.chars) and not self.expired(now)
        return True

    def feed(self, char: str, now: float) -> bool:
        """Add a printable scan character; True if it continues a run, False if it starts one."""
        continuing = bool(self.chars) and not self.expired(now)
        if not continuing:
            self.chars = []
            self.first = now
        self.chars.append(char)
        self.last = now
        return continuing

    def enter(self, now: float) -> str | None:
        """Enter pressed: the scanned code if it closes a burst, else None. Resets the run."""
        code = None
        n = len(self.chars)
        if self.chars and not self.expired(now):
            text = "".join(self.chars)
            if n >= self.min_length:
                code = text
            elif (n >= SHORT_SCAN_LENGTH and self.first is not None
                  and (now - self.first) / n <= SHORT_SCAN_GAP and short_code(text)):
                code = text
        self.reset()
        return code

    def reset(self) -> None:
        self.chars = []
        self.last = None
        self.first = None

    @property
    def pending(self) -> int:
        return len(self.chars)


def typed_scan(query: str) -> str | None:
    """An item query with a code's shape that found no item is looked up as a scan.

    A clerk types a code into the item search by hand (a worn card, a number read out), or
    the console took a scanner's burst for typing (the PC stalled mid-burst): Enter looks it
    up, and a typo gets the code's own error, not "没有找到匹配的事项". Only asked when the
    query found nothing, so an item code typed there still picks its item.

    >>> typed_scan(" 91370613MA3CKF011N ")
    '91370613MA3CKF011N'
    >>> typed_scan("kfd") is None
    True
    """
    from clerk_console.domain.codes import plausible_scan  # not at start-up: codes loads later

    text = query.strip()
    return text if plausible_scan(text) else None


def pasted_scan(text: str, min_length: int = MIN_SCAN_LENGTH) -> str | None:
    """A bracketed paste that is one code followed by a line end counts as a scan.

    Some scanners and remote desktops deliver a whole code as a paste; a paste with no line
    end (or with anything else in it) is ordinary text and goes to the focused field.
    """
    if not text.endswith(("\r", "\n")):
        return None
    body = text.strip()
    # line ends inside: the two lines of a passport's machine-readable zone
    chars = [c if c in "\r\n" else scan_char(c) for c in body]
    if None in chars or len(chars) < SHORT_SCAN_LENGTH:
        return None
    if len(chars) < min_length and not short_code(body):
        return None
    return "".join(chars)  # type: ignore[arg-type]
