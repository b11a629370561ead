"""后台分类审批 to 综合窗口出件 on both real ends: a coffee-shop bundle taken at a window (the
real catalogue, pulled from a loopback back office), pushed with its progress token, decided
item by item by the departments through the back office's review services, pulled down, and
its 出件 papers printed: the 行业综合许可证 the back office issued and each permit's decision.
The applicant's progress page answers the token the window made."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timezone

import pytest

from clerk_console.config import Settings
from clerk_console.domain.case import MaterialState, Outcome, Status
from clerk_console.domain.parties import Applicant, ApplicantKind
from clerk_console.domain.review import Verdict
from clerk_console.printing import pdf
from clerk_console.printing.notices import result_documents
from clerk_console.services import intake, returns
from clerk_console.storage.replica import Replica

from support.workbench import (COFFEE, FIRE, FOOD, MERGED, REVIEWERS, SIGN, account,
                               add_accounts, publish_catalogue)

NOW = datetime(2026, 11, 27, 9, 30)  # the window's wall clock
BO_NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in Yantai, the Monday after
SHOP = Applicant("91370613MA3CKF011N", "uscc", ApplicantKind.ENTERPRISE, "烟台海岸咖啡有限公司",
                 legal_rep_id="370602199203154321", legal_rep_name="李小梅")


def sync(replica):
    from clerk_console.sync.runner import client_for, sync_once

    with client_for(replica) as client:
        report = sync_once(replica, client)
    assert report.online and not report.error, report
    return report


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
    from clerk_console.commands.embedded import enroll_replica

    publish_catalogue(engine)
    add_accounts(engine, now=BO_NOW)
    replica = Replica.open(tmp_path / "window" / "replica.sqlite3")
    replica.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    replica.add_clerk("c1", "张敏", "111111", "clerk")
    enroll_replica(engine, replica, bo.url, region="370602")
    sync(replica)  # the catalogue comes down
    replica.save_applicant(SHOP, "c1", at=NOW)
    yield replica
    replica.close()


def pdftotext(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (tmp_path / "out.pdf").write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(tmp_path / "out.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_a_bundle_decided_per_item_is_handed_out_with_its_merged_licence(window, engine,
                                                                          tmp_path):
    from clerk_console.backoffice.service import review

    assert set(COFFEE) <= set(window.catalogue().items)
    draft = intake.new_draft(window, window="YT0101", clerk_id="c1", applicant=SHOP,
                             items=list(COFFEE), bundle="YZZY-KFD", now=NOW)
    for m in draft.materials:
        if m.state is MaterialState.PENDING:
            draft = intake.set_material(draft, m.code, MaterialState.RECEIVED, original=True)
    case = intake.close_intake(window, draft, Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    assert sync(window).pushed >= 1
    with engine.begin() as conn:  # the window's token opens the applicant's progress page
        page = review.progress(conn, case.progress_token)
        assert page is not None and page["case_no"] == case.case_no and not page["ready"]
        assert review.progress(conn, case.case_no) is None  # never by case number

    decide(engine, "SCJG", case.id, FOOD, "correct", missing="从业人员健康证明")
    assert sync(window).pulled.get("decisions") == 1
    res = returns.results(window, case.case_no)
    assert not res.ready and [r.code for r in res.corrections] == [FOOD]
    docs = result_documents(window, res.case, settings=Settings(), home=tmp_path, now=NOW)
    assert [d.kind for d in docs] == ["correction_notice"]

    decide(engine, "SCJG", case.id, FOOD)
    decide(engine, "XF", case.id, FIRE)
    decide(engine, "CG", case.id, SIGN, "refuse", reasons="招牌设置位置占用消防通道",
           legal_basis="《烟台市户外广告设施和招牌设置管理办法》第十二条")
    decide(engine, "XZSP", case.id, MERGED, valid_until=None)
    sync(window)
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
    sync(window)  # the decided and the delivered case go up: the back office takes both
    assert window.outbox_counts().get("refused", 0) == 0
    with engine.begin() as conn:
        page = review.progress(conn, case.progress_token)
    assert page["ready"] and page["status"] == Status.DELIVERED.label  # the hand-out went up
