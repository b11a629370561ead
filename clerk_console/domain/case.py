"""A case (办件) and its life cycle. Pure domain.

draft -> accepted | deferred (容缺) | approved_on_commitment (承诺即准) | notified (一次性告知)
      | signposted (设路标) | not_accepted (不予受理, 行政许可法 art. 32(1)(1)-(2))
notified -> accepted (补正: the materials told once are all in; accepted that day, art. 32(1)(5))
deferred -> completed (everything owed supplied) | voided (deadline passed, 废止)
approved_on_commitment that still owes a material -> completed | voided, like a deferral
accepted | completed | approved_on_commitment -> decided (back office) -> delivered (出件)
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .errors import RuleError
from .limits import text_error


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    APPROVED_ON_COMMITMENT = "approved_on_commitment"
    NOTIFIED = "notified"
    SIGNPOSTED = "signposted"
    NOT_ACCEPTED = "not_accepted"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.ACCEPTED: "受理",
    Outcome.DEFERRED: "容缺受理",
    Outcome.APPROVED_ON_COMMITMENT: "承诺即准",
    Outcome.NOTIFIED: "一次性告知",
    Outcome.SIGNPOSTED: "设路标",
    Outcome.NOT_ACCEPTED: "不予受理",
}


class Status(StrEnum):
    DRAFT = "draft"
    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    APPROVED_ON_COMMITMENT = "approved_on_commitment"
    NOTIFIED = "notified"
    SIGNPOSTED = "signposted"
    NOT_ACCEPTED = "not_accepted"
    COMPLETED = "completed"
    VOIDED = "voided"
    DECIDED = "decided"
    DELIVERED = "delivered"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.DRAFT: "草稿",
    Status.ACCEPTED: "已受理",
    Status.DEFERRED: "容缺待补",
    Status.APPROVED_ON_COMMITMENT: "承诺即准",
    Status.NOTIFIED: "已一次性告知",
    Status.SIGNPOSTED: "已指引",
    Status.NOT_ACCEPTED: "不予受理",
    Status.COMPLETED: "已补齐",
    Status.VOIDED: "已废止",
    Status.DECIDED: "已办结待出件",
    Status.DELIVERED: "已出件",
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.ACCEPTED, Status.DEFERRED, Status.APPROVED_ON_COMMITMENT,
                             Status.NOTIFIED, Status.SIGNPOSTED, Status.NOT_ACCEPTED}),
    Status.DEFERRED: frozenset({Status.COMPLETED, Status.VOIDED}),
    # 补正 (行政许可法 art. 32(1)(4)-(5)): the one-time notice's case goes on when the applicant
    # brings everything told, and is accepted from that day
    Status.NOTIFIED: frozenset({Status.ACCEPTED}),
    Status.ACCEPTED: frozenset({Status.DECIDED}),
    Status.COMPLETED: frozenset({Status.DECIDED}),
    Status.APPROVED_ON_COMMITMENT: frozenset({Status.DECIDED, Status.COMPLETED, Status.VOIDED}),
    Status.DECIDED: frozenset({Status.DELIVERED}),
}

# Cases that may owe materials by a supply deadline: a deferral, and an approval on commitment
# granted while a secondary material was still owed (tracked and voided the same way).
SUPPLY_STATUSES = frozenset({Status.DEFERRED, Status.APPROVED_ON_COMMITMENT})

OPEN_STATUSES = frozenset({Status.ACCEPTED, Status.DEFERRED, Status.APPROVED_ON_COMMITMENT,
                           Status.COMPLETED, Status.DECIDED})


class MaterialState(StrEnum):
    PENDING = "pending"  # not looked at yet
    RECEIVED = "received"  # handed in (see CaseMaterial.original)
    ELICENCE = "elicence"  # satisfied by the e-licence library, never asked on paper
    MISSING = "missing"  # not brought
    DEFECTIVE = "defective"  # brought but not compliant (reason says why)

    @property
    def label(self) -> str:
        return {"pending": "待核", "received": "已收", "elicence": "电子证照",
                "missing": "缺", "defective": "不符合要求"}[self.value]

    @property
    def satisfied(self) -> bool:
        return self in (MaterialState.RECEIVED, MaterialState.ELICENCE)


class Decision(StrEnum):
    APPROVE = "approve"  # 准予
    REJECT = "reject"  # 不予
    READY = "ready"  # result ready for pick-up

    @property
    def label(self) -> str:
        return {"approve": "准予许可", "reject": "不予许可", "ready": "结果已出"}[self.value]


# The norm of 补正, printed where it applies: supply first, accepted from the day complete.
CORRECTION_RULE = ("《中华人民共和国行政许可法》第三十二条第一款第（四）项、第（五）项："
                   "申请材料不齐全或者不符合法定形式的，一次告知需要补正的全部内容；"
                   "申请人按要求提交全部补正材料的，应当受理，办理期限自受理之日起计算")


@dataclass(frozen=True, slots=True)
class Correction:
    """The 补正 record of a one-time notice (行政许可法 art. 32(1)(4)): what the applicant was
    told, once, to correct or supply, and the day it was all in (art. 32(1)(5): the case is
    accepted that day and its time limit counts from then). Unlike 容缺 (accepted now,
    supplied later), nothing is accepted while a correction is open."""

    notified_on: date
    owed: tuple[str, ...]  # material codes told in the one-time notice
    completed_on: date | None = None  # the day the materials were complete (= accepted)

    @property
    def open(self) -> bool:
        return self.completed_on is None


# 行政许可法 art. 42(1): a decision not made within the limit may, with the approval of the
# office's head (负责人), be extended once by 10 (working) days, the reasons told the applicant.
EXTENSION_DAYS = 10
EXTENSION_RULE = ("《中华人民共和国行政许可法》第四十二条第一款：二十日内不能作出决定的，"
                  "经本行政机关负责人批准，可以延长十日，并应当将延长期限的理由告知申请人")
# art. 45: time for these procedures is not counted in the limit, and is told in writing.
EXCLUSION_KINDS = {"hearing": "听证", "tender": "招标", "auction": "拍卖", "inspection": "检验",
                   "testing": "检测", "quarantine": "检疫", "appraisal": "鉴定",
                   "expert_review": "专家评审"}
EXCLUSION_RULE = ("《中华人民共和国行政许可法》第四十五条：依法需要听证、招标、拍卖、检验、检测、"
                  "检疫、鉴定和专家评审的，所需时间不计算在规定的期限内，并书面告知申请人")
LIMIT_REASON_MAX = 500  # characters of a written reason (延期理由, 扣除说明)


@dataclass(frozen=True, slots=True)
class Extension:
    """The one extension of a case's time limit (行政许可法 art. 42(1))."""

    days: int  # working days added (EXTENSION_DAYS)
    reason: str  # told to the applicant in writing
    approved_by: str  # the supervisor (负责人) who approved it
    on: date  # the day it was approved
    before: date  # the promised date it extended
    after: date  # the new promised date


@dataclass(frozen=True, slots=True)
class ExcludedTime:
    """A period of a procedure not counted in the time limit (art. 45): its working days move
    the promised date."""

    kind: str  # EXCLUSION_KINDS key
    start: date
    end: date
    workdays: int  # working days in [start, end]
    reason: str
    recorded_on: date
    before: date  # the promised date before this period was recorded
    after: date

    @property
    def label(self) -> str:
        return EXCLUSION_KINDS.get(self.kind, self.kind)


# Cases still within their time limit at the back office: their limit may be extended or
# have time excluded (an approval on commitment is decided at once, a signpost never accepted).
LIMITED_STATUSES = frozenset({Status.ACCEPTED, Status.DEFERRED, Status.COMPLETED})


class TransitionError(RuleError):
    """A status change the life cycle does not allow; message in Chinese."""


@dataclass(frozen=True, slots=True)
class CaseMaterial:
    code: str  # MaterialSpec.code
    name: str
    main: bool
    state: MaterialState = MaterialState.PENDING
    original: bool = False  # True: original seen (原件), False: copy (复印件)
    reason: str = ""  # for defective/missing: what is wrong, what is needed
    elicence_number: str = ""  # when satisfied by an e-licence


@dataclass(frozen=True, slots=True)
class Case:
    id: str  # UUIDv7, client-made
    case_no: str  # window-date-sequence
    window_code: str
    clerk_id: str
    applicant_id: str
    applicant_name: str
    applicant_kind: str  # ApplicantKind value
    items: tuple[str, ...]  # Item.code
    created_at: datetime
    status: Status = Status.DRAFT
    outcome: Outcome | None = None
    bundle: str | None = None
    agent_id: str = ""  # 经办人 ID when an agent comes for an enterprise
    agent_name: str = ""
    materials: tuple[CaseMaterial, ...] = ()
    accepted_at: datetime | None = None
    deadline: date | None = None  # deferral: supply-by date (working days)
    deadline_estimated: bool = False  # deadline computed on an unpublished calendar year
    promised_date: date | None = None  # promised completion (承诺办结日期)
    signpost_dept: str = ""  # Department.code for signposts
    decision: Decision | None = None
    decided_at: datetime | None = None
    delivered_at: datetime | None = None
    note: str = ""
    correction: Correction | None = None  # 补正 record of a one-time notice
    extension: Extension | None = None  # the one extension of the time limit (art. 42)
    excluded: tuple[ExcludedTime, ...] = ()  # time not counted in the limit (art. 45)
    version: int = 0  # bumped on each saved change, for sync
    progress_token: str = ""  # key of the applicant's progress page (QR), made at the window

    @property
    def owed(self) -> tuple[CaseMaterial, ...]:
        """Materials still to supply (deferral) or to bring (one-time notice)."""
        return tuple(m for m in self.materials if not m.state.satisfied)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES or awaiting_correction(self)

    # -- what the clerk does to a case: each rule here, once; RuleError (Chinese) when refused

    def mark_material(self, code: str, state: MaterialState, *, original: bool = False,
                      reason: str = "") -> Case:
        """The draft with one material's state changed (what the clerk ticks on the checklist).
        Only a draft's materials change by hand; a defective one needs the reason; e-licence
        coverage is the system's to set, never the clerk's, and a covered material stays so
        (the checklist's keys follow the same rule, ``domain.checklist``)."""
        if self.status is not Status.DRAFT:
            raise RuleError("办件已办结受理，不能再修改材料；补交材料请用“补正”")
        found = next((m for m in self.materials if m.code == code), None)
        if found is None:
            raise RuleError(f"材料 {code} 不在本办件的材料清单中")
        state = MaterialState(state)
        if state is MaterialState.DEFECTIVE and not reason.strip():
            raise RuleError("请写明材料不符合要求的原因和需要怎样改正")
        if state is MaterialState.ELICENCE:
            raise RuleError("电子证照由系统核验，不能手工标记")
        if not markable(found):
            return self  # covered by the e-licence library: never asked for, nothing to mark
        mats = tuple(replace(m, state=state, original=original, reason=reason.strip())
                     if m.code == code else m for m in self.materials)
        return replace(self, materials=mats)

    def supplement(self, codes: Iterable[str], *, today: date,
                   originals: Iterable[str] = ()) -> Case:
        """The case with owed materials handed in (``originals``: codes whose original was
        seen), by the supply deadline; completed (已补齐) once nothing is owed any more."""
        if not owes_supply(self):
            raise RuleError(f"办件 {self.case_no} 是“{self.status.label}”，没有限期补交的材料")
        if self.deadline is not None and today > self.deadline:
            raise RuleError(f"补正期限 {self.deadline:%Y年%m月%d日} 已过，不能再补正；"
                            "请负责人按规定废止该办件")
        updated = _received(self, _owed_handed(self, codes), originals)
        if updated.owed:
            return replace(updated, version=self.version + 1)
        return transition(updated, Status.COMPLETED)

    def correct(self, codes: Iterable[str], *, now: datetime, promised: date | None,
                originals: Iterable[str] = (), estimated: bool = False) -> Case:
        """The 补正 case with materials the applicant brought back (``originals``: codes whose
        original was seen). Once nothing is owed the same case is accepted at ``now`` with
        ``promised`` as its promised date, counted from that day (行政许可法 art. 32(1)(5),
        art. 42); until then it stays a one-time notice with what is still owed. No supply
        deadline: that is 容缺, accepted first."""
        if not awaiting_correction(self):
            raise RuleError(f"办件 {self.case_no} 是“{self.status.label}”，没有待补正的材料")
        handed = _owed_handed(self, codes)
        updated = _received(self, handed, originals)
        if updated.owed:
            return replace(updated, version=self.version + 1)
        assert self.correction is not None  # awaiting_correction
        return transition(updated, Status.ACCEPTED, accepted_at=now, promised_date=promised,
                          deadline_estimated=estimated,
                          correction=replace(self.correction, completed_on=now.date()))

    @property
    def original_promised(self) -> date | None:
        """The promised date the intake (or the completed 补正) gave, before any extension or
        excluded time moved it."""
        befores = ([self.extension.before] if self.extension else []) + [
            e.before for e in self.excluded]
        return min(befores) if befores else self.promised_date

    def extend(self, *, reason: str, approved_by: str, today: date, new_date: date) -> Case:
        """The case's time limit extended once (行政许可法 art. 42(1)): approved by a supervisor
        before the limit ends, with a written reason; ``new_date`` is the promised date
        ``EXTENSION_DAYS`` working days later."""
        due = self._limited("延长办理期限")
        if self.extension is not None:
            raise RuleError(f"办件 {self.case_no} 已于{self.extension.on:%Y年%m月%d日}延长过一次期限，"
                            "行政许可法第四十二条只允许延长一次")
        if today > due:
            raise RuleError(f"办理期限已于{due:%Y年%m月%d日}届满，延期须在期限届满前经负责人批准")
        problem = text_error(reason, "延期理由", LIMIT_REASON_MAX)
        if problem:
            raise RuleError(problem)
        if not approved_by:
            raise RuleError("延长办理期限须经负责人批准")
        if new_date <= due:
            raise RuleError("延期后的办结日期须晚于原承诺办结日期")
        ext = Extension(EXTENSION_DAYS, reason.strip(), approved_by, today, due, new_date)
        return replace(self, extension=ext, promised_date=new_date, version=self.version + 1)

    def exclude(self, *, kind: str, start: date, end: date, reason: str, today: date,
                workdays: int, new_date: date) -> Case:
        """A procedure's time (听证, 检测, 专家评审 …) recorded as not counted in the limit
        (art. 45): ``workdays`` working days in [start, end]; the promised date moves to
        ``new_date``. Periods of one case never overlap."""
        due = self._limited("扣除特别程序时间")
        if kind not in EXCLUSION_KINDS:
            raise RuleError(f"“{kind}”不是第四十五条所列程序，可选："
                            + "、".join(EXCLUSION_KINDS.values()))
        if end < start:
            raise RuleError("结束日期早于开始日期，请核对")
        accepted = (self.accepted_at or self.created_at).date()
        if start < accepted:
            raise RuleError(f"开始日期早于受理日期（{accepted:%Y年%m月%d日}），请核对")
        clash = next((e for e in self.excluded if e.start <= end and start <= e.end), None)
        if clash is not None:
            raise RuleError(f"与已登记的{clash.label}时间（{clash.start}至{clash.end}）重叠，请核对")
        problem = text_error(reason, "扣除说明", LIMIT_REASON_MAX)
        if problem:
            raise RuleError(problem)
        if workdays < 1:
            raise RuleError("所列期间没有工作日，不影响办理期限")
        period = ExcludedTime(kind, start, end, workdays, reason.strip(), today, due, new_date)
        return replace(self, excluded=self.excluded + (period,), promised_date=new_date,
                       version=self.version + 1)

    def _limited(self, what: str) -> date:
        """The promised date of a case whose time limit is running (RuleError otherwise)."""
        if self.status not in LIMITED_STATUSES or self.promised_date is None:
            raise RuleError(f"办件 {self.case_no} 是“{self.status.label}”，不能{what}")
        return self.promised_date

    def void(self, *, reason: str, today: date) -> Case:
        """The case voided (废止) because its supply deadline passed with materials owed
        (the applicant's credit then counts a broken deferral); the reason is required."""
        if not owes_supply(self):
            raise RuleError(f"办件 {self.case_no} 是“{self.status.label}”，只有逾期未补交材料的办件可以废止")
        if not overdue(self, today):
            due = f"{self.deadline:%Y年%m月%d日}" if self.deadline else "未设定"
            raise RuleError(f"补正期限（{due}）尚未届满，不能废止")
        if not reason or not reason.strip():
            raise RuleError("请填写废止原因（如：逾期未补正哪些材料）")
        return transition(self, Status.VOIDED, note=reason.strip())


def markable(m: CaseMaterial) -> bool:
    """The clerk may mark this material: not one the e-licence library already covers (such a
    material is never asked for on paper)."""
    return m.state is not MaterialState.ELICENCE


def _owed_handed(case: Case, codes: Iterable[str]) -> list[str]:
    """The codes handed in, each one the case owes (RuleError otherwise)."""
    handed = handed_codes(codes)
    if not handed:
        raise RuleError("请选择本次补交的材料")
    owed = {m.code for m in case.owed}
    unknown = [c for c in handed if c not in owed]
    if unknown:
        names = {m.code: m.name for m in case.materials}
        listed = "、".join(names.get(c, c) for c in unknown)
        raise RuleError(f"{listed} 不在该办件待补材料中，请核对")
    return handed


def _received(case: Case, handed: list[str], originals: Iterable[str]) -> Case:
    seen = set(originals)
    return replace(case, materials=tuple(
        replace(m, state=MaterialState.RECEIVED, original=m.code in seen, reason="")
        if m.code in handed else m for m in case.materials))


def awaiting_correction(case: Case) -> bool:
    """A one-time notice whose 补正 is open: the applicant may come back with what was told
    and the same case goes on (cases noticed before the record existed have none)."""
    return (case.status is Status.NOTIFIED and case.correction is not None
            and case.correction.open)


def correction_of(case: Case, day: date) -> Correction:
    """The 补正 record a one-time notice given on ``day`` opens: everything the case owes."""
    return Correction(notified_on=day, owed=tuple(m.code for m in case.owed))


def handed_codes(codes: Iterable[str]) -> list[str]:
    """Material codes as the clerk ticked them: stripped, blanks and repeats dropped."""
    return list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))


def transition(case: Case, to: Status, **changes: Any) -> Case:
    """Return the case moved to ``to``; raise TransitionError if the life cycle forbids it."""
    if to not in TRANSITIONS.get(case.status, frozenset()):
        raise TransitionError(f"办件状态不能从“{case.status.label}”变为“{to.label}”")
    return replace(case, status=to, version=case.version + 1, **changes)


def owes_supply(case: Case) -> bool:
    """The case owes materials by a supply deadline (容缺, or 承诺即准 with something owed)."""
    return case.status in SUPPLY_STATUSES and case.deadline is not None and bool(case.owed)


def overdue(case: Case, today: date) -> bool:
    """A case owing materials whose supply deadline has passed."""
    return owes_supply(case) and case.deadline is not None and case.deadline < today


def reachable(start: Status) -> frozenset[Status]:
    """Every status the life cycle can reach from ``start`` (``start`` included)."""
    seen = {start}
    todo = [start]
    while todo:
        for nxt in TRANSITIONS.get(todo.pop(), frozenset()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


def window_may_report(before: Status | None, after: Status, *, decided: bool) -> bool:
    """Whether a window may report a case at ``after`` when the back office holds it at
    ``before`` (None: not seen yet). Only the back office decides: a window reports
    DECIDED or DELIVERED only for a case the back office has decided (``decided``), and a
    case never moves back in its life cycle."""
    if after in (Status.DECIDED, Status.DELIVERED) and not decided:
        return False
    return after in reachable(before or Status.DRAFT)


def decidable(status: Status) -> bool:
    """Whether the back office may decide a case in this status (it may move to DECIDED)."""
    return Status.DECIDED in TRANSITIONS.get(status, frozenset())
