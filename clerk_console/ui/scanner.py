"""Scanner burst detection, independent of Textual.

A keyboard-mode scanner types a whole code within a few milliseconds and ends it with Enter;
a person types far slower. ``BurstDetector`` keeps the printable keys that arrived within
``gap`` seconds of each other; when Enter closes such a run of at least ``min_length``
characters, the run is a scan.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

# Characters a scanner can type for the codes we know (IDs, credit codes, project codes),
# with full-width forms folded by NFKC first.
SCAN_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
MIN_SCAN_LENGTH = 15


def scan_char(character: str | None) -> str | None:
    """The scan character a key stands for (NFKC-folded), or None if a scanner never sends it."""
    if not character or len(character) != 1:
        return None
    folded = unicodedata.normalize("NFKC", character)
    return folded if folded in SCAN_CHARS else None


@dataclass
class BurstDetector:
    """Feed it keys with their arrival times (seconds); it tells when a burst is a scan."""

    gap: float = 0.1
    min_length: int = MIN_SCAN_LENGTH
    chars: list[str] = field(default_factory=list)
    last: float | None = None

    def expired(self, now: float) -> bool:
        """True when the current run is over (the next key would start a new one)."""
        return self.last is not None and now - self.last > self.gap

    def feed(self, char: str, now: float) -> bool:
        """Add a printable scan character; True if it continues a run, False if it starts one."""
        continuing = bool(self.chars) and not self.expired(now)
        if not continuing:
            self.chars = []
        self.chars.append(char)
        self.last = now
        return continuing

    def enter(self, now: float) -> str | None:
        """Enter pressed: the scanned code if it closes a burst, else None. Resets the run."""
        code = None
        if self.chars and not self.expired(now) and len(self.chars) >= self.min_length:
            code = "".join(self.chars)
        self.reset()
        return code

    def reset(self) -> None:
        self.chars = []
        self.last = None

    @property
    def pending(self) -> int:
        return len(self.chars)


def pasted_scan(text: str, min_length: int = MIN_SCAN_LENGTH) -> str | None:
    """A bracketed paste that is one code followed by a line end counts as a scan.

    Some scanners and remote desktops deliver a whole code as a paste; a paste with no line
    end (or with anything else in it) is ordinary text and goes to the focused field.
    """
    if not text.endswith(("\r", "\n")):
        return None
    body = text.strip()
    chars = [scan_char(c) for c in body]
    if len(chars) < min_length or None in chars:
        return None
    return "".join(chars)  # type: ignore[arg-type]
