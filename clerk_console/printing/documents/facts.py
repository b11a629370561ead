"""What every document of one case shares, computed once, and the sections several kinds use."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from clerk_console.config import Settings
from clerk_console.domain.case import Case, CaseMaterial, MaterialState, Status
from clerk_console.domain.catalogue import Catalogue, ChecklistLine, Department, Item
from clerk_console.domain.deadlines import SUPPLY_RULE
from clerk_console.domain.masking import mask_id
from clerk_console.domain.parties import Applicant, ApplicantKind, mask_elicence_number
from clerk_console.domain.review import ItemDecision, MergedLicence

from ..context import NoticeContext
from ..templates import Templates
from .model import Field, Section, Table

_WEEKDAYS = "一二三四五六日"
_ID_KIND_OF = {ApplicantKind.PERSON: "resident_id", ApplicantKind.ENTERPRISE: "uscc",
               ApplicantKind.PROJECT: "project_code"}


def day_text(d: date | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日（星期{_WEEKDAYS[d.weekday()]}）"


def date_text(d: date | None) -> str:
    """A date as printed under a seal (GB/T 9704-2012 7.3.5: Arabic numerals, no weekday)."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


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


def case_items(case: Case, catalogue: Catalogue) -> list[Item | str]:
    return [catalogue.items.get(code, code) for code in case.items]


def item_name(item: Item | str) -> str:
    return item.name if isinstance(item, Item) else f"事项{item}（目录中已无此事项）"


def requirement(line: ChecklistLine | None) -> str:
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


def departments(case: Case, catalogue: Catalogue, items: list[Item | str]) -> list[Department]:
    """The departments a case goes to: the signposted one first, then its items' ones."""
    codes = [case.signpost_dept] if case.signpost_dept else []
    codes += [i.dept for i in items if isinstance(i, Item)]
    return [catalogue.departments[c] for c in dict.fromkeys(codes) if c in catalogue.departments]


@dataclass(frozen=True)
class Facts:
    """What every document of one case shares, computed once."""

    case: Case
    catalogue: Catalogue
    items: list[Item | str]
    checklist: dict[str, ChecklistLine]
    context: NoticeContext
    header: Section
    items_section: Section
    templates: Templates
    issued_on: date  # the day the document's decision was taken (acceptance, refusal …)
    calendar_note: str | None = None
    estimated_years: tuple[int, ...] = ()  # printed dates on years whose holidays are estimated
    decision: ItemDecision | None = None  # 出件 papers: the item's decision
    merged: MergedLicence | None = None  # the 行业综合许可证 printed at 出件

    def fill(self, name: str, key: str) -> str:
        """One wording of template file ``name`` with this case's placeholders filled."""
        return self.templates.fill(name, key, self.context.as_dict())

    def fill_all(self, name: str, key: str) -> tuple[str, ...]:
        return self.templates.fill_all(name, key, self.context.as_dict())


def facts(*, reception: bool, case: Case, catalogue: Catalogue, applicant: Applicant | None,
          window: object, clerk_name: str, settings: Settings, now: datetime,
          deadline_days: int | None, templates: Templates,
          calendar_note: str | None, estimated_years: tuple[int, ...] = (),
          voided_on: date | None = None, promised_label: str = "承诺办结日期",
          decision: ItemDecision | None = None, merged: MergedLicence | None = None) -> Facts:
    """``reception``: nothing is accepted by this paper (接待, not 受理, in the header);
    ``estimated_years``: years of printed dates whose holidays are estimated; ``decision``
    and ``merged``: the back office's result a 出件 paper prints (dated the day decided)."""
    items = case_items(case, catalogue)
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
    depts = departments(case, catalogue, items)
    dept = depts[0] if depts else None
    decided_on = decision.at.date() if decision else merged.issued_on if merged else None
    deciding = catalogue.departments.get(decision.dept) if decision else None
    context = NoticeContext(
        hall=settings.hall_name, hall_address=settings.hall_address,
        hotline=settings.hotline, window=win, clerk=clerk, case_no=case.case_no,
        applicant=name, id_masked=id_masked,
        items="、".join(f"“{item_name(i)}”" for i in items),
        accepted_at=time_text(accepted), deadline_text=deadline_text,
        deadline_year="、".join(map(str, estimated_years)) or (
            str(case.deadline.year) if case.deadline else ""),
        promised_date=day_text(case.promised_date) or "（即办件，当场办结）",
        owed_count=str(len(case.owed)),
        department=dept.name if dept else "", dept_address=dept.address if dept else "",
        dept_phone=dept.phone if dept else "", dept_hours=dept.hours if dept else "",
        decision=case.decision.label if case.decision else "",
        delivered_at=time_text(case.delivered_at or now), day=day_text(accepted.date()),
        review_body=review_body(catalogue, items), voided_on=day_text(voided_on),
        deciding_dept=deciding.name if deciding else (dept.name if dept else "审批部门"),
        decided_on=date_text(decided_on),
        notified_on=day_text(case.correction.notified_on) if case.correction else "",
        original_promised=day_text(case.original_promised))
    fields = [Field("办件编号", case.case_no), Field("申请人", name),
              Field("证件号码", id_masked)]
    if applicant and applicant.phone:
        fields.append(Field("联系电话", applicant.phone))
    if case.agent_name:
        fields.append(Field("经办人", case.agent_name))
    verb = "接待" if reception else "受理"
    fields += [Field(f"{verb}地点", f"{settings.hall_name}　{win}"), Field(f"{verb}人", clerk),
               Field(f"{verb}时间", time_text(accepted))]
    if case.promised_date:
        fields.append(Field(promised_label, day_text(case.promised_date)))
    rows = []
    for i in items:
        if isinstance(i, Item):
            d = catalogue.departments.get(i.dept)
            limit = f"{i.promised_days}个工作日" if i.promised_days else i.case_type.label
            rows.append((i.name, i.code, d.short_name if d else i.dept, limit))
        else:
            rows.append((item_name(i), i, "", ""))
    items_section = Section("申请事项", table=Table(("事项名称", "事项编码", "办理部门", "承诺时限"),
                                                  tuple(rows)))
    return Facts(case, catalogue, items, checklist, context, Section("", fields=tuple(fields)),
                 items_section, templates, voided_on or decided_on or accepted.date(),
                 calendar_note, estimated_years, decision, merged)


def seal_lines(f: Facts, hall: str) -> tuple[str, ...]:
    """The seal lines of the bodies that issue this paper: each distinct deciding department
    of the case's items, as configured (行政许可法 art. 32(5): the office's own special seal,
    or the 行政审批服务局's where approvals were transferred); the hall's own line only when
    no item's department is known."""
    lines = [f.catalogue.departments[i.dept].seal_line for i in f.items
             if isinstance(i, Item) and i.dept in f.catalogue.departments]
    return tuple(dict.fromkeys(lines)) or (f"{hall}（{f.fill('common', 'seal')}）",)


# ---------------------------------------------------------------- sections several kinds use


def intro(f: Facts, kind: str) -> Section:
    return Section("", paragraphs=(f.fill(kind, "intro"),))


def closing(f: Facts, kind: str, *keys: str) -> Section:
    """A heading-less paragraph of the wordings ``keys`` (default: "closing"), run together."""
    return Section("", paragraphs=("".join(f.fill(kind, k) for k in keys or ("closing",)),))


def materials_section(f: Facts, heading: str = "申请材料") -> Section:
    rows = tuple((m.name, "主要" if m.main else "次要", state_label(m, f.case), _state_note(m, f.case))
                 for m in f.case.materials)
    return Section(heading, table=Table(("材料名称", "类别", "状态", "说明"), rows))


def received_section(f: Facts, heading: str = "已收材料") -> Section:
    """The materials received or found in the e-licence library, grouped by how (one line
    each), on a paper that lists the owed ones in a table of their own."""
    groups: dict[str, list[str]] = {}
    for m in f.case.materials:
        if m.state is MaterialState.ELICENCE:
            groups.setdefault("电子证照库调取", []).append(
                f"{m.name}（{_state_note(m, f.case).removeprefix('电子证照库调取').strip()}）"
                if m.elicence_number else m.name)
        elif m.state is MaterialState.RECEIVED:
            groups.setdefault("原件已核" if m.original else "收复印件", []).append(m.name)
    lines = tuple(f"{how}（{len(names)}项）：{'、'.join(names)}" for how, names in groups.items())
    return Section(heading, paragraphs=lines or ("（无）",))


def owed_section(f: Facts, heading: str) -> Section:
    """What is owed, how to hand it in and (when the clerk said) why."""
    owed = f.case.owed
    reasons = any(m.reason for m in owed)
    rows = tuple((m.name, state_label(m, f.case), requirement(f.checklist.get(m.code)))
                 + ((m.reason,) if reasons else ()) for m in owed)
    headers = ("材料名称", "情况", "提交要求") + (("原因及补正要求",) if reasons else ())
    return Section(heading, table=Table(headers, rows))


def deadline_notes(f: Facts) -> tuple[str, ...]:
    """The 推算 note of a paper printing a date on a year whose holidays are estimated."""
    if f.calendar_note:
        return (f.calendar_note,)
    if f.case.deadline_estimated or f.estimated_years:
        return (f.fill("common", "estimated_deadline"),)
    return ()


def review_body(catalogue: Catalogue, items: list[Item | str]) -> str:
    """The 行政复议机关 of the deciding department(s), as configured (or a general phrase)."""
    bodies = [catalogue.departments[i.dept].review_body for i in items
              if isinstance(i, Item) and i.dept in catalogue.departments]
    named = [b for b in dict.fromkeys(bodies) if b]
    return "或".join(named) if named else "有管辖权的行政复议机关"


# 告知承诺 is authorised by 国办发〔2020〕42号 (printed on every approval on commitment)
COMMITMENT_RULE = "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）"


def basis_section(f: Facts, *, commitment: bool = False, supply: bool = False) -> Section:
    """Each item's legal basis and its fee with the fee's basis (不收费 said so); with
    ``commitment`` the rules that authorise 告知承诺 (国办发〔2020〕42号 and, for an item that
    touches public safety or ecology, the law naming it)."""
    from clerk_console.domain.rules import commitment_bases

    items = [i for i in f.items if isinstance(i, Item)]
    lines = ["办理依据：" + "；".join(f"{i.name}——{i.legal_basis or '（目录未载明）'}" for i in items)]
    charging = [i for i in items if i.charges]
    if not charging:
        lines.append("收费：" + ("本事项不收费。" if len(items) == 1 else "以上事项均不收费。"))
    else:
        lines.append("收费：" + "；".join(
            f"{i.name} {i.fee}" + (f"（依据{i.fee_basis}）" if i.fee_basis else "") for i in charging)
            + ("；其余事项不收费。" if len(charging) < len(items) else "。"))
    if commitment:
        lines.append("告知承诺依据：" + "；".join((COMMITMENT_RULE, *commitment_bases(items))))
    if supply:  # a paper with a supply deadline says how it was set (deadlines.SUPPLY_RULE)
        lines.append(f"补交期限：{SUPPLY_RULE}。")
    return Section("", paragraphs=tuple(lines), small=True)


def rights_section(f: Facts) -> Section:
    """The rights a refusal or a termination tells (行政复议法 2023 art. 20: 60 days, to the
    named body; 行政诉讼法 art. 46: 6 months)."""
    return Section("权利告知", paragraphs=(f.fill("common", "appeal_rights"),))
