"""A case's time limit moved by law: the one extension (行政许可法 art. 42(1): 10 working days,
approved by the office's head, reason told in writing) and a procedure's time not counted
(art. 45: hearing, testing, expert review …), both printed on a 延期告知书 read back with
pdftotext."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from clerk_console.config import Settings
from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.case import Case, Outcome, Status
from clerk_console.domain.deadlines import excluded_workdays
from clerk_console.domain.errors import RuleError
from clerk_console.domain.parties import ELicence
from clerk_console.printing import pdf
from clerk_console.printing.documents import kinds_for
from clerk_console.printing.notices import case_documents
from clerk_console.services import ServiceError, intake, time_limits
from clerk_console.storage.replica import Replica

from support.pdftext import pdftotext
from conftest import ENTERPRISE, NOW
from support.services import draft_for

PROMISED = date(2026, 12, 11)
ACCEPTED = Case(id="c1", case_no="YT0101-20261127-0001", window_code="YT0101", clerk_id="c1",
                applicant_id=ENTERPRISE.id_number, applicant_name=ENTERPRISE.name,
                applicant_kind="enterprise", items=("FOOD",), created_at=NOW,
                status=Status.ACCEPTED, outcome=Outcome.ACCEPTED, accepted_at=NOW,
                promised_date=PROMISED, version=1)
TODAY = date(2026, 12, 4)


def test_one_extension_with_a_reason_before_the_limit_ends():
    """Art. 42(1): 经本行政机关负责人批准，可以延长十日 — once, with the reason told."""
    ext = ACCEPTED.extend(reason=" 需现场核查 ", approved_by="boss", today=TODAY,
                          new_date=date(2026, 12, 25))
    assert ext.promised_date == date(2026, 12, 25) and ext.version == 2
    assert (ext.extension.days, ext.extension.reason, ext.extension.before) == (
        10, "需现场核查", PROMISED)
    assert ext.original_promised == PROMISED
    with pytest.raises(RuleError, match="只允许延长一次"):
        ext.extend(reason="再延", approved_by="boss", today=TODAY, new_date=date(2027, 1, 8))


@pytest.mark.parametrize("case, today, reason, who, refusal", [
    (ACCEPTED, date(2026, 12, 14), "需现场核查", "boss", "届满"),
    (ACCEPTED, TODAY, "  ", "boss", "请填写延期理由"),
    (ACCEPTED, TODAY, "需现场核查", "", "须经负责人批准"),
    (replace(ACCEPTED, status=Status.SIGNPOSTED), TODAY, "需现场核查", "boss", "不能延长办理期限"),
    (replace(ACCEPTED, status=Status.DECIDED), TODAY, "需现场核查", "boss", "不能延长办理期限"),
])
def test_extension_refusals(case, today, reason, who, refusal):
    with pytest.raises(RuleError, match=refusal):
        case.extend(reason=reason, approved_by=who, today=today, new_date=date(2026, 12, 25))


def test_excluded_time_moves_the_promised_date_and_never_overlaps():
    """Art. 45: 所需时间不计算在本节规定的期限内."""
    moved = ACCEPTED.exclude(kind="testing", start=date(2026, 12, 7), end=date(2026, 12, 9),
                             reason="委托检测", today=TODAY, workdays=3,
                             new_date=date(2026, 12, 16))
    assert moved.promised_date == date(2026, 12, 16) and moved.excluded[0].label == "检测"
    with pytest.raises(RuleError, match="重叠"):
        moved.exclude(kind="hearing", start=date(2026, 12, 9), end=date(2026, 12, 10),
                      reason="听证", today=TODAY, workdays=2, new_date=date(2026, 12, 18))
    with pytest.raises(RuleError, match="不是第四十五条所列程序"):
        ACCEPTED.exclude(kind="lunch", start=TODAY, end=TODAY, reason="x", today=TODAY,
                         workdays=1, new_date=PROMISED)
    with pytest.raises(RuleError, match="早于受理日期"):
        ACCEPTED.exclude(kind="hearing", start=date(2026, 11, 20), end=TODAY, reason="听证",
                         today=TODAY, workdays=1, new_date=PROMISED)
    with pytest.raises(RuleError, match="没有工作日"):
        ACCEPTED.exclude(kind="hearing", start=date(2026, 12, 5), end=date(2026, 12, 6),
                         reason="听证", today=TODAY, workdays=0, new_date=PROMISED)


def test_excluded_workdays_count_both_ends_and_skip_the_weekend():
    cal = default_calendar()
    assert excluded_workdays(cal, date(2026, 12, 7), date(2026, 12, 9)) == 3
    assert excluded_workdays(cal, date(2026, 12, 4), date(2026, 12, 7)) == 2  # Fri..Mon
    assert excluded_workdays(cal, date(2026, 12, 5), date(2026, 12, 6)) == 0


def accepted(rep) -> Case:
    return intake.close_intake(rep, draft_for(rep, received=("form", "lease", "plan")),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)


AT = datetime(2026, 12, 4, 10, 0)


def test_service_extends_once_with_a_supervisor_and_owes_the_notice(shop):  # noqa: F811
    case = accepted(shop)
    assert case.promised_date == PROMISED
    with pytest.raises(ServiceError, match="需要负责人确认"):
        time_limits.extend(shop, case, clerk_id="c1", supervisor_id="", reason="需现场核查",
                           now=AT)
    with pytest.raises(ServiceError, match="不是负责人"):
        time_limits.extend(shop, case, clerk_id="c1", supervisor_id="c1", reason="需现场核查",
                           now=AT)
    shop.notice_printed(case.case_no)
    ext = time_limits.extend(shop, case.case_no, clerk_id="c1", supervisor_id="boss",
                             reason="需现场核查", now=AT)
    assert ext.promised_date == date(2026, 12, 25)  # 10 working days after 2026-12-11
    assert shop.get_case(case.case_no) == ext
    assert shop.audit_entries(case.case_no)[0].action == "case.extend"
    assert case.case_no in [c.case_no for c in shop.unprinted_notices()]
    with pytest.raises(ServiceError, match="只允许延长一次"):
        time_limits.extend(shop, ext, clerk_id="c1", supervisor_id="boss", reason="再延",
                           now=AT)
    moved = time_limits.exclude(shop, ext, kind="expert_review", start=date(2026, 12, 7),
                                end=date(2026, 12, 9), reason="组织专家评审", clerk_id="c1",
                                supervisor_id="boss", now=AT)
    assert moved.promised_date == date(2026, 12, 30) and moved.original_promised == PROMISED


def test_a_typed_period_reads_or_is_refused_in_chinese():
    assert time_limits.parse_period(" 2026-12-07 至 2026-12-09 ") == (date(2026, 12, 7),
                                                                       date(2026, 12, 9))
    with pytest.raises(ServiceError, match="无法识别"):
        time_limits.parse_period("下周一到周三")


def extended_and_tested(rep) -> tuple[Case, Case]:
    """An accepted case, then extended (需现场核查经营场所) and 3 working days of testing."""
    case = accepted(rep)
    moved = time_limits.extend(rep, case, clerk_id="c1", supervisor_id="boss",
                               reason="需现场核查经营场所", now=AT)
    return case, time_limits.exclude(rep, moved, kind="testing", start=date(2026, 12, 7),
                                     end=date(2026, 12, 9), reason="委托检测水质", clerk_id="c1",
                                     supervisor_id="boss", now=AT)


def test_the_records_survive_reopening_the_replica_file(replica):
    replica.save_applicant(ENTERPRISE, "c1", at=NOW)
    replica.save_elicences([ELicence(ENTERPRISE.id_number, "BL", "营业执照", "BL-001")])
    case, moved = extended_and_tested(replica)
    path = replica.path
    replica.close()
    with Replica.open(path) as again:
        back = again.get_case(case.case_no)
    assert back.extension == moved.extension and back.excluded == moved.excluded


def test_the_extension_notice_prints_reason_basis_and_the_new_date(shop, tmp_path):  # noqa: F811
    """The paper art. 42(1) and art. 45 want: the reason, the basis and the new date; the
    receipt reprints the date it gave at intake."""
    case, moved = extended_and_tested(shop)
    assert kinds_for(moved) == ["receipt", "extension_notice"]
    home = tmp_path / "home"
    home.mkdir()
    settings = Settings()
    receipt, notice = case_documents(shop, moved, settings=settings, home=home, now=AT)
    text = pdftotext(pdf.render(notice, settings).data, tmp_path)
    assert "延期告知书" in text and case.case_no in text and "需现场核查经营场所" in text
    assert "第四十二条第一款" in text and "第四十五条" in text and "检测" in text
    assert "委托检测水质" in text and "3个工作日" in text and "10个工作日" in text
    assert "原承诺于2026年12月11日（星期五）前办结" in text
    assert "现承诺于2026年12月30日（星期三）前办结" in text
    receipt_text = pdftotext(pdf.render(receipt, settings).data, tmp_path)
    assert "2026年12月11日" in receipt_text and "2026年12月30日" not in receipt_text
