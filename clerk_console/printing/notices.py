"""The documents of a saved case, gathered from the window's replica: used by the console
to print after intake and by ``clerk-console notice`` to reprint."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from clerk_console.config import Settings
from clerk_console.domain.case import Case, MaterialState, Status
from clerk_console.domain.review import Verdict, is_merged_licence_item
from clerk_console.services.progress import qr_url, with_token

from .documents import (CASE_KINDS, DELIVERY, KINDS, Document, build, handover_report,
                        kinds_for)
from .documents.registry import kind_for_result
from .templates import load_templates


def case_documents(replica, case: Case, *, settings: Settings, home: Path, now: datetime,
                   kinds: list[str] | None = None, reprint: bool = False) -> list[Document]:
    """Every document ``case`` calls for (or ``kinds``), built from the replica's data;
    ``reprint``: marked 补打 with today's date.

    ``replica`` provides ``catalogue()``, ``find_applicant(id)``, ``window()``,
    ``calendar()``, ``get_clerk(id)`` and ``audit_entries(case_no)``
    (clerk_console.storage.replica.Replica).
    """
    kinds = list(kinds or kinds_for(case))
    unknown = [k for k in kinds if k not in CASE_KINDS]
    if unknown:
        raise ValueError(f"未知的文书种类“{'、'.join(unknown)}”，可选：{'、'.join(CASE_KINDS)}")
    case = with_token(replica, case, now=now)
    common = _common(replica, case, settings=settings, home=home, now=now, reprint=reprint)
    at_intake = _as_at_intake(replica, case)
    return [build(kind, **{**common, "case": at_intake if case.outcome in KINDS[kind].outcomes
                          else case}) for kind in kinds]


def result_documents(replica, case: Case, *, settings: Settings, home: Path, now: datetime,
                     handed_out: bool = False, reprint: bool = False) -> list[Document]:
    """The papers of the back office's results (出件): the 行业综合许可证 first, then per item
    in the case's order its 准予许可决定书, 不予许可决定书 or 补正 一次性告知书 (each with that
    item's department, legal basis and seal); ``handed_out``: then the 出件回执. Before the
    case is ready only the 补正 notices print. ``reprint``: marked 补打 with today's date."""
    from clerk_console.services.returns import results as case_results

    case = with_token(replica, case, now=now)
    found = case_results(replica, case)
    common = _common(replica, case, settings=settings, home=home, now=now, reprint=reprint)
    catalogue = common["catalogue"]
    issuing = [r.code for r in found.items if r.code in catalogue.items
               and is_merged_licence_item(catalogue.items[r.code])]
    docs: list[Document] = []
    if found.merged is not None and found.final:
        kind = kind_for_result("merged")
        if kind is not None:
            docs.append(build(kind.name, **{**common, "case": replace(
                case, items=tuple(issuing) or case.items)}, merged=found.merged))
    for r in found.items:
        if r.decision is None or (not found.final and r.verdict is not Verdict.CORRECT):
            continue
        if found.merged is not None and r.code in issuing and r.verdict is Verdict.APPROVE:
            continue  # its paper is the 行业综合许可证 itself
        kind = kind_for_result(r.decision.verdict.value)
        if kind is not None:
            docs.append(build(kind.name, **{**common, "case": replace(case, items=(r.code,))},
                              decision=r.decision))
    if handed_out and case.status is Status.DELIVERED:
        docs.append(build(DELIVERY, **common))
    return docs


def _common(replica, case: Case, *, settings: Settings, home: Path, now: datetime,
            reprint: bool) -> dict:
    """The arguments of ``build`` every paper of ``case`` shares."""
    clerk = replica.get_clerk(case.clerk_id)
    deadline_days = None
    if case.deadline:
        start = (case.accepted_at or case.created_at).date()
        deadline_days = replica.calendar().workdays_between(start, case.deadline) or None
    cal = replica.calendar()
    printed = [d for d in (case.deadline, case.promised_date) if d]
    estimated = tuple(sorted({d.year for d in printed if cal.is_estimated(d.year)}))
    templates = load_templates(home / "templates")
    return dict(case=case, catalogue=replica.catalogue(), estimated_years=estimated,
                voided_on=_voided_on(replica, case), reprint_on=now.date() if reprint else None,
                applicant=replica.find_applicant(case.applicant_id),
                window=replica.window() or case.window_code,
                clerk_name=clerk.name if clerk else "", settings=settings, now=now,
                deadline_days=deadline_days, templates=templates,
                progress_url=qr_url(replica, case, settings.progress_url))


def _as_at_intake(replica, case: Case) -> Case:
    """``case`` as its intake decided it: a deferral supplied since (or an approval on
    commitment that owed a material) reprints its original list of what was owed — the
    intake's audit entry holds it — not the materials as they are now."""
    entries = [e for e in replica.audit_entries(case.case_no)
               if e.action == f"intake.{case.outcome.value if case.outcome else ''}"]
    owed = set(entries[-1].detail.get("owed", ())) if entries else set()
    if case.original_promised != case.promised_date:  # the date it gave, before 延期
        case = replace(case, promised_date=case.original_promised)
    if not owed or {m.code for m in case.owed} >= owed:
        return case
    return replace(case, materials=tuple(
        replace(m, state=MaterialState.MISSING) if m.code in owed and m.state.satisfied else m
        for m in case.materials))


def _voided_on(replica, case: Case) -> date | None:
    """The day the case was voided (its audit entry), for the termination notice."""
    if case.status is not Status.VOIDED:
        return None
    voids = [e.at for e in replica.audit_entries(case.case_no) if e.action == "case.void"]
    return max(voids).date() if voids else None


def handover_document(replica, day: date, *, settings: Settings, home: Path, now: datetime,
                      clerk_name: str = "") -> Document:
    """The window's daily handover report over every case created on ``day``."""
    cases: list[Case] = []
    while True:
        page = replica.list_cases(day=day, limit=500, offset=len(cases))
        cases += page
        if len(page) < 500:
            break
    from clerk_console.services.stats import overdue_followups

    return handover_report(cases, catalogue=replica.catalogue(),
                           window=replica.window() or (cases[0].window_code if cases else ""),
                           clerk_name=clerk_name, settings=settings, day=day, now=now,
                           templates=load_templates(home / "templates"),
                           overdue_followups=overdue_followups(replica, day))
