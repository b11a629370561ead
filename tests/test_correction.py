"""补正 (行政许可法 art. 32(1)(4)-(5)): a one-time notice opens a 补正 record on its case; when
the applicant brings back what was told the same case goes on and is accepted that day, its
time limit counted from then. 容缺 (accepted now, supplied later) stays apart on paper."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from clerk_console.config import Settings
from clerk_console.domain.case import (Case, CaseMaterial, Correction, MaterialState, Outcome,
                                       Status, awaiting_correction)
from clerk_console.domain.errors import RuleError
from clerk_console.printing import pdf
from clerk_console.printing.documents import kinds_for
from clerk_console.printing.notices import case_documents
from clerk_console.services import ServiceError, intake, returns
from clerk_console.storage.replica import Replica

from support.pdftext import pdftotext
from conftest import ENTERPRISE, NOW

TOLD = date(2026, 11, 27)  # a Friday
NOTIFIED = Case(id="c1", case_no="YT0101-20261127-0001", window_code="YT0101", clerk_id="c1",
                applicant_id="370602199203154321", applicant_name="李小梅",
                applicant_kind="person", items=("SCJG-001",), created_at=NOW,
                status=Status.NOTIFIED, outcome=Outcome.NOTIFIED, version=1,
                materials=(CaseMaterial("M001", "身份证明", True, MaterialState.RECEIVED),
                           CaseMaterial("M002", "场所证明", True, MaterialState.MISSING),
                           CaseMaterial("M003", "平面图", False, MaterialState.DEFECTIVE,
                                        reason="未标尺寸")),
                correction=Correction(TOLD, ("M002", "M003")))


def test_correction_keeps_the_notice_until_all_is_in_then_accepts_the_same_case():
    """Art. 32(1)(5): accepted once the applicant has handed in all the corrections; the
    acceptance time and promised date are those of that day, not of the notice."""
    back = datetime(2026, 12, 2, 10, 0)
    part = NOTIFIED.correct(["M002"], now=back, promised=date(2026, 12, 16))
    assert part.status is Status.NOTIFIED and [m.code for m in part.owed] == ["M003"]
    assert part.accepted_at is None and part.promised_date is None and awaiting_correction(part)
    done = part.correct(["M003"], now=back, promised=date(2026, 12, 16), originals=["M003"])
    assert done.status is Status.ACCEPTED and done.id == NOTIFIED.id
    assert done.case_no == NOTIFIED.case_no and done.accepted_at == back
    assert done.promised_date == date(2026, 12, 16) and done.deadline is None  # no 容缺 date
    assert done.correction == Correction(TOLD, ("M002", "M003"), completed_on=back.date())
    assert not awaiting_correction(done) and done.is_open


@pytest.mark.parametrize("case, codes, refusal", [
    (replace(NOTIFIED, correction=None), ["M002"], "没有待补正的材料"),  # noticed before 0013
    (replace(NOTIFIED, status=Status.DEFERRED), ["M002"], "没有待补正的材料"),
    (NOTIFIED, ["M001"], "身份证明 不在该办件待补材料中"),
    (NOTIFIED, [" "], "请选择本次补交的材料"),
])
def test_correction_refusals(case, codes, refusal):
    with pytest.raises(RuleError, match=refusal):
        case.correct(codes, now=NOW, promised=None)


def test_an_open_correction_is_an_open_case_and_a_legacy_notice_is_not():
    assert NOTIFIED.is_open and not replace(NOTIFIED, correction=None).is_open


def notice(rep) -> Case:
    draft = intake.new_draft(rep, window="YT0101", clerk_id="c1", applicant=ENTERPRISE,
                             items=["FOOD", "SIGN"], now=NOW)
    return intake.close_intake(rep, draft, Outcome.NOTIFIED, clerk_id="c1", now=NOW)


def test_a_one_time_notice_opens_a_correction_found_when_the_applicant_comes_back(shop):  # noqa: F811
    case = notice(shop)
    assert case.correction == Correction(NOW.date(), ("form", "lease", "plan"))
    assert [c.case_no for c in shop.cases_of(ENTERPRISE.id_number, open_only=True)] == [
        case.case_no]


def test_returning_with_everything_accepts_the_case_counted_from_that_day(shop):  # noqa: F811
    """Art. 32(1)(5) and art. 42: the 10-working-day promise runs from the day the materials
    are complete (Wed 2026-12-02 -> 2026-12-16), not from the notice (Fri 2026-11-27)."""
    case = notice(shop)
    back = datetime(2026, 12, 2, 10, 0)
    part = returns.supplement(shop, case.case_no, ["form"], clerk_id="c1", now=back)
    assert part.status is Status.NOTIFIED and [m.code for m in part.owed] == ["lease", "plan"]
    done = returns.supplement(shop, part, ["lease", "plan"], clerk_id="c1", now=back)
    assert done.status is Status.ACCEPTED and done.accepted_at == back
    assert done.promised_date == date(2026, 12, 16) and done.correction.completed_on == back.date()
    assert shop.get_case(case.case_no) == done
    assert [e.action for e in shop.audit_entries(case.case_no)] == [
        "case.correct_accept", "case.correct", "intake.notified"]
    assert case.case_no in [c.case_no for c in shop.unprinted_notices()]  # its receipt
    with pytest.raises(ServiceError, match="没有限期补交的材料"):
        returns.supplement(shop, done, ["plan"], clerk_id="c1", now=back)


def test_completed_on_a_rest_day_counts_from_the_next_working_day(shop):  # noqa: F811
    """Art. 82: working days; Sat 2026-12-05 counts from Mon 2026-12-07 -> 2026-12-21."""
    case = notice(shop)
    done = returns.supplement(shop, case, ["form", "lease", "plan"], clerk_id="c1",
                              now=datetime(2026, 12, 5, 10, 0))
    assert done.status is Status.ACCEPTED and done.promised_date == date(2026, 12, 21)


def test_the_correction_survives_reopening_the_replica_file(replica, tmp_path):
    replica.save_applicant(ENTERPRISE, "c1", at=NOW)
    case = notice(replica)
    path = replica.path
    replica.close()
    with Replica.open(path) as again:
        assert again.get_case(case.case_no).correction == case.correction


def test_the_notice_and_the_later_receipt_say_correction_not_deferral(shop, tmp_path):  # noqa: F811
    """The one-time notice is no receipt (nothing accepted, no supply deadline); once
    complete, the same case number prints a 受理回执 dated the day the materials were in."""
    case = notice(shop)
    home = tmp_path / "home"
    home.mkdir()
    settings = Settings()
    [told] = case_documents(shop, case, settings=settings, home=home, now=NOW)
    text = pdftotext(pdf.render(told, settings).data, tmp_path)
    assert "一次性告知单" in text and "本告知单不是受理凭证" in text
    assert f"本办件（编号{case.case_no}）继续办理" in text and "第三十二条第一款第（四）项" in text
    assert "容缺受理通知书" not in text and "补交截止日期" not in text
    back = datetime(2026, 12, 2, 10, 0)
    done = returns.supplement(shop, case, ["form", "lease", "plan"], clerk_id="c1", now=back)
    assert kinds_for(done) == ["receipt"]
    [receipt] = case_documents(shop, done, settings=settings, home=home, now=back)
    text = pdftotext(pdf.render(receipt, settings).data, tmp_path)
    assert "受理回执" in text and case.case_no in text
    assert "已于2026年11月27日（星期五）一次性告知" in text
    assert "自补正材料齐全之日起予以受理" in text and "2026年12月2日" in text
    assert "2026年12月16日" in text  # promised, counted from the day complete
