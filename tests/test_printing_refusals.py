"""Refusals on paper (issue #12): each read back from the PDF with pypdf for the fields the law
asks of it."""
from __future__ import annotations

from dataclasses import replace

from clerk_console.domain.case import MaterialState, Outcome, Status
from clerk_console.printing import documents as D
from clerk_console.printing import pdf
from support.printing import SETTINGS, flat, make, pdf_text, sample_catalogue, sample_cases


def not_accepted(**changes):
    base = sample_cases()["accepted"]
    return replace(base, case_no="YT0103-20261127-0008", status=Status.NOT_ACCEPTED,
                   outcome=Outcome.NOT_ACCEPTED, accepted_at=None, promised_date=None,
                   note="申请事项依法不属于本机关职权范围", **changes)


def test_not_accepted_notice_gives_reasons_body_to_apply_to_and_appeal_rights():
    """行政许可法 art. 32(1)(1)-(2): reasons, and the competent body where there is one;
    行政复议法 2023 art. 20 (60 days, to the named body) and 行政诉讼法 art. 46 (6 months)."""
    catalogue = sample_catalogue()
    catalogue.departments["SCJG"] = replace(catalogue.departments["SCJG"],
                                            review_body="烟台市人民政府")
    case = not_accepted(signpost_dept="GA")
    assert D.kinds_for(case) == ["not_accepted_notice"]
    doc = make("not_accepted_notice", case, catalogue=catalogue)
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    for s in ("不予受理通知书", case.case_no, "申请事项依法不属于本机关职权范围",
              "第三十二条第一款", "烟台市公安局治安支队", "烟台市芝罘区南大街99号",
              "六十日内向烟台市人民政府申请行政复议", "行政复议法》第二十条", "六个月内",
              "向人民法院提起行政诉讼", "行政诉讼法》第四十六条",
              "烟台市市场监督管理局（行政审批专用章）", "2026年11月27日", "第二联"):
        assert flat(s) in text, s
    assert "受理时间" not in text and "接待时间" in text  # nothing was accepted


def test_without_a_competent_body_or_review_body_the_notice_still_tells_the_rights():
    doc = make("not_accepted_notice", not_accepted())
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    assert "请向以下机关申请" not in text
    assert "有管辖权的行政复议机关" in text


def test_a_voided_deferral_prints_its_termination_never_its_acceptance():
    """Issue #12: a 终止 notice for the unmet guarantee — what was owed, the deadline, the day
    voided, the basis, the appeal rights; the reprint of a voided case is that notice only."""
    from datetime import date

    case = replace(sample_cases()["deferred"], status=Status.VOIDED, note="逾期未补正容缺材料")
    assert D.kinds_for(case) == ["termination_notice"]
    doc = make("termination_notice", case, voided_on=date(2026, 12, 7))
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    for s in ("终止办理通知书", "经营场所平面图", "从业人员健康证明", "2026年12月4日（星期五）前",
              "终止办理日期", "2026年12月7日（星期一）", "予以废止", "容缺受理承诺书",
              "六十日内", "六个月内", "逾期未补正容缺材料"):
        assert flat(s) in text, s
    assert "决定予以容缺受理" not in text
    assert doc.issued == "2026年12月7日"  # the seal's date is the day of the termination


def test_reprints_are_marked_and_estimated_dates_noted_on_every_paper():
    """补打 with the reprint date beside the number; a receipt whose promised date lies in an
    unpublished year carries the 推算 note like the deferral papers (issue #12)."""
    from datetime import date

    case = replace(sample_cases()["accepted"], promised_date=date(2027, 1, 8))
    doc = make("receipt", case, reprint_on=date(2026, 12, 3), estimated_years=(2027,))
    text = flat(pdf_text(pdf.render(doc, SETTINGS).data))
    assert "补打（2026年12月3日）" in text
    assert "2027年节假日安排尚未公布" in text
    assert "补打" not in flat(pdf_text(pdf.render(make("receipt", case), SETTINGS).data))


def test_an_approval_on_commitment_has_one_decision_date():
    """The approval is decided the day of the commitment; the promised date is the licence's
    issue date, not a second decision (issue #12)."""
    doc = make("commitment_approval", sample_cases()["approved_on_commitment"])
    labels = [f.label for s in doc.sections for f in s.fields]
    assert "承诺办结日期" not in labels and "承诺发证日期" in labels


def test_every_paper_prints_the_legal_basis_and_the_fee_or_that_there_is_none():
    """Issue #12: the item's legal_basis (in the catalogue, never printed before), its fee with
    the fee's basis or 不收费, and on 告知承诺 the rule that authorises it (国办发〔2020〕42号)."""
    catalogue = sample_catalogue()
    food = replace(catalogue.items["3706FOOD01"], legal_basis="《中华人民共和国食品安全法》第三十五条")
    fire = replace(catalogue.items["3706FIRE01"], fee="20元", fee_basis="某价格文件")
    catalogue.items.update({food.code: food, fire.code: fire})
    cases = sample_cases()
    for kind, case in (("receipt", cases["accepted"]), ("deferral_notice", cases["deferred"]),
                       ("commitment_approval", cases["approved_on_commitment"])):
        text = flat(pdf_text(pdf.render(make(kind, case, catalogue=catalogue), SETTINGS).data))
        assert "《中华人民共和国食品安全法》第三十五条" in text, kind
        assert flat("20元（依据某价格文件）") in text and "其余事项不收费" in text, kind
        assert ("国办发〔2020〕42号" in text) == (kind == "commitment_approval"), kind
    one = replace(cases["accepted"], items=("3706FOOD01",))
    assert "本事项不收费" in flat(pdf_text(pdf.render(make("receipt", one, catalogue=catalogue),
                                                     SETTINGS).data))



def test_papers_with_a_supply_deadline_print_the_rule_that_set_it():
    """deadlines.SUPPLY_RULE (行政许可法 art. 42: the supply deadline ends before the promise)
    is printed on the commitment, where the applicant promises that deadline (issue #12)."""
    from clerk_console.domain.deadlines import SUPPLY_RULE

    cases = sample_cases()
    text = flat(pdf_text(pdf.render(make("deferral_commitment", cases["deferred"]),
                                    SETTINGS).data))
    assert flat(SUPPLY_RULE) in text
    assert "至少留出1个工作日审查" not in flat(pdf_text(pdf.render(
        make("receipt", cases["accepted"]), SETTINGS).data))


def test_a_supplied_deferral_reprints_what_was_owed_at_intake(tmp_path):
    """Reprints reproduce the case as it was decided (issue #12): once the owed materials are
    supplied, the deferral notice still lists them as owed then; the receipt shows them in."""
    from datetime import datetime

    from clerk_console.printing.notices import case_documents
    from clerk_console.services import intake, returns
    from clerk_console.storage.replica import Replica
    from conftest import ENTERPRISE, NOW, small_catalogue

    replica = Replica.open(tmp_path / "replica.sqlite3")
    try:
        with replica.write():
            replica.store_catalogue(small_catalogue(), at=NOW)
            replica.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
            replica.add_clerk("c1", "张敏", "111111", "clerk")
        replica.save_applicant(ENTERPRISE, "c1", at=NOW)
        draft = intake.new_draft(replica, window="YT0101", clerk_id="c1", applicant=ENTERPRISE,
                                 items=["FOOD"], bundle=None, now=NOW)
        for line in draft.materials:
            if line.main:
                draft = intake.set_material(draft, line.code, MaterialState.RECEIVED, original=True)
        case = intake.close_intake(replica, draft, Outcome.DEFERRED, clerk_id="c1", now=NOW)
        owed = [m.name for m in case.owed]
        done = returns.supplement(replica, case, [m.code for m in case.owed], clerk_id="c1",
                                  now=NOW.replace(hour=15))
        assert done.status is Status.COMPLETED and not done.owed
        docs = {d.kind: d for d in case_documents(replica, done, settings=SETTINGS,
                                                  home=tmp_path, now=datetime(2026, 12, 3, 9))}
        notice = docs["deferral_notice"]
        table = next(s.table for s in notice.sections if s.heading == "需补交的材料")
        assert [row[0] for row in table.rows] == owed
        assert "receipt" in docs
    finally:
        replica.close()
