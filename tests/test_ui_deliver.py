"""出件 at 80×24 (Pilot, real replica): each item's verdict, licence number and validity from
the pulled decisions; a 补正 printed as a one-time notice while the case stays open; at hand-out
the 行业综合许可证 and each item's 准予/不予许可决定书 printed, read back with pdftotext."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime

import pytest

from clerk_console.domain.case import MaterialState, Outcome
from clerk_console.domain.masking import mask_id
from clerk_console.domain.review import MergedLicence, Permit, approve, ask_correction, refuse
from clerk_console.storage.replica import Replica
from clerk_console.sync.protocol import CaseDecisionsWire, ItemDecisionWire, MergedLicenceWire

from support.pilot import until
from support.ui import PERSON, burst, keys, new_app, sign_in

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed")

TAKEN = datetime(2026, 11, 20, 9, 0)
DECIDED = datetime(2026, 11, 26, 15, 0)
FOOD_NO = "JY23706130012345"
REASONS = "招牌设置位置占用消防通道"
BASIS = "《烟台市户外广告设施和招牌设置管理办法》第十二条"
MISSING = "消防安全承诺书（须法定代表人签字）；疏散示意图"


def food():
    return approve("SP01", "SCJG", licence_no=FOOD_NO, valid_until=date(2031, 11, 25),
                   by="scjg1", at=DECIDED)


LONG = "；经现场核查，" + "拟设置位置距离消防车通道不足规定间距，" * 12  # a reviewer's long text


def sign():
    return refuse("ZP01", "CGJ", reasons=REASONS + LONG, legal_basis=BASIS, by="cgj1",
                  at=DECIDED)


def fire_ok():
    return approve("XF01", "XFJ", licence_no="YTXF2026000321", valid_until=None, by="xfj1",
                   at=DECIDED)


def seed_bundle(home, items, decision=None, merged=None):
    """A coffee-shop bundle taken last week, and the back office's decisions pulled."""
    from clerk_console.services import intake

    r = Replica.open(home / "replica.sqlite3")
    try:
        draft = intake.new_draft(r, window="YT0101", clerk_id="1001",
                                 applicant=r.find_applicant(PERSON),
                                 items=["SP01", "ZP01", "XF01"], bundle="KFD", now=TAKEN)
        for m in draft.materials:
            if m.state is MaterialState.PENDING:
                draft = intake.set_material(draft, m.code, MaterialState.RECEIVED)
        case = intake.close_intake(r, draft, Outcome.ACCEPTED, clerk_id="1001", now=TAKEN)
        r.notice_printed(case.case_no)
        record = CaseDecisionsWire(
            case_id=case.id, case_no=case.case_no, decision=decision,
            decided_at=DECIDED if decision else None,
            items=[ItemDecisionWire.of(d) for d in items],
            merged_licence=MergedLicenceWire.of(merged) if merged else None)
        r.apply_page("decisions", [{"key": case.id, "payload": record.model_dump(mode="json")}],
                     [], 1)
        return r.get_case(case.case_no)
    finally:
        r.close()


def results_text(app) -> str:
    return str(app.screen.query_one("#results").render())


async def open_delivery(app, pilot, case) -> str:
    """Sign in, scan the applicant, F7: the 出件 screen's text for ``case``."""
    await sign_in(app, pilot)
    await burst(app, pilot, PERSON)
    await pilot.press("f7")
    await until(pilot, lambda: app.screen.id != "intake" and case.case_no in results_text(app),
                "the 出件 screen")
    return results_text(app)


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def printed(home, before: set) -> list:
    return sorted(p for p in (home / "notices").glob("*.pdf") if p not in before)


async def test_a_correction_shows_and_prints_as_a_one_time_notice(home):
    case = seed_bundle(home, [food(), ask_correction("XF01", "XFJ", missing=MISSING, by="xfj1",
                                                     at=DECIDED)])
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await open_delivery(app, pilot, case)
        assert "部分事项已决定" in str(app.screen_stack[-2].query_one("#applicant").render())
        assert "食品经营许可（市场监管） 准予许可" in shown
        assert f"编号 {FOOD_NO}" in shown and "有效期 2026-11-26至2031-11-25" in shown
        assert "需补正（一次性告知）" in shown and "消防安全承诺书" in shown
        assert "户外招牌设置许可（城管） 审批中" in shown
        assert "张伟" not in shown and "张*" in shown  # the applicant masked on screen
        await keys(pilot, "enter")  # not ready: nothing handed out
        assert app.desk.get_case(case.case_no).status.value == "accepted"
        before = set((home / "notices").glob("*.pdf")) if (home / "notices").exists() else set()
        await keys(pilot, "p")
        new = await until(pilot, lambda: printed(home, before), "the 补正 notice PDF")
        text = pdf_text(new[0])
    assert "补正材料一次性告知书" in text
    assert "1.消防安全承诺书（须法定代表人签字）" in text and "2.疏散示意图" in text
    assert "烟台市消防救援支队" in text
    assert "准予行政许可决定书" not in text  # the case is not handed out yet
    assert PERSON not in text and mask_id(PERSON, "resident_id").replace(" ", "") in text


async def test_hand_out_prints_the_merged_licence_and_each_decision(home):
    merged = MergedLicence("HZ370613202600017", "开办咖啡店",
                           (Permit("SP01", "食品经营许可", "烟台市市场监督管理局", FOOD_NO,
                                   food().validity_label),
                            Permit("XF01", "公众聚集场所投入使用前消防安全检查",
                                   "烟台市消防救援支队", "YTXF2026000321",
                                   fire_ok().validity_label)),
                           date(2031, 11, 25), DECIDED.date())
    case = seed_bundle(home, [food(), sign(), fire_ok()], decision="approve", merged=merged)
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        shown = await open_delivery(app, pilot, case)
        assert "户外招牌设置许可（城管） 不予许可" in shown and f"理由：{REASONS}" in shown
        assert "…" in shown and LONG not in shown  # one line on screen, all of it on paper
        assert "有效期 2026-11-26起长期有效" in shown
        assert "行业综合许可证 HZ370613202600017（2项许可，有效期至 2031-11-25）" in shown
        assert "回车出件" in shown
        box = app.screen.query_one("#results")  # all of it on the 80×24 screen
        assert box.region.height >= shown.count("\n") + 1 and box.region.bottom <= 23
        before = set((home / "notices").glob("*.pdf")) if (home / "notices").exists() else set()
        await keys(pilot, "enter", "y")
        new = await until(pilot, lambda: printed(home, before), "the 出件 papers PDF")
        assert app.desk.get_case(case.case_no).status.value == "delivered"
        text = pdf_text(new[0])
    # the 行业综合许可证: every permit with its number and validity
    assert "行业综合许可证" in text and "HZ370613202600017" in text
    assert "开办咖啡店" in text and "YTXF2026000321" in text and "2031年11月25日" in text
    # one 准予行政许可决定书 per approved item, with its number and validity
    assert text.count("准予行政许可决定书") == 2
    assert FOOD_NO in text and "2026-11-26至2031-11-25" in text
    # the refusal: reasons, legal basis, 行政复议 60 days and 行政诉讼 6 months
    assert "不予行政许可决定书" in text and REASONS + LONG in text and BASIS in text
    assert "六十日内" in text and "行政复议" in text and "六个月内" in text and "行政诉讼" in text
    assert "出件回执" in text
    assert PERSON not in text
