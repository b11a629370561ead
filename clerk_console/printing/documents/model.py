"""A printed document as plain data: what the PDF, ESC/POS and text renderers all read."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .. import glyphs


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str = ""
    fields: tuple[Field, ...] = ()
    table: Table | None = None
    paragraphs: tuple[str, ...] = ()
    small: bool = False  # reference text (legal basis, fees) in a smaller type


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    title: str
    case_no: str  # for the handover report: window-day
    hall: str
    sections: tuple[Section, ...]
    signatures: tuple[str, ...] = ()
    seals: tuple[str, ...] = ()  # the issuing bodies' seal lines (行政许可法 art. 32(5)); () = no seal
    issued: str = ""  # the date printed under the seals (the day of the decision)
    qr_payload: str = ""
    footer: str = ""
    warnings: tuple[str, ...] = ()  # for the clerk, never printed
    copy_labels: tuple[str, ...] = ()  # A4: one copy per label (一式两份), else one copy
    reprint: str = ""  # "补打（日期）" on a reprint, beside the number

    @property
    def seal_box(self) -> bool:
        return bool(self.seals)

    @property
    def file_stem(self) -> str:
        return f"{self.case_no}-{self.kind}"

    def strings(self) -> list[str]:
        """Every printed string, in reading order."""
        out = [self.hall, self.title, *self.copy_labels, self.reprint]
        for s in self.sections:
            out.append(s.heading)
            for f in s.fields:
                out += [f.label, f.value]
            if s.table:
                out += list(s.table.headers)
                for row in s.table.rows:
                    out += list(row)
            out += list(s.paragraphs)
        return out + list(self.signatures) + list(self.seals) + [self.issued, self.footer]

    def printable(self, covers: glyphs.Covers = glyphs.gbk_covers) -> "Document":
        """This document with every character the font lacks in its safe form, and a warning."""
        missing = list(dict.fromkeys(ch for s in self.strings() for ch in glyphs.uncovered(s, covers)))
        if not missing:
            return self

        def fix(text: str) -> str:
            return glyphs.safe_form(text, covers)

        sections = tuple(
            Section(fix(s.heading), tuple(Field(fix(f.label), fix(f.value)) for f in s.fields),
                    Table(tuple(map(fix, s.table.headers)),
                          tuple(tuple(map(fix, r)) for r in s.table.rows)) if s.table else None,
                    tuple(map(fix, s.paragraphs)), s.small)
            for s in self.sections)
        return replace(self, title=fix(self.title), hall=fix(self.hall), sections=sections,
                       copy_labels=tuple(map(fix, self.copy_labels)), reprint=fix(self.reprint),
                       signatures=tuple(map(fix, self.signatures)), seals=tuple(map(fix, self.seals)),
                       footer=fix(self.footer),
                       warnings=self.warnings + (glyphs.warning(missing),))
