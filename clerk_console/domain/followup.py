"""The 差评 loop: a bad rating's follow-up moves 核实 -> 整改 -> 反馈, or 申诉复核 on dispute.

Pure domain (国办发〔2019〕51号; GB/T 39734-2020: a bad rating is verified, fixed, and the
applicant told; the window may ask for a review of a malicious or mistaken rating):

- 核实 (``VERIFY``): a supervisor other than the rated clerk finds whether the service was at
  fault. Founded: 整改. Not the service (e.g. the law asks for the material): straight to
  反馈, the explanation is the answer's substance.
- 整改 (``FIX``): what was changed, recorded by any clerk.
- 反馈 (``ANSWER``): how the applicant was told (phone, SMS, in person, in writing) and what.
- 申诉复核 (``APPEAL``): from 核实 or 整改 the window disputes the rating as malicious or
  mistaken, with grounds; a supervisor other than the rated clerk decides with a reason.
  Upheld: the follow-up closes and the rating is excluded (not counted); rejected: back to
  the step it came from, with that step's full time again.

Every step has its own deadline in working days, counted from the day the step starts
(``FollowupRules``: per hall, defaults from the province's rule in ``data/followup/``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .accounts import Clerk
from .calendar import WorkCalendar
from .deadlines import followup_deadline
from .errors import RuleError
from .limits import text_error


class Step(StrEnum):
    VERIFY = "verify"
    FIX = "fix"
    ANSWER = "answer"
    APPEAL = "appeal"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS = {Step.VERIFY: "核实", Step.FIX: "整改", Step.ANSWER: "反馈",
               Step.APPEAL: "申诉复核", Step.CLOSED: "办结"}
OPEN_STEPS = (Step.VERIFY, Step.FIX, Step.ANSWER, Step.APPEAL)
APPEALABLE = (Step.VERIFY, Step.FIX)  # once the fix is done, the applicant is owed an answer
CHANNELS = ("电话", "短信", "当面", "书面")  # how the applicant was told
APPEAL_KINDS = {"malicious": "恶意差评", "mistaken": "误评"}
RESULT_LABELS = {"founded": "属实", "unfounded": "不属实", "fixed": "已整改", "answered": "已反馈",
                 "appealed": "提出申诉", "upheld": "申诉成立", "rejected": "申诉驳回"}
NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class FollowupRules:
    """Working days each step may take, counted from the day it starts."""

    verify_days: int
    fix_days: int
    answer_days: int
    appeal_days: int
    source: str = ""

    def days(self, step: Step) -> int:
        return {Step.VERIFY: self.verify_days, Step.FIX: self.fix_days,
                Step.ANSWER: self.answer_days, Step.APPEAL: self.appeal_days}[step]


def check_rules(rules: FollowupRules) -> FollowupRules:
    for step in OPEN_STEPS:
        days = rules.days(step)
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
            raise RuleError(f"差评“{step.label}”期限应为 1-30 个工作日，现为“{days}”，"
                            "请检查 data/followup/ 或 settings.toml")
    return rules


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One completed step: what was done, by whom, when, and against which deadline."""

    step: Step  # the step this record completes
    result: str  # founded | unfounded | fixed | answered | appealed | upheld | rejected
    note: str
    clerk_id: str
    at: datetime
    due: date
    late: bool
    channel: str = ""  # ANSWER: CHANNELS; APPEAL filing: malicious | mistaken


@dataclass(frozen=True, slots=True)
class Followup:
    id: str
    case_no: str
    due: date  # the current step's deadline (the last one once closed)
    due_estimated: bool
    status: str  # open | closed
    opened_at: datetime
    closed_at: datetime | None = None
    answer: str = ""  # what the applicant was told (反馈)
    step: Step = Step.VERIFY
    rated_clerk: str = ""  # whose service was rated: may not verify or decide the appeal
    history: tuple[StepRecord, ...] = ()
    resume: Step | None = None  # during APPEAL: the step a rejected appeal returns to
    outcome: str = ""  # closed: answered | excluded (appeal upheld)
    version: int = 0  # one per step taken

    @property
    def excluded(self) -> bool:
        """The rating was found malicious or mistaken on appeal: not counted."""
        return self.outcome == "excluded"


def _due(cal: WorkCalendar, start: date, days: int) -> tuple[date, bool]:
    deadline = followup_deadline(cal, start, days)
    return deadline.day, deadline.estimated


def open_followup(followup_id: str, case_no: str, rated_clerk: str, at: datetime,
                  cal: WorkCalendar, rules: FollowupRules) -> Followup:
    """The follow-up of a bad rating given at ``at``: first step 核实."""
    due, estimated = _due(cal, at.date(), check_rules(rules).verify_days)
    return Followup(followup_id, case_no, due, estimated, "open", at, step=Step.VERIFY,
                    rated_clerk=rated_clerk)


def is_overdue(f: Followup, today: date) -> bool:
    """An open step whose deadline has passed (due today is not yet overdue)."""
    return f.status == "open" and f.due < today


def overdue(followups: Iterable[Followup], today: date) -> list[Followup]:
    return sorted((f for f in followups if is_overdue(f, today)), key=lambda f: f.due)


def _note(note: str, what: str) -> str:
    if error := text_error(note, what, NOTE_MAX):
        raise RuleError(error)
    return note.strip()


def _expect(f: Followup, *steps: Step) -> None:
    if f.step not in steps:
        want = "或".join(s.label for s in steps)
        raise RuleError(f"该差评回访当前为“{f.step.label}”，不能办理“{want}”")


def _supervisor(f: Followup, actor: Clerk, what: str) -> None:
    if not actor.is_supervisor:
        raise RuleError(f"{what}须由负责人办理，{actor.name} 不是负责人")
    if actor.id == f.rated_clerk:
        raise RuleError(f"被评价的窗口人员本人不能{what}，请另一位负责人办理")


def _advance(f: Followup, record: StepRecord, to: Step, cal: WorkCalendar,
             rules: FollowupRules, **changes: Any) -> Followup:
    history = f.history + (record,)
    if to is Step.CLOSED:
        return replace(f, step=to, status="closed", closed_at=record.at, history=history,
                       version=f.version + 1, **changes)
    due, estimated = _due(cal, record.at.date(), check_rules(rules).days(to))
    return replace(f, step=to, due=due, due_estimated=estimated, history=history,
                   version=f.version + 1, **changes)


def _record(f: Followup, result: str, note: str, actor: Clerk, at: datetime,
            channel: str = "") -> StepRecord:
    return StepRecord(f.step, result, note, actor.id, at, f.due, at.date() > f.due, channel)


def verify(f: Followup, *, founded: bool, note: str, actor: Clerk, at: datetime,
           cal: WorkCalendar, rules: FollowupRules) -> Followup:
    """核实: founded -> 整改; not the service's fault -> 反馈 (explain to the applicant)."""
    _expect(f, Step.VERIFY)
    _supervisor(f, actor, "核实差评")
    note = _note(note, "核实情况（回访了谁、问题是否属实）")
    record = _record(f, "founded" if founded else "unfounded", note, actor, at)
    return _advance(f, record, Step.FIX if founded else Step.ANSWER, cal, rules)


def fix(f: Followup, *, note: str, actor: Clerk, at: datetime, cal: WorkCalendar,
        rules: FollowupRules) -> Followup:
    """整改: what was changed -> 反馈."""
    _expect(f, Step.FIX)
    record = _record(f, "fixed", _note(note, "整改措施（改了什么）"), actor, at)
    return _advance(f, record, Step.ANSWER, cal, rules)


def answer(f: Followup, *, channel: str, note: str, actor: Clerk, at: datetime,
           cal: WorkCalendar, rules: FollowupRules) -> Followup:
    """反馈: the applicant told, how and what -> closed."""
    _expect(f, Step.ANSWER)
    if channel not in CHANNELS:
        raise RuleError(f"反馈方式应为 {'、'.join(CHANNELS)} 之一，现为“{channel}”")
    note = _note(note, "反馈内容（告诉了申请人什么）")
    record = _record(f, "answered", note, actor, at, channel)
    return _advance(f, record, Step.CLOSED, cal, rules, answer=note, outcome="answered")


def appeal(f: Followup, *, kind: str, grounds: str, actor: Clerk, at: datetime,
           cal: WorkCalendar, rules: FollowupRules) -> Followup:
    """申诉复核 filed by the window: the rating is malicious or mistaken, on these grounds."""
    _expect(f, *APPEALABLE)
    if kind not in APPEAL_KINDS:
        raise RuleError(f"申诉类型应为 {'、'.join(APPEAL_KINDS.values())} 之一")
    record = _record(f, "appealed", _note(grounds, "申诉理由（为何属恶意差评或误评）"), actor,
                     at, kind)
    return _advance(f, record, Step.APPEAL, cal, rules, resume=f.step)


def decide_appeal(f: Followup, *, upheld: bool, reason: str, actor: Clerk, at: datetime,
                  cal: WorkCalendar, rules: FollowupRules) -> Followup:
    """A supervisor's decision: upheld -> closed, rating excluded; rejected -> back to the step
    the appeal came from, with that step's time again."""
    _expect(f, Step.APPEAL)
    _supervisor(f, actor, "复核申诉")
    reason = _note(reason, "复核理由")
    record = _record(f, "upheld" if upheld else "rejected", reason, actor, at)
    if upheld:
        return _advance(f, record, Step.CLOSED, cal, rules, resume=None, outcome="excluded")
    return _advance(f, record, f.resume or Step.VERIFY, cal, rules, resume=None)


# ---------------------------------------------------------------- the record as plain data
# One conversion for the replica's JSON column and the sync payload.

def history_to_data(history: tuple[StepRecord, ...]) -> list[dict]:
    return [{"step": r.step.value, "result": r.result, "note": r.note, "clerk_id": r.clerk_id,
             "at": r.at.isoformat(), "due": r.due.isoformat(), "late": r.late,
             "channel": r.channel} for r in history]


def history_from_data(rows: list[dict] | None) -> tuple[StepRecord, ...]:
    return tuple(StepRecord(Step(r["step"]), r["result"], r["note"], r["clerk_id"],
                            datetime.fromisoformat(r["at"]), date.fromisoformat(r["due"]),
                            bool(r["late"]), r.get("channel", "")) for r in rows or ())
