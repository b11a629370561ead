"""The dashboard's rollup (issue #14) gives what the plain aggregate gave: the figures of
cases, items, ratings and follow-ups made and then changed through the real write paths
(push, the workbench's item decisions, whole-case decisions, a catalogue publish moving an
item to another department) equal the old aggregate's (support/dashboard_oracle.py) over
several ranges and ``today``s after every change; a day marked again while it is rebuilt
keeps its mark (the generation rule)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from clerk_console.backoffice import service
from clerk_console.backoffice.dashboard import rollup
from clerk_console.backoffice.dashboard.service import dashboard
from clerk_console.backoffice.db import reading
from clerk_console.backoffice.service import review
from clerk_console.backoffice.service.common import DAY_W, DIRTY
from clerk_console.datafiles.catalogue import catalogue_to_dict
from clerk_console.domain import followup as loop
from clerk_console.domain.case import Decision, Status
from clerk_console.domain.ids import new_id
from clerk_console.domain.rating import Rating
from clerk_console.storage.replica.codecs import case_to_dict, followup_to_dict, rating_to_dict
from clerk_console.sync.protocol import Dataset, PushItem, payload_hash

from conftest import small_catalogue
from support import dashboard_oracle as oracle
from support.workbench import backend_engine
from support.dashboard_data import (BOSS, CAL, DAY, EARLIER, RULES, TODAY, at, push_one,
                                    seed)

RANGES = ((DAY, DAY), (EARLIER, DAY), (EARLIER - timedelta(days=40), TODAY + timedelta(days=40)),
          (DAY + timedelta(days=1), TODAY), (TODAY, TODAY))
TODAYS = (DAY, TODAY, TODAY + timedelta(days=30))
CG_REVIEWER = {"id": "cg.wang", "name": "城管审批", "role": "reviewer", "dept": "CG"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    engine = backend_engine(request, tmp_path)
    yield engine
    engine.dispose()


def assert_as_the_oracle(engine) -> None:
    """Every range and ``today``: the rollup's answer is the plain aggregate's; the marked
    days were rebuilt by the first read."""
    for start, end in RANGES:
        for today in TODAYS:
            with engine.begin() as conn:
                got = dashboard(conn, start, end, today=today)
            with reading(engine) as conn:
                want = oracle.dashboard(conn, start, end, today=today)
            assert got == want, (start, end, today)
    with reading(engine) as conn:
        assert conn.execute(select(DIRTY)).all() == []
        assert conn.execute(select(DAY_W)).first() is not None


def marked(engine) -> dict:
    with reading(engine) as conn:
        return dict(conn.execute(select(DIRTY.c.day, DIRTY.c.gen)).all())


def version(case, **changes):
    return replace(case, version=case.version + 1, **changes)


def test_the_rollup_answers_as_the_plain_aggregate_through_every_change(engine):
    made = seed(engine, small_catalogue())
    assert marked(engine)  # the seed's writes marked their days
    assert_as_the_oracle(engine)
    cases, w1, w2 = made.cases, made.windows["YT0101"], made.windows["YT0102"]

    # the workbench decides the overdue SIGN item (CG), and asks 补正 on a HOTEL item (GA)
    with engine.begin() as conn:
        review.decide_item(conn, CG_REVIEWER, cases[2].id, "SIGN", "approve",
                           now=at(DAY + timedelta(days=10)), licence_no="CG-2026-0001")
        review.decide_item(conn, {"id": "ga.li", "name": "公安审批", "role": "reviewer",
                                  "dept": "GA"}, cases[8].id, "HOTEL", "correct",
                           now=at(DAY + timedelta(days=3)), missing="营业执照副本")
    assert DAY in marked(engine)
    assert_as_the_oracle(engine)

    # the window voids a deferral; another case's acceptance moves to a later day
    push_one(engine, w1, "case", case_to_dict(version(cases[3], status=Status.VOIDED)),
             at(DAY + timedelta(days=2)))
    later = cases[8].accepted_at + timedelta(days=2)
    push_one(engine, w2, "case", case_to_dict(version(cases[8], accepted_at=later,
                                                      created_at=later)),
             at(DAY + timedelta(days=2)))
    assert {DAY, DAY + timedelta(days=2)} <= set(marked(engine))
    assert_as_the_oracle(engine)

    # a rating (bad) and its follow-up; the earlier follow-up advances to 反馈
    rating = Rating(cases[3].case_no, 5, "", "c1", at(DAY + timedelta(days=4), 11)
                    .replace(tzinfo=None))
    push_one(engine, w1, "rating", rating_to_dict(rating, new_id()),
             at(DAY + timedelta(days=4), 11))
    opened = at(DAY + timedelta(days=4), 12).replace(tzinfo=None)
    push_one(engine, w1, "followup", followup_to_dict(
        loop.open_followup(new_id(), cases[3].case_no, "c1", opened, CAL, RULES)),
        at(DAY + timedelta(days=4), 12))
    f = loop.fix(made.followups[1], note="已整改", actor=BOSS, at=opened, cal=CAL, rules=RULES)
    push_one(engine, w1, "followup", followup_to_dict(f), at(DAY + timedelta(days=4), 12))
    assert_as_the_oracle(engine)

    # the supplied deferral decided as a whole, and a decision the supervisor reopens
    with engine.begin() as conn:
        service.decide(conn, cases[4].case_no, Decision.APPROVE, actor="scjg1", now=at(TODAY))
    assert_as_the_oracle(engine)
    with engine.begin() as conn:
        review.reopen_item(conn, {"id": "boss", "name": "刘主任", "role": "supervisor",
                                  "dept": ""}, cases[2].id, "SIGN", reason="核对许可证号",
                           now=at(DAY + timedelta(days=11)))
    assert_as_the_oracle(engine)


def test_a_catalogue_moving_an_item_to_another_department_rebuilds_every_day(engine):
    made = seed(engine, small_catalogue())
    assert_as_the_oracle(engine)
    moved = catalogue_to_dict(small_catalogue())
    for item in moved["items"]:
        if item["code"] == "HOTEL":
            item["dept"] = "SCJG"  # the hotel licence now with 市场监管
    with engine.begin() as conn:
        service.put_records(conn, Dataset.CATALOGUE, {("", "catalogue"): moved})
    assert {DAY, EARLIER} <= set(marked(engine))
    assert_as_the_oracle(engine)  # cases and ratings: HOTEL's now count for SCJG
    with reading(engine) as conn:
        d = dashboard(conn, DAY, DAY, today=TODAY)
    assert "GA" in {r.key for r in d.departments}  # the items keep the department they had
    case = made.cases[10]  # pushed again: its item is indexed under the new department
    push_one(engine, made.windows["YT0102"], "case", case_to_dict(version(case)), at(TODAY))
    assert_as_the_oracle(engine)


def test_a_day_marked_again_while_it_is_rebuilt_keeps_its_mark(engine, monkeypatch):
    made = seed(engine, small_catalogue())
    assert_as_the_oracle(engine)
    rated = DAY + timedelta(days=5)
    cases, w1 = made.cases, made.windows["YT0101"]

    def rate(case, level: int) -> None:
        r = Rating(case.case_no, level, "", "c1", at(rated, 11).replace(tzinfo=None))
        push_one(engine, w1, "rating", rating_to_dict(r, new_id()), at(rated, 11))

    rate(cases[3], 1)
    [(day, gen)] = marked(engine).items()
    assert day == rated
    real = rollup._rebuild

    def rebuild_then_a_writer_commits(conn, days, item_dept):
        out = real(conn, days, item_dept)  # the facts as they were when the rebuild read them
        monkeypatch.setattr(rollup, "_rebuild", real)
        if conn.dialect.name == "postgresql":
            rate(cases[4], 5)  # another session, committed while the rebuild runs
        else:  # SQLite has one writer: the write runs in the rebuild's own transaction
            r = Rating(cases[4].case_no, 5, "", "c1", at(rated, 11).replace(tzinfo=None))
            p = rating_to_dict(r, new_id())
            [answer] = service.push(conn, w1, [PushItem(
                id=new_id(), entity="rating", entity_id=p["id"], op="save", payload=p,
                payload_hash=payload_hash(p))], now=at(rated, 11))
            assert answer.status.value == "accepted"
        return out

    monkeypatch.setattr(rollup, "_rebuild", rebuild_then_a_writer_commits)
    with engine.begin() as conn:
        assert rollup.refresh(conn) == 1
    assert marked(engine) == {rated: gen + 1}  # the newer mark survived the rebuild
    with reading(engine) as conn:
        stale = dashboard(conn, rated, rated, today=TODAY, refresh=False)
    assert stale.total.rated == 1  # the rollup as that rebuild left it
    assert_as_the_oracle(engine)  # the next read rebuilds the day with both ratings
    with reading(engine) as conn:
        assert dashboard(conn, rated, rated, today=TODAY).total.rated == 2
