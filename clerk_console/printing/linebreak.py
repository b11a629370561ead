"""Where a printed line may break: never inside a code, a number or a date.

One rule for every renderer (A4 PDF, 80 mm receipt, console preview). A credit code, an ID
number (masked or not), a case number, an item code, a phone number, a time and a date such
as ``2026年12月4日`` are one unbreakable piece; closing punctuation stays with what it
closes and opening punctuation with what it opens; any other character (a CJK ideograph)
may end a line. Only a piece longer than a whole line is broken, character by character.
Pure: the caller gives the width and how to measure a string (cells or points).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

CLOSING = "，。、；：？！）】」』》〉”’％…,.;:!?)]%"
OPENING = "（【「『《〈“‘(["
_WEEKDAY = r"（星期[一二三四五六日]）"
_DATE = (rf"\d{{4}}年\d{{1,2}}月(?:\d{{1,2}}日(?:{_WEEKDAY}|[ 　]?\d{{1,2}}:\d{{2}})?)?"
         rf"|\d{{1,2}}月\d{{1,2}}日(?:{_WEEKDAY})?")
_TOKEN = re.compile(rf"(?:{_WEEKDAY}|[{re.escape(OPENING)}]*(?:{_DATE}|[!-~]+|\s+|.))"
                    rf"[{re.escape(CLOSING)}]*", re.S)
_CHAR = re.compile(rf".[{re.escape(CLOSING)}]*", re.S)  # pieces of a piece longer than a line

Measure = Callable[[str], float]


def pieces(text: str) -> list[str]:
    """``text`` (one paragraph) cut where a line may break."""
    return _TOKEN.findall(text)


def widest_piece(texts: Iterable[str], measure: Measure) -> float:
    """The width of the widest unbreakable piece of ``texts``: the narrowest a column may be."""
    return max((measure(p) for t in texts for para in t.split("\n") for p in pieces(para)
                if not p.isspace()), default=0.0)


def break_lines(text: str, width: float, measure: Measure, indent: str = "") -> list[str]:
    """``text`` as lines no wider than ``width``; ``\\n`` forces a break; continuation lines
    start with ``indent`` (and never with a space)."""
    out: list[str] = []
    start = measure(indent)
    for para in text.split("\n"):
        line, used, fresh = "", 0.0, True  # fresh: nothing on this line yet but the indent
        first = True

        def put(piece: str, w: float) -> None:
            nonlocal line, used, fresh
            if used + w > width and not fresh:
                out.append(line.rstrip())
                line, used, fresh = indent, start, True
                if piece.isspace():
                    return
            line, used, fresh = line + piece, used + w, False

        for token in pieces(para):
            if token.isspace() and fresh and not first:
                continue
            first = False
            w = measure(token)
            if used + w <= width or start + w <= width:
                put(token, w)
            else:  # longer than a whole line: break it by characters
                for part in _CHAR.findall(token):
                    for bit in (part,) if start + measure(part) <= width else part:
                        put(bit, measure(bit))
        out.append(line.rstrip())
    return out


def column_widths(columns: list[list[str]], total: float, measure: Measure,
                  padding: float) -> list[float]:
    """Widths summing to ``total`` for table columns of these texts (header first): every
    column at least as wide as its widest unbreakable piece, the rest shared in proportion to
    what each column would need on one line."""
    least = [widest_piece(col, measure) + padding for col in columns]
    full = [max((measure(t) for t in col for t in t.split("\n")), default=0.0) + padding
            for col in columns]
    full = [max(f, m) for f, m in zip(full, least)]
    if sum(full) <= total:
        return [f * total / sum(full) for f in full] if sum(full) else [total / len(full)] * len(full)
    if sum(least) >= total:
        return [m * total / sum(least) for m in least]
    spare = total - sum(least)
    want = [f - m for f, m in zip(full, least)]
    return [m + spare * w / sum(want) for m, w in zip(least, want)]
