"""Characters a printer font may not have, and a safe printable form of a text. Pure.

The CID font ``STSong-Light`` and the fonts inside thermal printers cover GBK: rare
characters in names (生僻字 in CJK Ext-A/B, beyond the BMP) come out garbled or as ``?``.
Such characters are replaced by their code point in brackets, ``[U+20BB7]``, and the clerk
is warned, unless a configured embedded font really has them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

Covers = Callable[[str], bool]


def gbk_covers(ch: str) -> bool:
    """True when the built-in CID font and thermal printers can print ``ch``."""
    if ch.isascii():
        return ch.isprintable() or ch in "\n\t"
    if ord(ch) > 0xFFFF:
        return False
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def font_covers(codepoints: Iterable[int]) -> Covers:
    """Coverage of an embedded font, given the code points of its character map."""
    have = frozenset(codepoints)
    return lambda ch: ch in "\n\t" or ord(ch) in have


def uncovered(text: str, covers: Covers = gbk_covers) -> list[str]:
    """The distinct characters of ``text`` the font cannot print, in order of appearance."""
    return list(dict.fromkeys(ch for ch in text if not covers(ch)))


def code_point(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def safe_form(text: str, covers: Covers = gbk_covers) -> str:
    """``text`` with every character the font lacks written as its code point."""
    return "".join(ch if covers(ch) else code_point(ch) for ch in text)


def warning(chars: Iterable[str]) -> str:
    """The clerk's warning for characters printed in their safe form ("" when none)."""
    shown = "、".join(f"“{ch}”{code_point(ch)}" for ch in chars)
    if not shown:
        return ""
    return (f"注意：{shown} 是生僻字，打印字体不支持，已印作方括号中的编码。"
            "请在纸面上手写补正并请申请人核对；如需直接打印，请在设置中配置含该字的字体（cjk_font）。")
