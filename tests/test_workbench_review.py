"""后台分类审批 services on a real SQLite file with the real catalogue: pushed cases fill the
per-item queue table of each department; items are decided in parallel through domain.review;
each decision rewrites the case's one DECISIONS record (read back through CaseDecisionsWire);
the 行业综合许可证 once the bundle is ready; a supervisor's reopening; permissions; the old
whole-case `decide`; the progress page's data by token only."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from clerk_console.backoffice import service
from clerk_console.backoffice.service import BackofficeError, review
from clerk_console.backoffice.tables import ChangeLog, DecisionRecord
from clerk_console.sync.protocol import CaseDecisionsWire, Dataset

from support.workbench import (COFFEE, DEPTS, FIRE, FOOD, MERGED, REVIEWERS, SIGN, account,
                               add_accounts, backend_engine, coffee_case, enrol,
                               publish_catalogue, push_cases)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)  # 09:00 in Yantai, a Friday
ACCEPTED = datetime(2026, 11, 20, 9, 30)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bo_engine(request, tmp_path):
    engine = backend_engine(request, tmp_path)
    publish_catalogue(engine)
    add_accounts(engine, now=NOW)
    yield engine
    engine.dispose()


@pytest.fixture()
def window(bo_engine):
    window, _token = enrol(bo_engine, now=NOW)
    return window


def who(engine, dept_or_name):
    return account(engine, REVIEWERS.get(dept_or_name, dept_or_name), now=NOW)


def record(engine, case_id):
    with engine.begin() as conn:
        row = conn.execute(select(ChangeLog.__table__.c.payload).where(
            (ChangeLog.__table__.c.dataset == Dataset.DECISIONS.value)
            & (ChangeLog.__table__.c.key == case_id))).first()
    return None if row is None else CaseDecisionsWire.model_validate(json.loads(row[0]))


def decide(engine, dept, case_id, item, verdict="approve", **kw):
    if verdict == "approve":
        kw.setdefault("licence_no", "" if item == MERGED else f"NO-{dept}-1")
        kw.setdefault("valid_until", date(2031, 11, 26))
    me = who(engine, dept)
    with engine.begin() as conn:
        return review.decide_item(conn, me, case_id, item, verdict, now=NOW, **kw)


def queue(engine, dept, **kw):
    with engine.begin() as conn:
        return review.queue(conn, dept, now=NOW, **kw)


def test_push_fills_each_departments_queue_with_due_dates(bo_engine, window):
    push_cases(bo_engine, window, [coffee_case("YT0101", 1, accepted=ACCEPTED)], now=NOW)
    for item, dept in DEPTS.items():
        page = queue(bo_engine, dept)
        assert [(r["item"], r["case_no"]) for r in page.rows] == [(item, "YT0101-20261120-0001")]
        row = page.rows[0]
        assert row["due"] is not None and row["due"] > date(2026, 11, 20)
        assert row["applicant"] == "烟台海岸咖啡有限公司" and row["window_code"] == "YT0101"
    assert queue(bo_engine, None).total == 4  # a supervisor sees every department


def test_a_persons_name_and_number_are_masked_in_the_queue(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED)
    p.update(applicant_kind="person", applicant_name="张三丰", applicant_id="370602199001011237")
    push_cases(bo_engine, window, [p], now=NOW)
    row = queue(bo_engine, "SCJG").rows[0]
    assert row["applicant"] == "张*丰（3706**********1237）"


def test_overdue_items_come_first_and_are_counted(bo_engine, window):
    old = coffee_case("YT0101", 1, accepted=datetime(2026, 9, 1, 9, 0))
    new = coffee_case("YT0101", 2, accepted=ACCEPTED)
    push_cases(bo_engine, window, [new, old], now=NOW)
    page = queue(bo_engine, "SCJG")
    assert [r["case_no"][-4:] for r in page.rows] == ["0001", "0002"]
    assert page.rows[0]["overdue"] and page.rows[0]["left"] < 0
    assert not page.rows[1]["overdue"] and page.overdue == 1
    assert queue(bo_engine, "SCJG", kind="overdue").total == 1
    assert queue(bo_engine, "SCJG", search="0002").rows[0]["case_no"].endswith("0002")
    assert queue(bo_engine, "SCJG", search="海岸").total == 2


def test_paging(bo_engine, window):
    push_cases(bo_engine, window, [coffee_case("YT0101", n, accepted=ACCEPTED)
                                   for n in range(1, 8)], now=NOW)
    first = queue(bo_engine, "XF", size=3)
    last = queue(bo_engine, "XF", size=3, page=99)
    assert (first.total, first.pages, len(first.rows)) == (7, 3, 3)
    assert (last.page, len(last.rows)) == (3, 1)


def test_items_are_decided_in_parallel_and_the_record_grows(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED)
    push_cases(bo_engine, window, [p], now=NOW)
    decide(bo_engine, "XF", p["id"], FIRE)
    rec = record(bo_engine, p["id"])
    assert rec.decision is None and [d.item for d in rec.items] == [FIRE]
    decide(bo_engine, "CG", p["id"], SIGN, "refuse", reasons="招牌占用消防通道",
           legal_basis="《烟台市户外广告设施和招牌设置管理办法》第十二条")
    decide(bo_engine, "SCJG", p["id"], FOOD, "correct", missing="员工健康证明")
    rec = record(bo_engine, p["id"])
    assert rec.decision is None and {d.item: d.verdict for d in rec.items} == {
        FIRE: "approve", SIGN: "refuse", FOOD: "correct"}
    assert queue(bo_engine, "SCJG").rows[0]["state"] == "需补正"  # 补正 stays open
    assert queue(bo_engine, "XF").total == 0 and queue(bo_engine, "XF", kind="done").total == 1
    decide(bo_engine, "SCJG", p["id"], FOOD)
    with bo_engine.begin() as conn:
        assert conn.execute(select(DecisionRecord.__table__)).first() is None  # not ready
    decide(bo_engine, "XZSP", p["id"], MERGED, valid_until=None)
    rec = record(bo_engine, p["id"])
    assert rec.decision.value == "approve" and rec.decided_at is not None
    assert [d.item for d in rec.items] == list(COFFEE)
    lic = rec.merged_licence
    assert lic is not None and lic.number.startswith("YZZY2026")
    assert {x.item: x.licence_no for x in lic.permits} == {FOOD: "NO-SCJG-1", FIRE: "NO-XF-1"}
    assert lic.valid_until == date(2031, 11, 26) and lic.industry == "开办咖啡店/茶馆"
    with bo_engine.begin() as conn:
        assert conn.execute(select(DecisionRecord.__table__.c.decision)).scalar_one() == "approve"
        log = [r["action"] for r in service.admin_log(conn, 50)]
    assert log.count("item_approve") == 3 and "item_refuse" in log and "item_correct" in log


def test_a_final_decision_stays_until_a_supervisor_reopens_it(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED, items=(FIRE,))
    push_cases(bo_engine, window, [p], now=NOW)
    decide(bo_engine, "XF", p["id"], FIRE)
    assert record(bo_engine, p["id"]).decision.value == "approve"
    with pytest.raises(BackofficeError, match="决定作出后不能更改") as exc:
        decide(bo_engine, "XF", p["id"], FIRE, "refuse", reasons="x", legal_basis="y")
    assert exc.value.status == 409
    xf, boss = who(bo_engine, "XF"), who(bo_engine, "boss")
    with bo_engine.begin() as conn:
        with pytest.raises(BackofficeError, match="只有大厅负责人"):
            review.reopen_item(conn, xf, p["id"], FIRE, reason="错了", now=NOW)
        with pytest.raises(BackofficeError, match="撤回重审的原因"):
            review.reopen_item(conn, boss, p["id"], FIRE, reason=" ", now=NOW)
    with bo_engine.begin() as conn:
        review.reopen_item(conn, boss, p["id"], FIRE, reason="许可证编号录入错误", now=NOW)
    rec = record(bo_engine, p["id"])
    assert rec.decision is None and rec.items == []
    assert queue(bo_engine, "XF").total == 1
    with bo_engine.begin() as conn:
        assert conn.execute(select(DecisionRecord.__table__)).first() is None
    decide(bo_engine, "XF", p["id"], FIRE, licence_no="NO-XF-2")
    assert record(bo_engine, p["id"]).items[0].licence_no == "NO-XF-2"


def test_a_reviewer_cannot_see_or_decide_another_departments_item(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED)
    push_cases(bo_engine, window, [p], now=NOW)
    xf, boss = who(bo_engine, "XF"), who(bo_engine, "boss")
    with bo_engine.begin() as conn:
        with pytest.raises(BackofficeError, match="没有这个事项") as exc:
            review.item_view(conn, xf, p["id"], FOOD, now=NOW)
        assert exc.value.status == 404
        with pytest.raises(BackofficeError) as exc:
            review.decide_item(conn, xf, p["id"], FOOD, "approve", licence_no="X", now=NOW)
        assert exc.value.status == 404
        # a supervisor sees it but does not decide it
        assert review.item_view(conn, boss, p["id"], FOOD, now=NOW)
        with pytest.raises(BackofficeError, match="只有事项所属部门") as exc:
            review.decide_item(conn, boss, p["id"], FOOD, "approve", licence_no="X", now=NOW)
        assert exc.value.status == 403
    assert record(bo_engine, p["id"]) is None


def test_refusal_needs_reasons_and_legal_basis_and_deferral_waits(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED, status="deferred")
    push_cases(bo_engine, window, [p], now=NOW)
    assert queue(bo_engine, "SCJG", kind="deferred").total == 1
    with pytest.raises(BackofficeError, match="材料补齐后"):
        decide(bo_engine, "SCJG", p["id"], FOOD)
    decide(bo_engine, "SCJG", p["id"], FOOD, "correct", missing="员工健康证明")
    p = dict(p, status="completed", version=2)
    push_cases(bo_engine, window, [p], now=NOW)
    with pytest.raises(BackofficeError, match="法律依据"):
        decide(bo_engine, "SCJG", p["id"], FOOD, "refuse", reasons="不符合", legal_basis="")
    decide(bo_engine, "SCJG", p["id"], FOOD)
    assert queue(bo_engine, "SCJG").total == 0


def test_a_voided_case_leaves_the_queues(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED, status="deferred")
    push_cases(bo_engine, window, [p], now=NOW)
    push_cases(bo_engine, window, [dict(p, status="voided", version=2)], now=NOW)
    assert queue(bo_engine, None).total == 0


def test_the_old_whole_case_decide_still_works_and_closes_the_items(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED)
    push_cases(bo_engine, window, [p], now=NOW)
    decide(bo_engine, "XF", p["id"], FIRE)
    with bo_engine.begin() as conn:
        service.decide(conn, p["case_no"], service.Decision.APPROVE, actor="cli", now=NOW)
    rec = record(bo_engine, p["id"])
    assert rec.decision.value == "approve" and [d.item for d in rec.items] == [FIRE]
    assert queue(bo_engine, None).total == 0


def test_progress_by_token_only(bo_engine, window):
    p = coffee_case("YT0101", 1, accepted=ACCEPTED, token="t" * 22)
    push_cases(bo_engine, window, [p], now=NOW)
    decide(bo_engine, "SCJG", p["id"], FOOD, "correct", missing="员工健康证明")
    with bo_engine.begin() as conn:
        view = review.progress(conn, "t" * 22)
        assert review.progress(conn, p["case_no"]) is None
        assert review.progress(conn, "u" * 22) is None
        stored = json.dumps([list(r) for r in conn.exec_driver_sql(
            "SELECT * FROM bo_progress_link")])
    assert "t" * 22 not in stored  # only its hash
    assert sorted(i["state"] for i in view["items"]) == ["审批中", "审批中", "审批中", "需补正"]
    assert any(i["missing"] == "员工健康证明" for i in view["items"])
    assert not view["ready"]
