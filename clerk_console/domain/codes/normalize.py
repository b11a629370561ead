"""Scanner and IME input -> canonical code text.

Barcode scanners in keyboard mode append CR/LF or a tab; Chinese IMEs in full-width mode type
full-width digits and letters (NFKC folds them); people write ID numbers in groups separated by
spaces or dashes. The canonical text has none of that: upper case, no separators, except the
hyphens of an investment project code (``YYYY-RRRRRR-DD-TT-NNNNNN``), which are part of its
printed form and are kept when the text is split into the project code's five groups.
"""
from __future__ import annotations

import unicodedata

# Dash-like characters NFKC leaves alone but IMEs and word processors produce.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58"), "-")


def _drop_invisible(text: str) -> str:
    """Remove whitespace and format characters (zero-width space, BOM, direction marks)."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def normalize(text: str) -> str:
    """Canonical form of a typed or scanned code: NFKC, no spaces, upper case.

    Hyphens are dropped unless the text is grouped like a project code (``project_grouped``):
    then they are kept (doubled hyphens merged) so
    that project_code can name the group that is wrong.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = _drop_invisible(text).upper()
    if not text.isascii():  # dropping spaces or upper-casing can leave composable pairs
        text = unicodedata.normalize("NFKC", text)
    if "-" not in text:
        return text
    groups = [g for g in text.split("-") if g]
    if project_grouped(groups):
        return "-".join(groups)
    return "".join(groups)


def project_grouped(groups: list[str]) -> bool:
    """Grouped like a project code, even with a group of the wrong length: five groups of
    digits, or a year (20xx) followed by two or more groups. A person's number written in
    groups (370602-19900101-1237) starts with its 6-digit region instead."""
    if len(groups) == 5 and all(g.isdigit() for g in groups):
        return True
    return (len(groups) >= 3 and len(groups[0]) == 4 and groups[0].startswith("20")
            and groups[0].isdigit())
