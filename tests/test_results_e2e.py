"""后台分类审批 to 综合窗口出件 on both real ends: a coffee-shop bundle taken at a window (the
real catalogue, pulled from a loopback back office), pushed with its progress token, decided
item by item by the departments through the back office's review services, pulled down, and
its 出件 papers printed: the 行业综合许可证 the back office issued and each permit's decision.
The applicant's progress page answers the token the window made."""
from __future__ import annotations

import shutil
from datetime import date, datetime, timezone

import pytest

from clerk_console.config import Settings
from clerk_console.domain.case import Status
from clerk_console.domain.review import Verdict
from clerk_console.printing import pdf
from clerk_console.printing.notices import result_documents
from clerk_console.services import returns

from support.pdftext import pdftotext
from support.workbench import (COFFEE, FIRE, FOOD, MERGED, REVIEWERS, SIGN, account,
                               add_accounts, enrolled_window, publish_catalogue, sync_round,
                               take_coffee_bundle)

NOW = datetime(2026, 11, 27, 9, 30)  # the window's wall clock
BO_NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in Yantai, the Monday after


def decide(engine, dept, case_id, item, verdict="approve", **kw):
    from clerk_console.backoffice.service import review

    if verdict == "approve" and item != MERGED:
        kw.setdefault("licence_no", f"{dept}-2026-0001")
        kw.setdefault("valid_until", date(2031, 11, 29))
    me = account(engine, REVIEWERS[dept], now=BO_NOW)
    with engine.begin() as conn:
        return review.decide_item(conn, me, case_id, item, verdict, now=BO_NOW, **kw)


@pytest.fixture
def window(tmp_path, bo, engine):
    publish_catalogue(engine)
    add_accounts(engine, now=BO_NOW)
    replica = enrolled_window(engine, bo.url, tmp_path / "window", now=NOW)
    yield replica
    replica.close()


def test_a_bundle_decided_per_item_is_handed_out_with_its_merged_licence(window, engine,
                                                                          tmp_path):
    from clerk_console.backoffice.service import review

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert set(COFFEE) <= set(window.catalogue().items)
    case = take_coffee_bundle(window, now=NOW)
    assert sync_round(window).pushed >= 1
    with engine.begin() as conn:  # the window's token opens the applicant's progress page
        page = review.progress(conn, case.progress_token)
        assert page is not None and page["case_no"] == case.case_no and not page["ready"]
        assert review.progress(conn, case.case_no) is None  # never by case number

    decide(engine, "SCJG", case.id, FOOD, "correct", missing="从业人员健康证明")
    assert sync_round(window).pulled.get("decisions") == 1
    res = returns.results(window, case.case_no)
    assert not res.ready and [r.code for r in res.corrections] == [FOOD]
    docs = result_documents(window, res.case, settings=Settings(), home=tmp_path, now=NOW)
    assert [d.kind for d in docs] == ["correction_notice"]

    decide(engine, "SCJG", case.id, FOOD)
    decide(engine, "XF", case.id, FIRE)
    decide(engine, "CG", case.id, SIGN, "refuse", reasons="招牌设置位置占用消防通道",
           legal_basis="《烟台市户外广告设施和招牌设置管理办法》第十二条")
    decide(engine, "XZSP", case.id, MERGED, valid_until=None)
    sync_round(window)
    res = returns.results(window, case.case_no)
    assert res.ready and res.case.status is Status.DECIDED
    assert {r.code: r.verdict for r in res.items} == {
        FOOD: Verdict.APPROVE, FIRE: Verdict.APPROVE, SIGN: Verdict.REFUSE,
        MERGED: Verdict.APPROVE}
    licence = res.merged
    assert licence is not None and licence.number.startswith("YZZY2026")
    assert {p.item for p in licence.permits} == {FOOD, FIRE}

    done = returns.deliver(window, case.case_no, clerk_id="c1", now=NOW)
    docs = result_documents(window, done, settings=Settings(), home=tmp_path, now=NOW,
                            handed_out=True)
    assert [d.kind for d in docs] == ["merged_licence", "approval_decision",
                                      "approval_decision", "refusal_decision", "delivery"]
    text = pdftotext(pdf.render(docs[0]).data, tmp_path)
    assert "行业综合许可证" in text and licence.number in text and "开办咖啡店/茶馆" in text
    assert "SCJG-2026-0001" in text and "XF-2026-0001" in text
    assert "不予行政许可决定书" in pdftotext(pdf.render(docs[3]).data, tmp_path)
    sync_round(window)  # the decided and the delivered case go up: the back office takes both
    assert window.outbox_counts().get("refused", 0) == 0
    with engine.begin() as conn:
        page = review.progress(conn, case.progress_token)
    assert page["ready"] and page["status"] == Status.DELIVERED.label  # the hand-out went up
