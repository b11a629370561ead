"""``build``: one registered document kind for one case."""
from __future__ import annotations

from datetime import date, datetime

from clerk_console.config import Settings
from clerk_console.domain.case import Case, Outcome
from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.parties import Applicant
from clerk_console.domain.review import ItemDecision, MergedLicence

from ..templates import Templates, load_templates
from .facts import basis_section, date_text, deadline_notes, facts, seal_lines
from .model import Document, Section
from .registry import KINDS, ordered


def build(kind: str, *, case: Case, catalogue: Catalogue, applicant: Applicant | None,
          window: object, clerk_name: str, settings: Settings, calendar_note: str | None = None,
          now: datetime, deadline_days: int | None = None,
          templates: Templates | None = None, estimated_years: tuple[int, ...] = (),
          voided_on: date | None = None, reprint_on: date | None = None,
          progress_url: str = "", decision: ItemDecision | None = None,
          merged: MergedLicence | None = None) -> Document:
    """The document ``kind`` (one of CASE_KINDS) for ``case``.

    ``window`` is the window's label or a WindowInfo; ``calendar_note`` replaces the default
    note printed when the deadline lies in a year whose holidays are not yet published;
    ``deadline_days`` (working days granted) is printed beside the deadline when known;
    ``estimated_years``: years of the printed dates whose holidays are estimated (every such
    paper carries the 推算 note); ``voided_on``: the day a voided case was voided;
    ``reprint_on``: this is a reprint (补打), made that day; ``progress_url``: what the QR
    encodes, the applicant's progress page (else the case number, before enrollment);
    ``decision``/``merged``: the item decision or the 行业综合许可证 a 出件 paper prints (give
    the case with that item only: its department's seal and legal basis print).
    """
    spec = KINDS.get(kind)
    if spec is None:
        names = "、".join(k.name for k in ordered())
        raise ValueError(f"未知的文书种类“{kind}”，可选：{names}")
    t = templates or load_templates()
    f = facts(reception=spec.reception, case=case, catalogue=catalogue, applicant=applicant,
              window=window, clerk_name=clerk_name, settings=settings, now=now,
              deadline_days=deadline_days, templates=t, calendar_note=calendar_note,
              estimated_years=estimated_years,
              voided_on=voided_on if spec.dated_by_void else None,
              promised_label=spec.promised_label, decision=decision, merged=merged)
    body = spec.body(f)
    notes = deadline_notes(f)
    if notes and not any(n in s.paragraphs for s in body for n in notes):
        body.append(Section("", paragraphs=notes))  # every paper printing an estimated date
    basis = basis_section(f, commitment=spec.outcomes == (Outcome.APPROVED_ON_COMMITMENT,),
                          supply=case.deadline is not None and spec.supply_rule)
    sections = tuple(body) if spec.own_header else (f.header, f.items_section, basis, *body)
    return Document(kind=kind, title=f.fill(kind, "title"), case_no=case.case_no,
                    hall=settings.hall_name, sections=sections,
                    signatures=f.fill_all(kind, "signatures"),
                    seals=seal_lines(f, settings.hall_name) if spec.seal else (),
                    issued=date_text(f.issued_on) if spec.seal else "",
                    qr_payload=progress_url or case.case_no,
                    footer=f.fill("common", "footer"), warnings=t.warnings,
                    copy_labels=f.fill_all(kind, "copy_labels")
                    if "copy_labels" in t.texts[kind] else (),
                    reprint=f"补打（{date_text(reprint_on)}）" if reprint_on else "")
