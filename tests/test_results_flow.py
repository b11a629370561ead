"""The back office's per-item results at the window end to end: a ``CaseDecisionsWire`` record
put into a real loopback back office's DECISIONS dataset, pulled by the window's sync, and the
出件 papers it calls for rendered as real PDFs and read back with pdftotext (the 行业综合许可证's
QR decoded); 出件 held back while an item is reopened."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta

import pytest

from clerk_console.config import Settings
from clerk_console.domain.case import Decision, Status
from clerk_console.domain.catalogue import Catalogue
from clerk_console.domain.review import (MERGED_LICENCE_ITEM, MergedLicence, Permit, Verdict,
                                         approve, ask_correction, refuse)
from clerk_console.printing import pdf
from clerk_console.printing.notices import result_documents
from clerk_console.services import ServiceError, returns
from clerk_console.sync.protocol import (CaseDecisionsWire, Dataset, ItemDecisionWire,
                                         MergedLicenceWire)

from conftest import ENTERPRISE, NOW, small_catalogue
from support.progress import accept, decode_qr, open_window

AT = NOW + timedelta(days=4)
BASE = "https://zwfw.example.cn"
JY = "JY23706130012345"
HZ = "HZ370613202600017"


def catalogue() -> Catalogue:
    """The test catalogue's coffee-shop bundle with its 行业综合许可证核发 item."""
    cat = small_catalogue()
    lic = replace(cat.items["SIGN"], code="LIC", base_code="BLIC", name=MERGED_LICENCE_ITEM,
                  dept="SCJG")
    bundle = replace(cat.bundles["CAFE"], items=("FOOD", "SIGN", "LIC"))
    return replace(cat, items={**cat.items, "LIC": lic}, bundles={"CAFE": bundle})


@pytest.fixture
def window(tmp_path):
    replica = open_window(tmp_path / "window" / "replica.sqlite3", catalogue())
    yield replica
    replica.close()


def take(replica):
    return accept(replica, ("FOOD", "SIGN", "LIC"), "CAFE")


def food():
    return approve("FOOD", "SCJG", licence_no=JY, valid_until=date(2031, 11, 30), by="scjg1",
                   at=AT)


def sign_refused():
    return refuse("SIGN", "CG", reasons="招牌设置位置占用消防通道",
                  legal_basis="《烟台市户外广告设施和招牌设置管理办法》第十二条", by="cg1", at=AT)


def lic():
    return approve("LIC", "SCJG", licence_no=HZ, valid_until=None, by="xzsp1", at=AT)


def merged():
    return MergedLicence(HZ, "开办咖啡店", (Permit("FOOD", "食品经营许可", "烟台市市场监督管理局",
                                                 JY, food().validity_label),),
                         date(2031, 11, 30), AT.date())


def record(case, items, decision=None, with_licence=False) -> dict:
    return CaseDecisionsWire(
        case_id=case.id, case_no=case.case_no, decision=decision,
        decided_at=AT if decision else None, items=[ItemDecisionWire.of(d) for d in items],
        merged_licence=MergedLicenceWire.of(merged()) if with_licence else None,
    ).model_dump(mode="json")


def apply(replica, case, payload, cursor):
    replica.apply_page("decisions", [{"key": case.id, "payload": payload}], [], cursor)


def pdftotext(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    src = tmp_path / "papers.pdf"
    src.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(src), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


# ---------------------------------------------------------------- the papers, read back


def test_each_result_paper_prints_and_reads_back(window, tmp_path):
    case = take(window)
    apply(window, case, record(case, [food(), sign_refused(), lic()], "approve", True), 1)
    settings = Settings(progress_url=BASE)
    docs = result_documents(window, window.get_case(case.case_no), settings=settings,
                            home=tmp_path, now=AT)
    # the licence item's approval is the 行业综合许可证 itself: no paper of its own
    assert [d.kind for d in docs] == ["merged_licence", "approval_decision", "refusal_decision"]
    licence, approval, refusal = (pdftotext(pdf.render(d).data, tmp_path) for d in docs)
    assert "行业综合许可证" in licence and HZ in licence and "开办咖啡店" in licence
    assert "食品经营许可" in licence and JY in licence and "2026-12-01至2031-11-30" in licence
    assert "2031年11月30日" in licence  # valid until the earliest end
    assert "市场监督管理局（行政审批专用章）" in licence and "承诺办结日期" not in licence
    assert "准予行政许可决定书" in approval and JY in approval and "2026年12月1日" in approval
    assert "户外招牌设置" not in approval  # one item per paper
    assert "不予行政许可决定书" in refusal and "招牌设置位置占用消防通道" in refusal
    assert "《烟台市户外广告设施和招牌设置管理办法》第十二条" in refusal
    assert "六十日内" in refusal and "六个月内" in refusal and "城市管理局" in refusal
    for text in (licence, approval, refusal):
        assert ENTERPRISE.name in text
    url = f"{BASE}/p/{window.get_case(case.case_no).progress_token}"
    assert decode_qr(pdf.render(docs[0]).data, tmp_path) == [url]


def test_a_correction_prints_before_anything_else(window, tmp_path):
    case = take(window)
    apply(window, case, record(case, [food(), ask_correction(
        "SIGN", "CG", missing="招牌设计效果图（标明尺寸）\n房屋产权人同意书", by="cg1", at=AT)]), 1)
    docs = result_documents(window, window.get_case(case.case_no), settings=Settings(),
                            home=tmp_path, now=AT)
    assert [d.kind for d in docs] == ["correction_notice"]
    text = pdftotext(pdf.render(docs).data, tmp_path)
    assert "补正材料一次性告知书" in text and "烟台市城市管理局" in text
    assert "1.招牌设计效果图（标明尺寸）" in text and "2.房屋产权人同意书" in text
    assert not docs[0].seals  # a notice, not a decision


# ---------------------------------------------------------------- 出件 rules


def test_a_reopened_item_holds_the_hand_out_back(window):
    case = take(window)
    apply(window, case, record(case, [food(), sign_refused(), lic()], "approve"), 1)
    assert returns.results(window, case.case_no).ready
    apply(window, case, record(case, [food(), lic()]), 2)  # a supervisor reopened SIGN
    res = returns.results(window, case.case_no)
    assert not res.ready and [r.code for r in res.undecided] == ["SIGN"]
    with pytest.raises(ServiceError, match="尚有事项未作出决定（户外招牌设置）"):
        returns.deliver(window, case.case_no, clerk_id="c1", now=AT)
    apply(window, case, record(case, [food(), sign_refused(), lic()], "approve"), 3)
    done = returns.deliver(window, case.case_no, clerk_id="c1", now=AT)
    assert done.status is Status.DELIVERED


def test_an_older_whole_case_decision_still_hands_out(window):
    case = take(window)
    apply(window, case, {"case_id": case.id, "decision": "approve",
                         "decided_at": AT.isoformat()}, 1)
    res = returns.results(window, case.case_no)
    assert res.ready and not res.per_item
    assert returns.deliver(window, case.case_no, clerk_id="c1", now=AT).status is Status.DELIVERED


# ---------------------------------------------------------------- through a real back office


def test_records_put_in_the_back_office_come_down_with_the_pull(window, bo, engine):
    from clerk_console.backoffice.service.reference import put_records
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.sync.runner import KV_WINDOW_ID, client_for, sync_once

    enroll_replica(engine, window, bo.url, region="370602")
    case = take(window)
    scope = window.get_kv(KV_WINDOW_ID)

    def publish(payload, skipped: int = 0) -> None:
        with engine.begin() as conn:
            put_records(conn, Dataset.DECISIONS, {(scope, case.id): payload})
        with client_for(window) as client:
            report = sync_once(window, client)
        assert report.online and not report.error, report
        assert report.skipped.get("decisions", 0) == skipped, report
        assert ("审批结果1条记录格式有误" in report.skipped_warning) == bool(skipped)

    # a malformed record is skipped and reported; it never blocks the decisions channel
    publish({**record(case, [food()]), "items": [{"item": "FOOD", "verdict": "maybe"}]},
            skipped=1)
    assert window.item_decisions(case.id) == {}

    publish(record(case, [ask_correction("SIGN", "CG", missing="招牌设计效果图", by="cg1",
                                         at=AT)]))
    assert window.get_case(case.case_no).status is Status.ACCEPTED
    assert window.item_decisions(case.id)["SIGN"].verdict is Verdict.CORRECT
    publish(record(case, [food(), sign_refused(), lic()], "approve", True))
    got = window.get_case(case.case_no)
    assert got.status is Status.DECIDED and got.decision is Decision.APPROVE
    assert window.item_decisions(case.id)["SIGN"].verdict is Verdict.REFUSE
    assert window.merged_licence(case.id) == merged()


def test_notice_results_reprints_the_papers_from_the_command_line(window, monkeypatch, capsys):
    from support.cli import main

    case = take(window)
    apply(window, case, record(case, [food(), sign_refused(), lic()], "approve", True), 1)
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(window.path.parent))
    assert main(["notice", case.case_no, "--results", "--text"], clerk=("c1", "111111")) == 0
    out = capsys.readouterr().out
    assert "行业综合许可证" in out and "准予行政许可决定书" in out and "不予行政许可决定书" in out
    assert "补打" in out and "受理回执" not in out
    assert main(["notice", case.case_no, "--results", "--kind", "refusal_decision", "--text"],
                clerk=("c1", "111111")) == 0
    out = capsys.readouterr().out
    assert "不予行政许可决定书" in out and "准予行政许可决定书" not in out
    # a result paper is not a case paper: it needs the back office's result
    assert main(["notice", case.case_no, "--kind", "approval_decision", "--text"],
                clerk=("c1", "111111")) == 2
    assert "出件文书请加 --results" in capsys.readouterr().err
