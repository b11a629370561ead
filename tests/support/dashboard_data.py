"""A back office with a known set of cases, ratings and follow-ups, pushed as windows push
them (service.push, real payloads) and decided as the back office decides (service.decide),
with the dashboard figures they must give (``EXPECTED``), worked out by hand."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from clerk_console.backoffice import service
from clerk_console.datafiles.catalogue import catalogue_to_dict
from clerk_console.domain import followup as loop
from clerk_console.domain.accounts import Clerk
from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.case import Case, Decision, Outcome, Status
from clerk_console.domain.followup import FollowupRules
from clerk_console.domain.ids import new_id
from clerk_console.domain.rating import Rating
from clerk_console.storage.replica.codecs import case_to_dict, followup_to_dict, rating_to_dict
from clerk_console.sync.protocol import Dataset, ItemStatus, PushItem, payload_hash

CHINA = timezone(timedelta(hours=8))
DAY = date(2026, 11, 27)  # a Friday: the day the cases are taken
TODAY = date(2026, 12, 8)  # the dashboard's today
EARLIER = date(2026, 11, 20)  # one case and its rating, outside a one-day range
CAL = default_calendar({})
RULES = FollowupRules(verify_days=1, fix_days=3, answer_days=1, appeal_days=3)
BOSS = Clerk("boss", "刘主任", "supervisor")


def at(day: date, hour: int = 10) -> datetime:
    """A China wall-clock time, aware."""
    return datetime.combine(day, time(hour), tzinfo=CHINA)


@dataclass(frozen=True)
class Spec:
    window: str
    items: tuple[str, ...]
    outcome: Outcome
    status: Status  # where the window reports it last
    promised: date | None = None
    decided: date | None = None  # the back office decides it that day
    taken: date = DAY
    rating: int | None = None
    followup: str = ""  # "" none, "verify", "fix", "closed"


SPECS = (
    Spec("YT0101", ("FOOD",), Outcome.ACCEPTED, Status.ACCEPTED, date(2026, 12, 2),
         decided=date(2026, 11, 30), rating=1),  # on time
    Spec("YT0101", ("FOOD", "SIGN"), Outcome.ACCEPTED, Status.ACCEPTED, date(2026, 12, 4),
         decided=date(2026, 12, 7), rating=5, followup="fix"),  # SIGN late; follow-up overdue
    Spec("YT0101", ("SIGN",), Outcome.ACCEPTED, Status.ACCEPTED, date(2026, 12, 1),
         rating=4),  # overdue, not decided; bad rating, no follow-up yet
    Spec("YT0101", ("FOOD",), Outcome.DEFERRED, Status.DEFERRED, date(2026, 12, 11)),
    Spec("YT0101", ("FOOD",), Outcome.DEFERRED, Status.COMPLETED, date(2026, 12, 11)),
    Spec("YT0101", ("FOOD",), Outcome.DEFERRED, Status.VOIDED, date(2026, 12, 11)),
    Spec("YT0101", ("FOOD",), Outcome.APPROVED_ON_COMMITMENT, Status.VOIDED,
         date(2026, 12, 11)),  # a commitment broken
    Spec("YT0101", ("CERT",), Outcome.NOTIFIED, Status.NOTIFIED, rating=2),  # not taken
    Spec("YT0102", ("HOTEL",), Outcome.ACCEPTED, Status.ACCEPTED, date(2026, 12, 18),
         rating=2),
    Spec("YT0102", ("SIGN",), Outcome.ACCEPTED, Status.ACCEPTED, date(2026, 11, 27),
         taken=EARLIER, rating=4, followup="closed"),  # outside a one-day range
    Spec("YT0102", ("HOTEL",), Outcome.ACCEPTED, Status.ACCEPTED, date(2026, 12, 18),
         decided=date(2026, 12, 1), rating=5, followup="verify"),
)

# (window or department, figure) -> value for the range DAY..DAY and today TODAY. Items are
# due by their own 承诺时限 on the calendar (back office's index): FOOD Dec 11, SIGN Dec 4,
# HOTEL Dec 18, counted from Friday Nov 27
EXPECTED = {
    "YT0101": dict(taken=7, items=8, on_time=2, late=1, overdue_open=1, deferrals_open=1,
                   deferrals_supplied=1, deferrals_voided=1, commitments_broken=1, rated=4,
                   good=2, bad=2, followup_none=1, followup_fix=1, followup_overdue=1),
    "YT0102": dict(taken=2, items=2, on_time=1, rated=2, good=1, bad=1, followup_verify=1,
                   followup_overdue=1),
    # FOOD: cases 1, 2 (bundle), 4-7; SIGN: cases 2, 3 (the bundle's SIGN decided Dec 7, late);
    # GA: the hotel cases; CERT's one case was not taken, but its rating counts for SCJG
    "SCJG": dict(taken=6, items=6, on_time=2, deferrals_open=1, deferrals_supplied=1,
                 deferrals_voided=1, commitments_broken=1, rated=3, good=2, bad=1,
                 followup_fix=1, followup_overdue=1),
    "CG": dict(taken=2, items=2, late=1, overdue_open=1, rated=2, bad=2, followup_none=1,
               followup_fix=1, followup_overdue=1),
    "GA": dict(taken=2, items=2, on_time=1, rated=2, good=1, bad=1, followup_verify=1,
               followup_overdue=1),
}


def push_one(engine, window, entity: str, payload: dict, now: datetime) -> None:
    """Push one record as its window does; it must be accepted."""
    with engine.begin() as conn:
        [answer] = service.push(conn, window, [PushItem(
            id=new_id(), entity=entity, entity_id=payload["id"], op="save", payload=payload,
            payload_hash=payload_hash(payload))], now=now)
    assert answer.status is ItemStatus.ACCEPTED, answer.message


def _enroll(engine, code: str, now: datetime):
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, code, region="370602", now=now)
    with engine.begin() as conn:
        return service.enroll(conn, otc, now=now)[0]


@dataclass
class Seeded:
    """What :func:`seed` made, for tests that go on changing it: the windows (code ->
    WindowRow), the cases in ``SPECS`` order, the follow-ups by the index of their spec."""

    windows: dict
    cases: list[Case]
    followups: dict[int, loop.Followup]


def seed(engine, catalogue) -> Seeded:
    """Publish ``catalogue`` and push ``SPECS`` (each window numbers its cases 0001 on)."""
    start = at(EARLIER, 8)
    with engine.begin() as conn:
        service.put_records(conn, Dataset.CATALOGUE,
                            {("", "catalogue"): catalogue_to_dict(catalogue)})
    windows = {code: _enroll(engine, code, start) for code in ("YT0101", "YT0102")}
    numbers: dict[tuple[str, date], int] = {}
    made = Seeded(windows, [], {})
    for index, spec in enumerate(SPECS):
        n = numbers[(spec.window, spec.taken)] = numbers.get((spec.window, spec.taken), 0) + 1
        taken = at(spec.taken).replace(tzinfo=None)  # the replica's naive local time
        case = Case(id=new_id(), case_no=f"{spec.window}-{spec.taken:%Y%m%d}-{n:04d}",
                    window_code=spec.window, clerk_id="c1", applicant_id="370602199203154321",
                    applicant_name="李小梅", applicant_kind="person", items=spec.items,
                    created_at=taken, status=spec.status, outcome=spec.outcome,
                    accepted_at=taken, promised_date=spec.promised, version=1)
        window = windows[spec.window]
        push_one(engine, window, "case", case_to_dict(case), at(spec.taken))
        made.cases.append(case)
        if spec.decided:
            with engine.begin() as conn:
                service.decide(conn, case.case_no, Decision.APPROVE, actor="scjg1",
                               now=at(spec.decided).astimezone(timezone.utc))
        if spec.rating is None:
            continue
        rating = Rating(case.case_no, spec.rating, "", "c1",
                        at(spec.taken, 11).replace(tzinfo=None))
        push_one(engine, window, "rating", rating_to_dict(rating, new_id()), at(spec.taken, 11))
        if spec.followup:
            opened = at(spec.taken, 12).replace(tzinfo=None)
            f = loop.open_followup(new_id(), case.case_no, "c1", opened, CAL, RULES)
            if spec.followup in ("fix", "closed"):
                f = loop.verify(f, founded=True, note="属实", actor=BOSS, at=opened, cal=CAL,
                                rules=RULES)
            if spec.followup == "closed":
                f = loop.fix(f, note="已整改", actor=BOSS, at=opened, cal=CAL, rules=RULES)
                f = loop.answer(f, channel="电话", note="已回复", actor=BOSS, at=opened, cal=CAL,
                                rules=RULES)
            push_one(engine, window, "followup", followup_to_dict(f), at(spec.taken, 12))
            made.followups[index] = f
    return made


def add_people(engine, now: datetime) -> None:
    """A hall supervisor ``boss`` and a reviewer ``scjg.li`` of 市场监管 (support.workbench's
    password), for the dashboard's sign-in."""
    from clerk_console.backoffice.service import accounts
    from support.workbench import PASSWORD

    with engine.begin() as conn:
        accounts.add_account(conn, "boss", name="刘主任", role="supervisor", dept="",
                             password=PASSWORD, actor="test", now=now)
        accounts.add_account(conn, "scjg.li", name="市场监管审批", role="reviewer", dept="SCJG",
                             password=PASSWORD, actor="test", now=now)
