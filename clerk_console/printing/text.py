"""Plain-text layout of a Document: the console preview (80 columns) and the lines of the
80 mm thermal receipt (48 columns). CJK characters are two cells wide (rich.cells)."""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

from . import glyphs, linebreak
from .documents import Document

PREVIEW_WIDTH = 80


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    style: str = "body"  # body | center | title (double size) | rule | qr | blank


def wrap_cells(text: str, width: int, indent: str = "") -> list[str]:
    """Break ``text`` into lines of at most ``width`` cells (``linebreak``: never inside a
    code, a number or a date, nor before closing punctuation); continuation lines get
    ``indent``."""
    return linebreak.break_lines(text, width, cell_len, indent)


def center(text: str, width: int) -> str:
    return " " * max(0, (width - cell_len(text)) // 2) + text


def layout(doc: Document, width: int) -> list[Line]:
    """The document as lines of at most ``width`` cells (title lines: ``width // 2``)."""
    lines = [Line(t, "center") for t in wrap_cells(doc.hall, width)]
    lines += [Line(t, "title") for t in wrap_cells(doc.title, width // 2)]
    lines += [Line(f"编号：{doc.case_no}" + (f" {doc.reprint}" if doc.reprint else ""), "center"),
              Line("-" * width, "rule")]
    for s in doc.sections:
        if s.heading:
            lines.append(Line(f"【{s.heading}】"))
        for f in s.fields:
            lines += [Line(t) for t in wrap_cells(f"{f.label}：{f.value}", width, "    ")]
        if s.table is not None:
            rows = s.table.rows or (("（无）",),)
            for row in rows:
                cells = [c for c in row if c]
                lines += [Line(t) for t in wrap_cells("· " + " ｜ ".join(cells), width, "  ")]
        for p in s.paragraphs:
            lines += [Line(t) for t in wrap_cells("  " + p, width)]
        lines.append(Line("", "blank"))
    for sig in doc.signatures:
        lines += [Line(t) for t in wrap_cells(f"{sig}：__________  ____年__月__日", width, "    ")]
    if doc.seal_box:
        lines.append(Line("", "blank"))
        for seal in (*doc.seals, doc.issued):
            lines += [Line(t, "center") for t in wrap_cells(seal, width)]
        lines.append(Line("", "blank"))
    if doc.qr_payload:
        lines.append(Line(doc.qr_payload, "qr"))
    if doc.footer:
        lines += [Line(t) for t in wrap_cells(doc.footer, width)]
    return lines


def render(doc: Document, *, width: int = PREVIEW_WIDTH,
           covers: glyphs.Covers | None = glyphs.gbk_covers) -> str:
    """The console preview: what will be printed (rare characters in their safe form, unless
    ``covers`` is None), with the clerk's warnings first."""
    fitted = doc.printable(covers) if covers else doc
    out = [f"！{line}" for w in fitted.warnings for line in wrap_cells(w, width - 2)]
    for line in layout(fitted, width):
        if line.style in ("center", "title"):
            out.append(center(line.text, width))
        elif line.style == "qr":
            out.append(center(f"[二维码：{line.text}]", width))
        else:
            out.append(line.text)
    return "\n".join(out) + "\n"
