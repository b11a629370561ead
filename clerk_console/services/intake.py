"""Intake (受理): a draft case from the chosen items, the rules' verdict, and closing it with
one of the five outcomes."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from clerk_console.config import Settings
from clerk_console.domain import deadlines
from clerk_console.domain.calendar import WorkCalendar
from clerk_console.domain.case import (Case, CaseMaterial, MaterialState, Outcome, Status,
                                       correction_of, transition)
from clerk_console.domain.catalogue import Catalogue, Item, Target
from clerk_console.domain.ids import new_id
from clerk_console.domain.parties import Applicant, ApplicantKind, covering_licences
from clerk_console.domain.rules import (CITY_SCOPE, Verdict, Whereabouts, decide,
                                        refusal_problem, taken_elsewhere, whereabouts)
from clerk_console.domain.rules import signpost_dept as rules_signpost_dept
from clerk_console.domain.window import WindowInfo

from . import ServiceError
from .common import refused, require_now, settings_of
from .messages import contact_at_intake
from .ports import ReplicaPort
from .progress import new_token

# Outcomes that accept the application (an acceptance time and a promised date).
ACCEPTING = frozenset({Outcome.ACCEPTED, Outcome.DEFERRED, Outcome.APPROVED_ON_COMMITMENT})


def _items(cat: Catalogue, codes: Iterable[str]) -> list[Item]:
    missing = [c for c in codes if c not in cat.items]
    if missing:
        raise ServiceError(f"事项 {'、'.join(missing)} 不在本机事项目录中，请重新选择或先同步目录")
    return [cat.items[c] for c in codes]


def _check_target(applicant: Applicant, items: list[Item]) -> None:
    person = applicant.kind is ApplicantKind.PERSON
    for item in items:
        if item.target is Target.PERSON and not person:
            raise ServiceError(f"“{item.name}”只面向自然人，当前申请人“{applicant.name}”不是个人，"
                               "请核对申请人或事项")
        if item.target is Target.ENTERPRISE and person:
            raise ServiceError(f"“{item.name}”只面向法人，请扫描企业的统一社会信用代码后再选此事项")


def new_draft(replica: ReplicaPort, *, window: str | WindowInfo, clerk_id: str,
              applicant: Applicant, items: Iterable[str], bundle: str | None = None,
              agent: Applicant | None = None, now: datetime) -> Case:
    """A draft case with the merged checklist; materials held in the e-licence library are
    already marked ``ELICENCE`` (never asked for on paper)."""
    require_now(now)
    cat = replica.catalogue()
    if bundle is not None and bundle not in cat.bundles:
        raise ServiceError(f"“一件事”{bundle} 不在事项目录中，请重新选择")
    codes = tuple(dict.fromkeys(items or (cat.bundles[bundle].items if bundle else ())))
    if not codes:
        raise ServiceError("请至少选择一个办理事项")
    if applicant is None or not applicant.id_number or not applicant.name.strip():
        raise ServiceError("请先扫描或输入申请人的证件号码和姓名（名称）")
    chosen = _items(cat, codes)
    _check_target(applicant, chosen)
    window_code = window.code if isinstance(window, WindowInfo) else str(window or "")
    if not window_code:
        raise ServiceError("本机尚未设置窗口编号，请先完成窗口注册")
    people = [applicant.id_number, applicant.legal_rep_id, agent.id_number if agent else ""]
    held = covering_licences(applicant, agent,
                             {p: replica.elicences(p) for p in dict.fromkeys(people) if p},
                             now.date())
    materials = []
    for line in cat.checklist(codes):
        lic = held.get(line.material.elicence_type) if line.material.elicence_type else None
        materials.append(CaseMaterial(
            code=line.material.code, name=line.material.name, main=line.main,
            state=MaterialState.ELICENCE if lic else MaterialState.PENDING,
            elicence_number=lic.number if lic else ""))
    return Case(id=new_id(), case_no="", window_code=window_code, clerk_id=clerk_id,
                applicant_id=applicant.id_number, applicant_name=applicant.name,
                applicant_kind=applicant.kind.value, items=codes, created_at=now,
                bundle=bundle, agent_id=agent.id_number if agent else "",
                agent_name=agent.name if agent else "", materials=tuple(materials),
                progress_token=new_token())


def set_material(draft: Case, code: str, state: MaterialState, *, original: bool = False,
                 reason: str = "") -> Case:
    """The draft with one material's state changed (what the clerk ticks on the checklist;
    the rules are ``Case.mark_material``)."""
    with refused():
        return draft.mark_material(code, state, original=original, reason=reason)


def _applicant_of(replica: ReplicaPort, case: Case) -> Applicant:
    return replica.find_applicant(case.applicant_id) or Applicant(
        id_number=case.applicant_id, id_kind="", kind=ApplicantKind(case.applicant_kind),
        name=case.applicant_name)


def evaluate(replica: ReplicaPort, draft: Case) -> Verdict:
    """Every outcome with allowed/forbidden and why (the rules, the applicant's credit and
    the window's scope)."""
    cat = replica.catalogue()
    items = _items(cat, draft.items)
    window = replica.window()
    scope = window.scope if window else CITY_SCOPE
    needs = {line.material.code: line.items for line in cat.checklist(draft.items)}
    return decide(items, draft.materials, replica.credit(_applicant_of(replica, draft)), scope,
                  needs)


def where_of(replica: ReplicaPort, case: Case) -> Whereabouts:
    """The applicant's registered address and document region, for routing signposts."""
    applicant = replica.find_applicant(case.applicant_id)
    return whereabouts(case.applicant_id, case.applicant_kind,
                       applicant.address if applicant else "")


def split_elsewhere(replica: ReplicaPort, draft: Case) -> tuple[Case, Case | None]:
    """一窗受理: a draft mixing items this window takes and items taken elsewhere, as the draft
    of the items taken here (with only their materials) and a draft of the others, to be
    signposted in the same visit; (draft, None) when it does not mix."""
    cat = replica.catalogue()
    window = replica.window()
    scope = window.scope if window else CITY_SCOPE
    items = _items(cat, draft.items)
    away = {i.code for i in taken_elsewhere(items, scope)}
    if not away or len(away) == len(items):
        return draft, None
    here = tuple(c for c in draft.items if c not in away)
    needed = {line.material.code for line in cat.checklist(here)}
    mine = replace(draft, items=here, bundle=draft.bundle,
                   materials=tuple(m for m in draft.materials if m.code in needed))
    rest = replace(draft, id=new_id(), items=tuple(c for c in draft.items if c in away),
                   materials=())
    return mine, rest


def _items_owing(cat: Catalogue, draft: Case) -> list[Item]:
    """The items that need a material still owed: only their promised limits cap the deferral
    deadline (an instant item of the bundle that has everything does not shorten it)."""
    owed = {m.code for m in draft.owed}
    codes = {code for line in cat.checklist(draft.items) if line.material.code in owed
             for code in line.items}
    return _items(cat, [c for c in draft.items if c in codes]) or _items(cat, draft.items)


def deferral_due(cat: Catalogue, cal: WorkCalendar, draft: Case, day: date,
                 days: int) -> deadlines.Deadline:
    """The supply-by date of a deferral of ``draft`` accepted on ``day`` (counted from the next
    working day when ``day`` is a rest day): the one the outcome pane shows and the one saved
    on the case."""
    start, _ = deadlines.counting_start(cal, day)
    return deadlines.deferral_deadline(cal, start, _items_owing(cat, draft), days)


def close_intake(replica: ReplicaPort, draft: Case, outcome: Outcome, *, clerk_id: str,
                 now: datetime, signpost_dept: str | None = None,
                 settings: Settings | None = None, reasons: str = "",
                 competent_dept: str | None = None) -> Case:
    """Close the intake with ``outcome``: refuse one the rules forbid, number the case, set
    the acceptance time, deferral deadline and promised date, and save it (case + outbox +
    audit + item usage in one transaction). 不予受理 needs ``reasons`` (kept as the case's
    note) and names ``competent_dept``, the body to apply to, when there is one."""
    require_now(now)
    if draft.status is not Status.DRAFT:
        raise ServiceError(f"办件 {draft.case_no} 已是“{draft.status.label}”，不能再次受理")
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ServiceError(f"未知的办理结果“{outcome}”") from None
    if outcome is not Outcome.SIGNPOSTED:
        mine, rest = split_elsewhere(replica, draft)
        if rest is not None:  # 一窗受理: accept what is taken here, signpost the rest
            with replica.write():
                case = close_intake(replica, mine, outcome, clerk_id=clerk_id, now=now,
                                    settings=settings, reasons=reasons,
                                    competent_dept=competent_dept)
                close_intake(replica, rest, Outcome.SIGNPOSTED, clerk_id=clerk_id, now=now,
                             signpost_dept=signpost_dept, settings=settings)
            return case
    verdict = evaluate(replica, draft)
    option = verdict.option(outcome)
    if not option.allowed:
        raise ServiceError(f"不能{outcome.label}：{option.reason}")
    cat = replica.catalogue()
    items = _items(cat, draft.items)
    cal = replica.calendar()
    day = now.date()
    start, _rest_day = deadlines.counting_start(cal, day)  # a rest day counts from the next
    changes: dict[str, Any] = {"outcome": outcome}
    try:
        if outcome in ACCEPTING:
            changes["accepted_at"] = now
            promised = deadlines.promised_date(cal, start, items)
            # a deferral, or an approval on commitment that still owes a material, gets a
            # supply deadline and is tracked (and voided) the same way
            if outcome is Outcome.DEFERRED or (outcome is Outcome.APPROVED_ON_COMMITMENT
                                               and draft.owed):
                due = deferral_due(cat, cal, draft, start,
                                   settings_of(replica, settings).deferral_days)
                promised = deadlines.supply_promised_date(cal, promised, due)
                changes["deadline"] = due.day
                changes["deadline_estimated"] = due.estimated or promised.estimated
            changes["promised_date"] = promised.day
    except deadlines.DeadlineError as exc:
        raise ServiceError(str(exc)) from None
    if outcome is Outcome.SIGNPOSTED:
        window = replica.window()
        scope = window.scope if window else CITY_SCOPE
        dept = signpost_dept or rules_signpost_dept(items, scope, cat.departments,
                                                    where_of(replica, draft))
        if dept not in cat.departments:
            raise ServiceError(f"部门 {dept} 不在事项目录中，请选择要指引去的部门")
        changes["signpost_dept"] = dept
    if outcome is Outcome.NOT_ACCEPTED:
        problem = refusal_problem(reasons)
        if problem:
            raise ServiceError(problem)
        if competent_dept and competent_dept not in cat.departments:
            raise ServiceError(f"部门 {competent_dept} 不在事项目录中，请选择有权受理的部门")
        changes["note"] = " ".join(reasons.split())
        changes["signpost_dept"] = competent_dept or ""
    if outcome is Outcome.NOTIFIED:  # what was not looked at is owed too: list it once
        changes["materials"] = tuple(replace(m, state=MaterialState.MISSING)
                                     if m.state is MaterialState.PENDING else m
                                     for m in draft.materials)
        # the 补正 record: the applicant comes back with these and the same case goes on
        changes["correction"] = correction_of(replace(draft, materials=changes["materials"]),
                                              day)
    with replica.write():
        case_no = replica.next_case_no(draft.window_code, day)
        case = transition(draft, Status(outcome.value), case_no=case_no, **changes)
        replica.save_case(case, clerk_id=clerk_id, action=f"intake.{outcome.value}",
                          detail={"items": list(case.items), "owed": [m.code for m in case.owed]},
                          at=now)
        replica.queue_notice(case.case_no, now)  # cleared once its notice has printed
        replica.note_item_usage(clerk_id, case.items, now)
        if outcome in ACCEPTING:
            contact_at_intake(replica, case, now)  # where the back office's messages go
    return case
