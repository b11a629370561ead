"""Chinese messages shared by the code modules: say what is wrong and what to do."""
from __future__ import annotations

# Letters a clerk or an OCR step often types for digits.
LOOKALIKE = {"O": "0", "I": "1", "Z": "2", "S": "5", "L": "1", "B": "8"}


def length_error(label: str, seen: int, expected: int, note: str = "") -> str:
    return f"{label}长度为{seen}位，应为{expected}位{note}，请核对是否漏输或多输"


def check_error(expected: str, actual: str) -> str:
    return f"校验位应为{expected}，实际为{actual}，请核对号码"


def char_error(label: str, position: int, char: str, allowed: str) -> str:
    """``position`` is 1-based in the normalised text."""
    hint = LOOKALIKE.get(char)
    tip = f"，是否应为数字{hint}？" if hint else "，请核对"
    return f"{label}第{position}位“{char}”不是允许的字符（{allowed}）{tip}"


def first_bad(text: str, alphabet: str, start: int = 0, end: int | None = None) -> tuple[int, str] | None:
    """(1-based position, character) of the first character outside the alphabet."""
    stop = len(text) if end is None else end
    for i in range(start, stop):
        if text[i] not in alphabet:
            return i + 1, text[i]
    return None
