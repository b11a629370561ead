"""After intake: supplying deferred materials (容缺补齐) or those a one-time notice told (补正,
the same case then accepted), voiding an overdue deferral (废止, by a
supervisor) and handing out the result (出件)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clerk_console.domain import deadlines
from clerk_console.domain.case import (Case, Decision, Status, TransitionError,
                                       awaiting_correction, decidable, handed_codes, transition)
from clerk_console.domain.review import ItemDecision, MergedLicence, Verdict

from . import ServiceError
from .common import load_case, refused, require_now, require_supervisor
from .ports import ReplicaPort


def _save(replica: ReplicaPort, case: Case, *, clerk_id: str, action: str, now: datetime,
          detail: dict[str, Any] | None = None) -> Case:
    return replica.save_case(case, clerk_id=clerk_id, action=action, detail=detail, at=now)


def _move(case: Case, to: Status, **changes: Any) -> Case:
    try:
        return transition(case, to, **changes)
    except TransitionError as exc:
        raise ServiceError(f"办件 {case.case_no}：{exc}") from None


def supplement(replica: ReplicaPort, case: Case | str, codes: Iterable[str], *, clerk_id: str,
               now: datetime, originals: Iterable[str] = ()) -> Case:
    """Record materials handed in: a deferral's (容缺) is completed (已补齐) once nothing is
    owed; a one-time notice's (补正) is accepted then, the same case, its promised date
    counted from that day (``correct``). ``originals``: codes whose original was seen."""
    require_now(now)
    case = load_case(replica, case)
    codes = list(codes)
    if awaiting_correction(case):
        return correct(replica, case, codes, clerk_id=clerk_id, now=now, originals=originals)
    with refused():
        updated = case.supplement(codes, today=now.date(), originals=originals)
    return _save(replica, updated, clerk_id=clerk_id, action="case.supplement", now=now,
                 detail={"supplied": handed_codes(codes),
                         "still_owed": [m.code for m in updated.owed]})


def correct(replica: ReplicaPort, case: Case | str, codes: Iterable[str], *, clerk_id: str,
            now: datetime, originals: Iterable[str] = ()) -> Case:
    """补正: the materials a one-time notice told, brought back. Once all are in, the same
    case is accepted (行政许可法 art. 32(1)(5)) and its promised date runs from that day
    (from the next working day on a rest day)."""
    require_now(now)
    case = load_case(replica, case)
    codes = list(codes)
    cat = replica.catalogue()
    missing = [c for c in case.items if c not in cat.items]
    if missing:
        raise ServiceError(f"事项 {'、'.join(missing)} 不在本机事项目录中，请先同步目录")
    cal = replica.calendar()
    try:
        start, _ = deadlines.counting_start(cal, now.date())
        promised = deadlines.promised_date(cal, start, [cat.items[c] for c in case.items])
    except deadlines.DeadlineError as exc:
        raise ServiceError(str(exc)) from None
    with refused():
        updated = case.correct(codes, now=now, promised=promised.day, originals=originals,
                               estimated=promised.estimated)
    done = updated.status is Status.ACCEPTED
    with replica.write():
        saved = _save(replica, updated, clerk_id=clerk_id,
                      action="case.correct_accept" if done else "case.correct", now=now,
                      detail={"supplied": handed_codes(codes),
                              "still_owed": [m.code for m in updated.owed]})
        if done:
            replica.queue_notice(saved.case_no, now)  # its receipt is owed until printed
    return saved


def void(replica: ReplicaPort, case: Case | str, *, clerk_id: str, supervisor_id: str,
         now: datetime, reason: str) -> Case:
    """Void (废止) a deferral whose supply-by date has passed; a supervisor must confirm.
    The applicant's credit then records a broken deferral promise."""
    require_now(now)
    case = load_case(replica, case)
    boss = require_supervisor(replica, supervisor_id)
    with refused():
        voided = case.void(reason=reason, today=now.date())
    return _save(replica, voided, clerk_id=clerk_id, action="case.void", now=now,
                 detail={"supervisor": boss.id, "reason": voided.note,
                         "owed": [m.code for m in case.owed]})


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item of a case as the back office decided it so far (None: not decided yet)."""

    code: str
    name: str
    dept_name: str
    decision: ItemDecision | None

    @property
    def verdict(self) -> Verdict | None:
        return self.decision.verdict if self.decision else None


@dataclass(frozen=True, slots=True)
class CaseResults:
    """What 出件 hands out: each item's decision and the 行业综合许可证, as pulled."""

    case: Case
    items: tuple[ItemResult, ...]
    merged: MergedLicence | None

    @property
    def per_item(self) -> bool:
        """The back office decided item by item (an older one decides whole cases)."""
        return any(r.decision for r in self.items)

    @property
    def undecided(self) -> tuple[ItemResult, ...]:
        """Items without a final decision (not decided, 补正 asked, or reopened)."""
        if not self.per_item:
            return ()
        return tuple(r for r in self.items if r.decision is None or not r.decision.final)

    @property
    def corrections(self) -> tuple[ItemResult, ...]:
        return tuple(r for r in self.items if r.verdict is Verdict.CORRECT)

    @property
    def final(self) -> bool:
        """Every item decided for good: the case decided (or already handed out)."""
        return self.case.status in (Status.DECIDED, Status.DELIVERED) and not self.undecided

    @property
    def ready(self) -> bool:
        """Ready to hand out now."""
        return self.final and self.case.status is Status.DECIDED


def results(replica: ReplicaPort, case: Case | str) -> CaseResults:
    """The case's items in its order, each with its decision so far, and its merged licence."""
    case = load_case(replica, case)
    cat = replica.catalogue()
    decided = replica.item_decisions(case.id)
    rows = []
    for code in case.items:
        item = cat.items.get(code)
        dept = cat.departments.get(item.dept) if item else None
        rows.append(ItemResult(code, item.name if item else code,
                               dept.short_name if dept else "", decided.get(code)))
    return CaseResults(case, tuple(rows), replica.merged_licence(case.id))


def deliver(replica: ReplicaPort, case: Case | str, *, clerk_id: str, now: datetime,
            receiver_id: str = "") -> Case:
    """Hand out the decided result (出件) at the window: every item decided for good (a
    supervisor's reopening after the case was decided holds it back)."""
    require_now(now)
    case = load_case(replica, case)
    if case.status is not Status.DECIDED:
        raise ServiceError(f"办件 {case.case_no} 是“{case.status.label}”，后台尚未办结，暂不能出件")
    waiting = results(replica, case).undecided
    if waiting:
        names = "、".join(r.name for r in waiting)
        raise ServiceError(f"办件 {case.case_no} 尚有事项未作出决定（{names}），暂不能出件")
    receiver = receiver_id.strip()
    if receiver and receiver not in (case.applicant_id, case.agent_id):
        raise ServiceError("领取人不是该办件的申请人或经办人，请核对证件或出示授权委托书")
    delivered = _move(case, Status.DELIVERED, delivered_at=now)
    return _save(replica, delivered, clerk_id=clerk_id, action="case.deliver", now=now,
                 detail={"receiver": receiver or case.applicant_id,
                         "decision": case.decision.value if case.decision else None})


def record_decision(replica: ReplicaPort, case: Case | str, decision: Decision, *,
                    decided_at: datetime) -> Case | None:
    """Apply a back-office decision, as a ``decisions`` sync page does (None: the replica
    left the case as it was)."""
    case = load_case(replica, case)
    if not decidable(case.status):
        raise ServiceError(f"办件 {case.case_no} 是“{case.status.label}”，不能登记办结结果")
    return replica.apply_decision(case.id, Decision(decision), decided_at)
