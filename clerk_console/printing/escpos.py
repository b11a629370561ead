"""The 80 mm thermal receipt as an ESC/POS byte stream.

Chinese text is sent in the printer's Chinese mode (``FS &``) as GB18030 bytes encoded here:
python-escpos would route punctuation-only or Ext-A text through code pages and print ``?``.
The QR code and the cut come from python-escpos (the printer's native ``GS ( k`` QR).
"""
from __future__ import annotations

from escpos.printer import Dummy

from . import glyphs
from .documents import Document
from .text import layout

COLUMNS = 48  # Font A (12x24 dots) on 576 printable dots
INIT = b"\x1b@"  # ESC @
CHINESE_MODE = b"\x1c&"  # FS &
ALIGN_LEFT, ALIGN_CENTER = b"\x1ba\x00", b"\x1ba\x01"  # ESC a n
BOLD_ON, BOLD_OFF = b"\x1bE\x01", b"\x1bE\x00"  # ESC E n
DOUBLE_SIZE, NORMAL_SIZE = b"\x1d!\x11", b"\x1d!\x00"  # GS ! n: applies to Chinese too
QR_MODULE_SIZE = 6


def encode(text: str) -> bytes:
    return text.encode("gb18030")


def _qr(payload: str) -> bytes:
    printer = Dummy()
    printer.qr(payload, native=True, size=QR_MODULE_SIZE)
    return printer.output


def _cut() -> bytes:
    printer = Dummy()
    printer.cut()
    return printer.output


def render(doc: Document, covers: glyphs.Covers = glyphs.gbk_covers) -> bytes:
    """One receipt: init, Chinese mode, bold double-size title, text, native QR, cut.

    Thermal printers' built-in fonts cover GBK only: rare characters go in their safe form.
    """
    fitted = doc.printable(covers)
    out = bytearray(INIT + CHINESE_MODE)
    for line in layout(fitted, COLUMNS):
        if line.style == "title":
            out += ALIGN_CENTER + BOLD_ON + DOUBLE_SIZE + encode(line.text) + b"\n"
            out += NORMAL_SIZE + BOLD_OFF + ALIGN_LEFT
        elif line.style == "center":
            out += ALIGN_CENTER + encode(line.text) + b"\n" + ALIGN_LEFT
        elif line.style == "qr":
            out += ALIGN_CENTER + _qr(line.text) + b"\n" + ALIGN_LEFT
        else:
            out += encode(line.text) + b"\n"
    out += _cut()
    return bytes(out)
