"""A4 PDF of one or more Documents with reportlab (imported only when a PDF is made).

The Chinese font is embedded (a subset: only the glyphs used), so the PDF looks the same and
prints on a PC without Chinese fonts: ``settings.cjk_font`` or a free/system TrueType font found
by ``fonts.py``, with a second font for CJK Ext-B when the first lacks it. Only when none is
found does the non-embedded CID font ``STSong-Light`` stand in (the viewer must supply the
glyphs), with a warning. Characters no chosen font has (生僻字) are printed in their safe form
and the clerk is warned.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)
from reportlab.platypus.paragraph import cleanBlockQuotedText

from clerk_console.config import Settings

from . import fonts, glyphs, linebreak
from .documents import Document, Section

CID_FONT = "STSong-Light"
EMBEDDED_FONT = "ClerkCJK"
QR_SIZE = 22 * mm
SEAL_SIZE = 42 * mm  # an office's round seal (公章) is 40–45 mm across
SEAL_ROOM = 6 * mm  # above a seal line (the seal also covers the blank right of the signatures)
SEAL_CELL = 70 * mm  # one body: its seal line at the right
SEALS_PER_ROW = 4
SIGN_HEIGHT = 9 * mm


NO_FONT_WARNING = ("未找到可嵌入的中文字体，本次使用不嵌入的内置宋体：没有中文字体的电脑上可能无法显示或打印。"
                   "请安装文泉驿字体（fonts-wqy-microhei），或在设置 cjk_font 中指定 TTF/TTC 字体文件。")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Font:
    name: str
    covers: glyphs.Covers
    warning: str = ""  # why no configured/embedded font could be used
    path: str = ""  # the embedded font's file ("" for the CID font)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    warnings: tuple[str, ...]


class ExtBFallback:
    """The second font for characters beyond the BMP the first one lacks, loaded (slow: a
    full CJK font) only when a document first needs such a character."""

    def __init__(self) -> None:
        self._font: Font | None | bool = False  # False: not looked for yet

    def font(self) -> Font | None:
        if self._font is False:
            self._font = next((f for f in map(_load, fonts.candidates(ext_b=True)) if f), None)
        return self._font or None


_EXT_B = ExtBFallback()
_FALLBACK_OF: dict[str, glyphs.Covers] = {}  # embedded font name -> its own coverage


def _load(path) -> Font | None:
    """An embedded TrueType font registered with reportlab, or None if it cannot be used."""
    name = f"{EMBEDDED_FONT}{abs(hash(str(path))) % 10**8}"
    if name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
    else:
        try:
            font = TTFont(name, str(path), subfontIndex=0)
        except Exception as exc:  # TTFError (e.g. CFF outlines), OSError and others
            log.info("font %s not usable: %s", path, exc)
            return None
        pdfmetrics.registerFont(font)
    return Font(name, glyphs.font_covers(font.face.charToGlyph), path=str(path))


def _with_ext_b(font: Font) -> Font:
    """``font`` whose coverage includes the Ext-B fallback's characters beyond the BMP."""
    own = font.covers
    _FALLBACK_OF[font.name] = own

    def covers(ch: str) -> bool:
        if own(ch):
            return True
        if ord(ch) <= 0xFFFF:
            return False
        ext = _EXT_B.font()
        return ext is not None and ext.covers(ch)

    return Font(font.name, covers, font.warning, font.path)


def forget_fonts() -> None:
    """Look for fonts again (after the font folders or the settings changed)."""
    global _EXT_B
    pick_font.cache_clear()
    fonts.clear_cache()
    _EXT_B = ExtBFallback()


@lru_cache(maxsize=4)
def pick_font(cjk_font: str = "") -> Font:
    """The configured font, else the first embeddable one found, else the CID font (warned)."""
    warning = ""
    if cjk_font:
        font = _load(cjk_font)
        if font is not None:
            return _with_ext_b(font)
        warning = f"字体文件 {cjk_font} 无法使用（不是 TrueType 字体或已损坏），"
    font = next((f for f in map(_load, fonts.candidates()) if f), None)
    if font is not None:
        if warning:
            warning += f"已改用 {font.path}。"
        return _with_ext_b(Font(font.name, font.covers, warning, font.path))
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    warning = (warning + "已改用内置宋体；生僻字将以编码代替。") if warning else NO_FONT_WARNING
    log.warning("notice font: %s", warning)
    return Font(CID_FONT, glyphs.gbk_covers, warning)


@lru_cache(maxsize=4)
def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=14.5, wordWrap="CJK")
    return {
        "body": base,
        "hall": ParagraphStyle("hall", base, fontSize=11, alignment=TA_CENTER),
        "title": ParagraphStyle("title", base, fontSize=18, leading=25, alignment=TA_CENTER,
                                spaceBefore=1, spaceAfter=1),
        "no": ParagraphStyle("no", base, fontSize=9, leading=13, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", base, fontSize=11, leading=15, spaceBefore=4,
                                  spaceAfter=2),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=11.5),
        "label": ParagraphStyle("label", base, fontSize=9, leading=11.5, textColor=colors.HexColor("#333333")),
        "seal": ParagraphStyle("seal", base, fontSize=9.5, leading=12.5, alignment=TA_CENTER),
        "small": ParagraphStyle("small", base, fontSize=8.5, leading=11.5),
        "footer": ParagraphStyle("footer", base, fontSize=8.5, leading=12,
                                 textColor=colors.HexColor("#555555")),
    }


def _markup(text: str, style: ParagraphStyle) -> str:
    own = _FALLBACK_OF.get(style.fontName)
    if own is None or all(own(ch) for ch in text):
        return escape(text).replace("\n", "<br/>")
    ext = _EXT_B.font()
    marked = "".join(f'<font name="{ext.name}">{escape(ch)}</font>'
                     if ext is not None and not own(ch) and ext.covers(ch) else escape(ch)
                     for ch in text)
    return marked.replace("\n", "<br/>")


def _measure(style: ParagraphStyle):
    """The printed width of a string in ``style`` (characters from the Ext-B font: 1 em)."""
    font, size = style.fontName, style.fontSize
    own = _FALLBACK_OF.get(font)

    def width(text: str) -> float:
        if own is None or all(own(ch) for ch in text):
            return pdfmetrics.stringWidth(text, font, size)
        return sum(pdfmetrics.stringWidth(ch, font, size) if own(ch) else size for ch in text)

    return width


class Lines(Paragraph):
    """A paragraph broken by ``linebreak`` (codes, numbers and dates never split) for the
    width it is laid out in; reportlab's own CJK breaking then has nothing left to break."""

    def __init__(self, text, style=None, bulletText=None, frags=None, **kw):
        self._plain = text if frags is None else None  # None: a piece of a page split
        self._broken_for: float | None = None
        super().__init__(_markup(text, style) if frags is None else text, style,
                         bulletText, frags, **kw)

    def wrap(self, availWidth, availHeight):
        if self._plain is not None and availWidth != self._broken_for:
            self._broken_for = availWidth
            lines = linebreak.break_lines(self._plain, availWidth - 0.5, _measure(self.style))
            self._setup(_markup("\n".join(lines), self.style), self.style, self.bulletText,
                        None, cleanBlockQuotedText)
        return super().wrap(availWidth, availHeight)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Lines(text, style)


def qr_widget(payload: str) -> QrCodeWidget:
    """reportlab's standard (not Micro) QR code, error correction level M."""
    return QrCodeWidget(payload, barLevel="M")


@lru_cache(maxsize=8)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules (True = dark), encoded once per payload (a case's copies share it;
    a few cases are kept, not a day's worth: ~10 KB each)."""
    qr = qr_widget(payload).qr
    qr.make()
    return tuple(tuple(bool(cell) for cell in row) for row in qr.modules)


class QrFlowable(Flowable):
    """The QR symbol drawn as runs of dark modules with a 4-module quiet zone (drawing the
    widget itself costs one shape per module, twice: most of a notice's render time)."""

    def __init__(self, payload: str, size: float):
        super().__init__()
        self.matrix = qr_matrix(payload)
        self.width = self.height = size

    def draw(self) -> None:
        n = len(self.matrix)
        unit = self.width / (n + 8)
        c = self.canv
        c.setFillColor(colors.black)
        for r, row in enumerate(self.matrix):
            y = self.height - (r + 5) * unit
            col = 0
            while col < n:
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < n and row[col]:
                    col += 1
                c.rect((start + 4) * unit, y, (col - start) * unit, unit, stroke=0, fill=1)


PAD = 4  # points left and right in a table cell
GRID = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#444444")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
LABEL_WIDTH = 24 * mm


def _section(section: Section, st: dict[str, ParagraphStyle], width: float) -> list:
    out: list = []
    if section.heading:
        out.append(_p(section.heading, st["heading"]))
    if section.fields:
        cells = [[_p(f.label, st["label"]), _p(f.value, st["cell"])] for f in section.fields]
        if len(cells) > 1:  # two label/value pairs a row
            rows = [a + b for a, b in zip(cells[::2], cells[1::2] + [[_p("", st["cell"])] * 2])]
            widths = [LABEL_WIDTH, width / 2 - LABEL_WIDTH] * 2
        else:
            rows, widths = cells, [LABEL_WIDTH, width - LABEL_WIDTH]
        t = Table(rows, colWidths=widths)
        t.setStyle(TableStyle(GRID + [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2"))]
                              + ([("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#F2F2F2"))]
                                 if len(widths) == 4 else [])))
        out += [t, Spacer(1, 3)]
    if section.table is not None:
        headers = section.table.headers
        texts = [list(r) for r in section.table.rows] or [["（无）"] + [""] * (len(headers) - 1)]
        columns = [[h] + [r[i] for r in texts] for i, h in enumerate(headers)]
        widths = linebreak.column_widths(columns, width, _measure(st["cell"]), 2 * PAD + 1)
        head = [_p(h, st["label"]) for h in headers]
        body = [[_p(c, st["cell"]) for c in row] for row in texts]
        t = Table([head] + body, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle(GRID + [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2"))]))
        out += [t, Spacer(1, 3)]
    for text in section.paragraphs:
        out += [_p(text, st["small" if section.small else "body"]), Spacer(1, 2)]
    return out


def _signatures(doc: Document, st: dict[str, ParagraphStyle], width: float) -> list:
    """Signature lines two a row, then the seal lines: each body's name with room above it
    for its seal, which is pressed over the name and the date (GB/T 9704-2012 7.3.5.1); up to
    four bodies a row, each cell wider than a 42 mm seal so the seals do not touch."""
    out: list = [Spacer(1, 2)]
    sigs = [_p(f"{s}：______________　____年__月__日", st["body"]) for s in doc.signatures]
    if sigs:
        rows = [sigs[i:i + 2] + [_p("", st["body"])] * (2 - len(sigs[i:i + 2]))
                for i in range(0, len(sigs), 2)]
        t = Table(rows, colWidths=[width / 2] * 2, rowHeights=[SIGN_HEIGHT] * len(rows))
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        out.append(t)
    if not doc.seal_box:
        return out
    per_row = min(len(doc.seals), SEALS_PER_ROW)
    cell = max(width / SEALS_PER_ROW, SEAL_SIZE + 2 * mm) if per_row > 1 else SEAL_CELL
    # several in a row: the body's name, then the seal's kind on a line of its own
    cells = [[Spacer(1, SEAL_ROOM), _p(_seal_kind_apart(line) if per_row > 1 else line,
                                       st["seal"])] for line in doc.seals]
    cells[-1].append(_p(doc.issued, st["seal"]))
    rows = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] = [""] * (per_row - len(rows[-1])) + rows[-1]  # the last row ends at the right
    seals = Table(rows, colWidths=[cell] * per_row, hAlign="RIGHT")
    seals.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 1),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 1)]))
    return out + [seals]


def _seal_kind_apart(line: str) -> str:
    """``烟台市城市管理局（综合行政执法局）（行政审批专用章）`` with the seal's kind, the last
    bracket, on a line of its own."""
    name, sep, kind = line.rpartition("（")
    return f"{name}\n{sep}{kind}" if name else line


def _story(doc: Document, font: str, width: float, copy_label: str = "") -> list:
    st = _styles(font)
    number = f"编号：{doc.case_no}" + (f"　（{copy_label}）" if copy_label else "") + (
        f"　{doc.reprint}" if doc.reprint else "")
    title = [_p(doc.hall, st["hall"]), _p(doc.title, st["title"]), _p(number, st["no"])]
    if doc.qr_payload:
        head = Table([[title, QrFlowable(doc.qr_payload, QR_SIZE)]], colWidths=[width - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                  ("LEFTPADDING", (0, 0), (0, 0), QR_SIZE + 4 * mm)]))
        story: list = [head]
    else:
        story = list(title)
    story.append(Spacer(1, 4))
    for section in doc.sections:
        story += _section(section, st, width)
    # the signatures never stand alone on a page: the closing paragraph goes with them
    tail = story[-2:] if len(story) > 2 and isinstance(story[-2], Lines) else []
    del story[len(story) - len(tail):]
    end = tail + _signatures(doc, st, width)
    if doc.footer:
        end += [Spacer(1, 3), _p(doc.footer, st["footer"])]
    return story + [KeepTogether(end)]


def render(docs: list[Document] | Document, settings: Settings | None = None) -> RenderedPdf:
    """One PDF, each document starting on a new page; warnings for the clerk beside it."""
    docs = [docs] if isinstance(docs, Document) else list(docs)
    font = pick_font(settings.cjk_font if settings else "")
    warnings = [font.warning] if font.warning else []
    buf = io.BytesIO()
    title = docs[0].title if docs else ""
    template = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=title,
                                 author=docs[0].hall if docs else "", invariant=1)
    story: list = []
    for doc in docs:
        fitted = doc.printable(font.covers)
        warnings += [w for w in fitted.warnings if w not in warnings]
        for label in fitted.copy_labels or ("",):
            if story:
                story.append(PageBreak())
            story += _story(fitted, font.name, template.width, label)
    template.build(story)
    return RenderedPdf(buf.getvalue(), tuple(warnings))
