"""Refusals on paper (issue #12): each read back from the PDF with pypdf for the fields the law
asks of it."""
from __future__ import annotations

from dataclasses import replace

from clerk_console.domain.case import Outcome, Status
from clerk_console.printing import documents as D
from clerk_console.printing import pdf
from test_printing import SETTINGS, flat, make, pdf_text, sample_catalogue, sample_cases


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
