"""What the applicant takes home, as plain data. Pure: no I/O beyond the cached wording
templates, no reportlab.

``build`` turns a case into a ``Document``; the PDF, ESC/POS and text renderers all read the
same ``Document``, so every field is decided once, here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from clerk_console.config import Settings
from clerk_console.domain.case import Case, CaseMaterial, MaterialState, Outcome, Status
from clerk_console.domain.catalogue import Catalogue, ChecklistLine, Department, Item
from clerk_console.domain.masking import mask_id
from clerk_console.domain.parties import (Applicant, ApplicantKind, mask_elicence_number,
                                          mask_party_name)

from . import glyphs
from .templates import Templates, load_templates

RECEIPT = "receipt"
DEFERRAL_NOTICE = "deferral_notice"
DEFERRAL_COMMITMENT = "deferral_commitment"
ONE_TIME_NOTICE = "one_time_notice"
COMMITMENT_APPROVAL = "commitment_approval"
SIGNPOST = "signpost"
DELIVERY = "delivery"
HANDOVER = "handover"
CASE_KINDS = (RECEIPT, DEFERRAL_NOTICE, DEFERRAL_COMMITMENT, ONE_TIME_NOTICE,
              COMMITMENT_APPROVAL, SIGNPOST, DELIVERY)
THERMAL_KINDS = frozenset({RECEIPT, SIGNPOST})  # fit an 80 mm receipt

_BY_OUTCOME = {
    Outcome.ACCEPTED: (RECEIPT,),
    Outcome.DEFERRED: (DEFERRAL_NOTICE, DEFERRAL_COMMITMENT),
    Outcome.APPROVED_ON_COMMITMENT: (COMMITMENT_APPROVAL,),
    Outcome.NOTIFIED: (ONE_TIME_NOTICE,),
    Outcome.SIGNPOSTED: (SIGNPOST,),
}
_WEEKDAYS = "一二三四五六日"
_ID_KIND_OF = {ApplicantKind.PERSON: "resident_id", ApplicantKind.ENTERPRISE: "uscc",
               ApplicantKind.PROJECT: "project_code"}


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


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    title: str
    case_no: str  # for the handover report: window-day
    hall: str
    sections: tuple[Section, ...]
    signatures: tuple[str, ...] = ()
    seal_label: str = ""  # "" = no seal box
    qr_payload: str = ""
    footer: str = ""
    warnings: tuple[str, ...] = ()  # for the clerk, never printed
    copy_labels: tuple[str, ...] = ()  # A4: one copy per label (一式两份), else one copy

    @property
    def seal_box(self) -> bool:
        return bool(self.seal_label)

    @property
    def file_stem(self) -> str:
        return f"{self.case_no}-{self.kind}"

    def strings(self) -> list[str]:
        """Every printed string, in reading order."""
        out = [self.hall, self.title, *self.copy_labels]
        for s in self.sections:
            out.append(s.heading)
            for f in s.fields:
                out += [f.label, f.value]
            if s.table:
                out += list(s.table.headers)
                for row in s.table.rows:
                    out += list(row)
            out += list(s.paragraphs)
        return out + list(self.signatures) + [self.seal_label, self.footer]

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
                    tuple(map(fix, s.paragraphs)))
            for s in self.sections)
        return replace(self, title=fix(self.title), hall=fix(self.hall), sections=sections,
                       copy_labels=tuple(map(fix, self.copy_labels)),
                       signatures=tuple(map(fix, self.signatures)), seal_label=fix(self.seal_label),
                       footer=fix(self.footer),
                       warnings=self.warnings + (glyphs.warning(missing),))


def kinds_for(case: Case) -> list[str]:
    """The documents a case's outcome calls for, in the order they are handed out."""
    kinds = list(_BY_OUTCOME.get(case.outcome, ())) if case.outcome else []
    if case.status is Status.COMPLETED and RECEIPT not in kinds:
        kinds.append(RECEIPT)
    if case.status is Status.DELIVERED:
        kinds.append(DELIVERY)
    return kinds


def day_text(d: date | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日（星期{_WEEKDAYS[d.weekday()]}）"


def time_text(t: datetime | None) -> str:
    if t is None:
        return ""
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def window_label(window: object, fallback_code: str = "") -> str:
    """``window`` is a label string or an object with ``name``/``code`` (WindowInfo)."""
    if isinstance(window, str) and window:
        return window
    name = getattr(window, "name", "") or ""
    code = getattr(window, "code", "") or fallback_code
    if name and code and code not in name:
        return f"{name}（{code}）"
    return name or (f"{code}窗口" if code else "综合受理窗口")


def _items(case: Case, catalogue: Catalogue) -> list[Item | str]:
    return [catalogue.items.get(code, code) for code in case.items]


def _item_name(item: Item | str) -> str:
    return item.name if isinstance(item, Item) else f"事项{item}（目录中已无此事项）"


def _requirement(line: ChecklistLine | None) -> str:
    if line is None:
        return ""
    parts = []
    if line.originals:
        parts.append(f"原件{line.originals}份")
    if line.copies:
        parts.append(f"复印件{line.copies}份")
    if line.material.form:
        parts.append(line.material.form)
    parts += list(line.notes)
    return "；".join(parts)


def state_label(m: CaseMaterial, case: Case) -> str:
    """Once intake is closed a material never looked at was simply not handed in."""
    if m.state is MaterialState.PENDING and case.status is not Status.DRAFT:
        return "未提交"
    return m.state.label


def _state_note(m: CaseMaterial, case: Case) -> str:
    if m.state is MaterialState.ELICENCE:
        number = mask_elicence_number(m.elicence_number, case.applicant_id,
                                      _ID_KIND_OF.get(case.applicant_kind, "resident_id"))
        return f"电子证照库调取 {number}".strip()
    if m.state is MaterialState.RECEIVED:
        return "原件已核" if m.original else "复印件"
    return m.reason


@dataclass(frozen=True)
class _Facts:
    """What every document of one case shares, computed once."""

    case: Case
    catalogue: Catalogue
    items: list[Item | str]
    checklist: dict[str, ChecklistLine]
    context: dict[str, str]
    header: Section
    items_section: Section


def _facts(kind: str, case: Case, catalogue: Catalogue, applicant: Applicant | None,
           window: object, clerk_name: str, settings: Settings, now: datetime,
           deadline_days: int | None) -> _Facts:
    items = _items(case, catalogue)
    known = [i.code for i in items if isinstance(i, Item)]
    checklist = {line.material.code: line for line in catalogue.checklist(known)}
    id_kind = applicant.id_kind if applicant else _ID_KIND_OF.get(case.applicant_kind, "resident_id")
    id_masked = mask_id(applicant.id_number if applicant else case.applicant_id, id_kind)
    name = applicant.name if applicant else case.applicant_name
    win = window_label(window, case.window_code)
    clerk = f"{clerk_name}（工号 {case.clerk_id}）" if clerk_name else f"工号 {case.clerk_id}"
    accepted = case.accepted_at or case.created_at or now
    deadline_text = day_text(case.deadline) + "前" if case.deadline else ""
    if case.deadline and deadline_days:
        deadline_text += f"（自受理之日起{deadline_days}个工作日内，节假日不计）"
    elif case.deadline:
        deadline_text += "（按工作日计算，节假日不计）"
    depts = _departments(case, catalogue, items)
    dept = depts[0] if depts else None
    context = {
        "hall": settings.hall_name, "hall_address": settings.hall_address,
        "hotline": settings.hotline, "window": win, "clerk": clerk, "case_no": case.case_no,
        "applicant": name, "id_masked": id_masked,
        "items": "、".join(f"“{_item_name(i)}”" for i in items),
        "accepted_at": time_text(accepted), "deadline_text": deadline_text,
        "deadline_year": str(case.deadline.year) if case.deadline else "",
        "promised_date": day_text(case.promised_date) or "（即办件，当场办结）",
        "owed_count": str(len(case.owed)),
        "department": dept.name if dept else "", "dept_address": dept.address if dept else "",
        "dept_phone": dept.phone if dept else "", "dept_hours": dept.hours if dept else "",
        "decision": case.decision.label if case.decision else "",
        "delivered_at": time_text(case.delivered_at or now), "day": day_text(accepted.date()),
    }
    fields = [Field("办件编号", case.case_no), Field("申请人", name),
              Field("证件号码", id_masked)]
    if applicant and applicant.phone:
        fields.append(Field("联系电话", applicant.phone))
    if case.agent_name:
        fields.append(Field("经办人", case.agent_name))
    verb = "接待" if kind in (SIGNPOST, ONE_TIME_NOTICE) else "受理"  # nothing accepted yet
    fields += [Field(f"{verb}地点", f"{settings.hall_name}　{win}"), Field(f"{verb}人", clerk),
               Field(f"{verb}时间", time_text(accepted))]
    if case.promised_date:
        fields.append(Field("承诺办结日期", day_text(case.promised_date)))
    rows = []
    for i in items:
        if isinstance(i, Item):
            d = catalogue.departments.get(i.dept)
            limit = f"{i.promised_days}个工作日" if i.promised_days else i.case_type.label
            rows.append((i.name, i.code, d.short_name if d else i.dept, limit))
        else:
            rows.append((_item_name(i), i, "", ""))
    items_section = Section("申请事项", table=Table(("事项名称", "事项编码", "办理部门", "承诺时限"),
                                                  tuple(rows)))
    return _Facts(case, catalogue, items, checklist, context,
                  Section("", fields=tuple(fields)), items_section)


def _departments(case: Case, catalogue: Catalogue, items: list[Item | str]) -> list[Department]:
    codes = [case.signpost_dept] if case.signpost_dept else []
    codes += [i.dept for i in items if isinstance(i, Item)]
    return [catalogue.departments[c] for c in dict.fromkeys(codes) if c in catalogue.departments]


def _materials_section(f: _Facts, heading: str = "申请材料") -> Section:
    rows = tuple((m.name, "主要" if m.main else "次要", state_label(m, f.case), _state_note(m, f.case))
                 for m in f.case.materials)
    return Section(heading, table=Table(("材料名称", "类别", "状态", "说明"), rows))


def _owed_section(f: _Facts, heading: str) -> Section:
    rows = tuple((m.name, state_label(m, f.case), _requirement(f.checklist.get(m.code)), m.reason)
                 for m in f.case.owed)
    return Section(heading, table=Table(("材料名称", "情况", "提交要求", "原因及补正要求"), rows))


def _deadline_notes(f: _Facts, t: Templates, calendar_note: str | None) -> tuple[str, ...]:
    if calendar_note:
        return (calendar_note,)
    if f.case.deadline_estimated:
        return (t.fill("common", "estimated_deadline", f.context),)
    return ()


def build(kind: str, *, case: Case, catalogue: Catalogue, applicant: Applicant | None,
          window: object, clerk_name: str, settings: Settings, calendar_note: str | None = None,
          now: datetime, deadline_days: int | None = None,
          templates: Templates | None = None) -> Document:
    """The document ``kind`` (one of CASE_KINDS) for ``case``.

    ``window`` is the window's label or a WindowInfo; ``calendar_note`` replaces the default
    note printed when the deadline lies in a year whose holidays are not yet published;
    ``deadline_days`` (working days granted) is printed beside the deadline when known.
    """
    if kind not in CASE_KINDS:
        raise ValueError(f"未知的文书种类“{kind}”，可选：{'、'.join(CASE_KINDS)}")
    t = templates or load_templates()
    f = _facts(kind, case, catalogue, applicant, window, clerk_name, settings, now, deadline_days)
    ctx = f.context
    sections: list[Section] = [f.header, f.items_section]
    intro = Section("", paragraphs=(t.fill(kind, "intro", ctx),))

    if kind == RECEIPT:
        sections += [intro, _materials_section(f),
                     Section("", paragraphs=(t.fill(kind, "promise", ctx),))]
    elif kind == DEFERRAL_NOTICE:
        sections += [intro, _materials_section(f),
                     Section("补交期限", fields=(Field("补交截止日期", ctx["deadline_text"]),),
                             paragraphs=(t.fill(kind, "deadline", ctx),)
                             + _deadline_notes(f, t, calendar_note)),
                     _owed_section(f, "需补交的材料"),
                     Section("逾期后果", paragraphs=(t.fill(kind, "consequence", ctx),)),
                     Section("", paragraphs=(t.fill(kind, "promise", ctx), t.fill(kind, "copies", ctx)))]
    elif kind == DEFERRAL_COMMITMENT:
        sections += [intro, _owed_section(f, "承诺补交的材料"),
                     Section("承诺事项", fields=(Field("补交截止日期", ctx["deadline_text"]),),
                             paragraphs=t.fill_all(kind, "points", ctx)
                             + _deadline_notes(f, t, calendar_note))]
    elif kind == ONE_TIME_NOTICE:
        sections += [intro, _owed_section(f, "需补正的材料（全部）"), _materials_section(f, "已核材料"),
                     Section("", paragraphs=(t.fill(kind, "closing", ctx),))]
    elif kind == COMMITMENT_APPROVAL:
        sections += [intro, _materials_section(f),
                     Section(t.fill(kind, "commitment_heading", ctx),
                             paragraphs=t.fill_all(kind, "points", ctx)),
                     Section("虚假承诺的后果", paragraphs=(t.fill(kind, "consequence", ctx),))]
    elif kind == SIGNPOST:
        sections = [f.header, f.items_section, intro] + _signpost_sections(f) + [
            Section("", paragraphs=(t.fill(kind, "closing", ctx),))]
    elif kind == DELIVERY:
        sections += [intro, Section("出件信息", fields=(
            Field("办理结果", ctx["decision"] or case.status.label),
            Field("交付时间", ctx["delivered_at"]),
            Field("领取人", case.agent_name or ctx["applicant"]))),
            Section("", paragraphs=(t.fill(kind, "closing", ctx),))]

    return Document(kind=kind, title=t.fill(kind, "title", ctx), case_no=case.case_no,
                    hall=settings.hall_name, sections=tuple(sections),
                    signatures=t.fill_all(kind, "signatures", ctx),
                    seal_label="" if kind == SIGNPOST else t.fill("common", "seal", ctx),
                    qr_payload=case.case_no,
                    footer=t.fill("common", "footer", ctx), warnings=t.warnings,
                    copy_labels=t.fill_all(kind, "copy_labels", ctx)
                    if "copy_labels" in t.texts[kind] else ())


def _signpost_sections(f: _Facts) -> list[Section]:
    out = []
    items = [i for i in f.items if isinstance(i, Item)]
    for dept in _departments(f.case, f.catalogue, f.items):
        fields = (Field("办理部门", dept.name), Field("办理地点", f"{dept.hall}　{dept.address}"),
                  Field("联系窗口", dept.contact or "综合窗口"), Field("联系电话", dept.phone),
                  Field("办公时间", dept.hours))
        codes = [i.code for i in items if i.dept == dept.code] or [i.code for i in items]
        rows = tuple((line.material.name, "主要" if line.main else "次要", _requirement(line))
                     for line in f.catalogue.checklist(codes))
        out.append(Section("请到以下地点办理", fields=fields))
        out.append(Section(f"需携带的材料（{dept.short_name}）",
                           table=Table(("材料名称", "类别", "要求"), rows)))
    if not out:
        hotline = f.context["hotline"]
        out.append(Section("请到以下地点办理", paragraphs=(
            f"服务目录中没有该事项办理部门的信息，请拨打服务热线 {hotline} 查询办理地点。",)))
    return out


def handover_report(cases: list[Case], *, catalogue: Catalogue, window: object, clerk_name: str,
                    settings: Settings, day: date, now: datetime,
                    templates: Templates | None = None) -> Document:
    """The window's daily handover report over ``cases`` (the cases of ``day``)."""
    t = templates or load_templates()
    code = getattr(window, "code", "") or (cases[0].window_code if cases else "")
    win = window_label(window, code)
    ctx = {k: "" for k in ("hall_address", "clerk", "case_no", "applicant", "id_masked", "items",
                           "accepted_at", "deadline_text", "deadline_year", "promised_date",
                           "owed_count", "department", "dept_address", "dept_phone",
                           "dept_hours", "decision", "delivered_at")}
    ctx.update(hall=settings.hall_name, hotline=settings.hotline, window=win, day=day_text(day))
    counts: dict[str, int] = {}
    for c in cases:
        counts[c.status.label] = counts.get(c.status.label, 0) + 1
    summary = [Field("办件总数", str(len(cases)))]
    summary += [Field(label, str(n)) for label, n in sorted(counts.items())]
    due = [c for c in cases if c.status is Status.DEFERRED and c.deadline]
    summary.append(Field("容缺待补（须跟踪补交）", str(len(due))))
    rows = []
    for c in sorted(cases, key=lambda c: c.case_no):
        names = "、".join(_item_name(i) for i in _items(c, catalogue))
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
                Section("", paragraphs=(t.fill(HANDOVER, "closing", ctx),)))
    stem = f"{code or 'window'}-{day:%Y%m%d}"
    return Document(kind=HANDOVER, title=t.fill(HANDOVER, "title", ctx), case_no=stem,
                    hall=settings.hall_name, sections=sections,
                    signatures=t.fill_all(HANDOVER, "signatures", ctx), seal_label="",
                    qr_payload="", footer="", warnings=t.warnings)
