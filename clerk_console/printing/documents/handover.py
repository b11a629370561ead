"""交接班报告: the window's daily handover report (not a case document)."""
from __future__ import annotations

from datetime import date, datetime

from clerk_console.config import Settings
from clerk_console.domain.case import Case, Status
from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.followup import Followup
from clerk_console.domain.parties import mask_party_name

from ..context import NoticeContext
from ..templates import Templates, load_templates
from .facts import case_items, day_text, item_name, time_text, window_label
from .model import Document, Field, Section, Table

HANDOVER = "handover"


def handover_report(cases: list[Case], *, catalogue: Catalogue, window: object, clerk_name: str,
                    settings: Settings, day: date, now: datetime,
                    templates: Templates | None = None,
                    overdue_followups: tuple[tuple[Followup, int], ...] = ()) -> Document:
    """The window's daily handover report over ``cases`` (the cases of ``day``), with the
    差评 steps overdue on ``day`` (follow-up, working days late) for the next shift."""
    t = templates or load_templates()
    code = getattr(window, "code", "") or (cases[0].window_code if cases else "")
    win = window_label(window, code)
    ctx = NoticeContext(hall=settings.hall_name, hotline=settings.hotline, window=win,
                        day=day_text(day)).as_dict()
    counts: dict[str, int] = {}
    for c in cases:
        counts[c.status.label] = counts.get(c.status.label, 0) + 1
    summary = [Field("办件总数", str(len(cases)))]
    summary += [Field(label, str(n)) for label, n in sorted(counts.items())]
    due = [c for c in cases if c.status is Status.DEFERRED and c.deadline]
    summary.append(Field("容缺待补（须跟踪补交）", str(len(due))))
    summary.append(Field("逾期差评回访（须跟踪办理）", str(len(overdue_followups))))
    late = tuple((f.case_no, f.step.label, day_text(f.due), f"{n}个工作日")
                 for f, n in overdue_followups)
    rows = []
    for c in sorted(cases, key=lambda c: c.case_no):
        names = "、".join(item_name(i) for i in case_items(c, catalogue))
        at = c.accepted_at or c.created_at
        rows.append((c.case_no, f"{at:%H:%M}" if at else "",
                     mask_party_name(c.applicant_name, c.applicant_kind), names,
                     c.status.label, day_text(c.deadline) if c.deadline else ""))
    clerk = clerk_name or ""
    head = (Field("窗口", win), Field("日期", day_text(day)), Field("交班人", clerk),
            Field("制表时间", time_text(now)))
    sections = (Section("", fields=head),
                Section("", paragraphs=(t.fill(HANDOVER, "intro", ctx),)),
                Section("汇总", fields=tuple(summary)),
                Section("办件明细", table=Table(("办件编号", "时间", "申请人", "事项", "状态", "补交期限"),
                                             tuple(rows))),
                *((Section("逾期差评回访", table=Table(("办件编号", "当前步骤", "步骤期限", "已逾期"),
                                                  late)),) if late else ()),
                Section("", paragraphs=(t.fill(HANDOVER, "closing", ctx),)))
    stem = f"{code or 'window'}-{day:%Y%m%d}"
    return Document(kind=HANDOVER, title=t.fill(HANDOVER, "title", ctx), case_no=stem,
                    hall=settings.hall_name, sections=sections,
                    signatures=t.fill_all(HANDOVER, "signatures", ctx),
                    qr_payload="", footer="", warnings=t.warnings)
