"""One codec each for a rating, a bad rating's follow-up and a case's contact (where its
messages go) (storage.replica.codecs): every field survives the replica's row, and what the
console puts in its outbox is what the back office parses (sync.protocol's wire models) and
stores (backoffice.service.push)."""
from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clerk_console.domain.followup import Followup, Step, StepRecord
from clerk_console.domain.messages import contact_key
from clerk_console.domain.rating import ENTERED_BY, LEVELS, Rating
from clerk_console.storage.replica.codecs import (contact_to_dict, followup_from_row,
                                                  followup_to_dict, followup_values,
                                                  rating_from_row, rating_to_dict,
                                                  rating_values)
from clerk_console.storage.tables import FollowupRow, RatingRow
from clerk_console.sync.protocol import ContactPayload, FollowupPayload, RatingPayload

CASE_NO = "YT0101-20261127-0001"
AT = datetime(2026, 11, 27, 10, 15, 30, 123456)
FULL_RATING = Rating(CASE_NO, 5, "排队太久", "c1", AT, ("R01", "R07"), "pad")
FULL_FOLLOWUP = Followup(
    "0190-f1", CASE_NO, date(2026, 12, 4), True, "open", AT, datetime(2026, 12, 9, 9, 0),
    "已电话告知", Step.APPEAL, "c1",
    (StepRecord(Step.VERIFY, "founded", "属实", "boss", datetime(2026, 11, 30, 9, 0),
                date(2026, 12, 1), False),
     StepRecord(Step.FIX, "appealed", "恶意差评", "c2", datetime(2026, 12, 3, 9, 0),
                date(2026, 12, 2), True, "malicious")),
    Step.FIX, "excluded", 2)

texts = st.text(max_size=40)
ids = st.text(min_size=1, max_size=64)
times = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31))
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
case_nos = st.builds(lambda d, n: f"YT0101-{d:%Y%m%d}-{n:04d}", days, st.integers(1, 9999))
ratings = st.builds(Rating, case_no=case_nos, level=st.sampled_from(sorted(LEVELS)),
                    comment=texts, clerk_id=ids, at=times,
                    reasons=st.lists(st.text(min_size=1, max_size=8), max_size=3).map(tuple),
                    entered_by=st.sampled_from(sorted(ENTERED_BY)))
records = st.builds(StepRecord, step=st.sampled_from([s for s in Step if s is not Step.CLOSED]),
                    result=st.sampled_from(["founded", "fixed", "answered", "rejected"]),
                    note=texts, clerk_id=ids, at=times, due=days, late=st.booleans(),
                    channel=st.sampled_from(["", "电话", "malicious"]))


@st.composite
def followups(draw: st.DrawFn) -> Followup:
    history = tuple(draw(st.lists(records, max_size=5)))
    step = draw(st.sampled_from(list(Step)))
    return Followup(draw(ids), draw(case_nos), draw(days), draw(st.booleans()),
                    "closed" if step is Step.CLOSED else "open", draw(times),
                    draw(st.none() | times), draw(texts), step, draw(ids), history,
                    draw(st.none() | st.sampled_from([Step.VERIFY, Step.FIX])),
                    draw(st.sampled_from(["", "answered", "excluded"])), len(history))


def test_the_full_rating_and_followup_leave_no_field_at_its_default():
    for full in (FULL_RATING, FULL_FOLLOWUP):
        assert {f.name for f in fields(full) if getattr(full, f.name) == f.default} == set()


@given(ratings)
def test_a_rating_survives_its_row(rating):
    assert rating_from_row(RatingRow(**rating_values(rating, "r-1"))) == rating


@given(followups())
def test_a_followup_survives_its_row(followup):
    assert followup_from_row(FollowupRow(**followup_values(followup))) == followup


@given(ratings)
def test_the_back_office_parses_the_console_rating(rating):
    p = RatingPayload.model_validate(rating_to_dict(rating, "r-1"))
    assert (p.id, p.case_no, p.level, p.comment) == ("r-1", rating.case_no, rating.level,
                                                     rating.comment)


@given(followups())
def test_the_back_office_parses_the_console_followup(followup):
    p = FollowupPayload.model_validate(followup_to_dict(followup))
    assert (p.id, p.case_no, p.step, p.status, p.due, p.version, p.rated_clerk, p.outcome,
            p.answer) == (followup.id, followup.case_no, followup.step, followup.status,
                          followup.due, followup.version, followup.rated_clerk,
                          followup.outcome, followup.answer)
    assert [StepRecord(r.step, r.result, r.note, r.clerk_id, r.at, r.due, r.late, r.channel)
            for r in p.history] == list(followup.history)


@given(case_nos, st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True) | st.just(""),
       st.booleans(), times)
def test_the_back_office_parses_the_console_contact(case_no, phone, opt_out, at):
    p = ContactPayload.model_validate(contact_to_dict(case_no, phone, opt_out, at))
    assert (p.id, p.case_no, p.phone, p.opt_out, p.at) == (contact_key(case_no), case_no,
                                                           phone, opt_out, at)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rating=ratings, followup=followups())
def test_a_rating_and_its_followup_survive_the_replica(replica, rating, followup):
    if replica.rating(rating.case_no) is not None:
        return  # hypothesis drew this case number before, on this very replica
    followup = Followup(**{**{f.name: getattr(followup, f.name) for f in fields(Followup)},
                           "id": f"{followup.id}:{rating.case_no}", "case_no": rating.case_no})
    replica.save_rating(rating, followup=followup)
    assert replica.rating(rating.case_no) == rating
    assert replica.get_followup(followup.id) == followup


def test_the_replica_keeps_every_field_and_a_step_replaces_the_followup(replica):
    first = Followup(**{**{f.name: getattr(FULL_FOLLOWUP, f.name) for f in fields(Followup)},
                        "history": FULL_FOLLOWUP.history[:1], "version": 1})
    replica.save_rating(FULL_RATING, followup=first)
    replica.save_followup(FULL_FOLLOWUP)
    assert replica.rating(CASE_NO) == FULL_RATING
    assert replica.get_followup(FULL_FOLLOWUP.id) == FULL_FOLLOWUP
    assert replica.followups() == [FULL_FOLLOWUP]


def test_what_the_console_pushes_is_what_the_back_office_stores(replica, tmp_path):
    """The outbox's rating, follow-up and contact events, pushed as the sync client sends
    them, land in the back office's columns with the console's values."""
    from clerk_console.backoffice import service
    from clerk_console.backoffice.db import make_engine
    from clerk_console.backoffice.tables import ServerContact, ServerFollowup, ServerRating
    from clerk_console.sync.protocol import ItemStatus, PushItem

    now = datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc)
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    with engine.begin() as conn:
        window, _token = service.enroll(conn, service.issue_enrollment_code(
            conn, "YT0101", region="370602", now=now), now=now)
    case = {"id": "case-1", "case_no": CASE_NO, "window_code": "YT0101", "version": 1,
            "status": "accepted", "items": ["SCJG-001"]}
    replica.save_rating(FULL_RATING, followup=FULL_FOLLOWUP)
    replica.save_contact(CASE_NO, "13800138000", True, AT)
    events = [e for e in replica.outbox_pending() if e.entity != "case"]
    assert sorted(e.entity for e in events) == ["contact", "followup", "rating"]
    items = [PushItem(id="ev-case", entity="case", entity_id="case-1", op="save", payload=case,
                      payload_hash="x")] + [
        PushItem(id=e.id, entity=e.entity, entity_id=e.entity_id, op=e.op, payload=e.payload,
                 payload_hash=e.payload_hash) for e in events]
    with engine.begin() as conn:
        results = service.push(conn, window, items, now=now)
    assert [r.status for r in results] == [ItemStatus.ACCEPTED] * 4, results
    with engine.connect() as conn:
        r = conn.execute(select(ServerRating.__table__)).mappings().one()
        f = conn.execute(select(ServerFollowup.__table__)).mappings().one()
        c = conn.execute(select(ServerContact.__table__)).mappings().one()
        listed = service.open_followups(conn, date(2026, 12, 9), replica.calendar())
    assert (r["case_no"], r["level"], r["rated_on"]) == (CASE_NO, 5, AT.date())
    assert (f["id"], f["case_no"], f["step"], f["status"], f["due"], f["version"]) == (
        FULL_FOLLOWUP.id, CASE_NO, "appeal", "open", FULL_FOLLOWUP.due, 2)
    assert [(x["id"], x["steps"]) for x in listed] == [(FULL_FOLLOWUP.id, 2)]
    assert (c["case_no"], c["phone"], c["opt_out"], c["recorded_at"]) == (
        CASE_NO, "13800138000", True, AT.isoformat())
