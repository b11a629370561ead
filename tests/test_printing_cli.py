"""``clerk-console notice CASE_NO``: reprint from a real replica file."""
from __future__ import annotations

import importlib.util
from datetime import date, datetime

import pytest

from clerk_console.storage.replica import Replica
from support.cli import main
from support.printing import flat, pdf_text, sample_applicant, sample_cases, sample_catalogue


DEMO = ("demo", "123456")  # the demo replica's clerk


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(tmp_path / "home"))
    replica = Replica.open(tmp_path / "home" / "replica.sqlite3")
    try:
        replica.store_catalogue(sample_catalogue())
        replica.set_window("YT0103", "3号综合窗口", "烟台市政务服务中心")
        replica.add_clerk("C007", "李受理", "246800")
        replica.save_applicant(sample_applicant(), "C007")
        for case in sample_cases().values():
            replica.save_case(case, clerk_id="C007", action="intake.close")
    finally:
        replica.close()
    return tmp_path / "home"


def test_reprint_pdf_has_every_document_and_is_stable(home, tmp_path):
    no = sample_cases()["deferred"].case_no
    assert main(["notice", no, "--pdf", str(tmp_path / "a.pdf")]) == 0
    assert main(["notice", no.lower(), "--pdf", str(tmp_path / "b.pdf")]) == 0
    first = pdf_text((tmp_path / "a.pdf").read_bytes())
    assert first == pdf_text((tmp_path / "b.pdf").read_bytes())
    text = flat(first)
    for s in ("容缺受理通知书", "容缺受理承诺书", no, "3706**********1237", "李受理", "3号综合窗口",
              "经营场所平面图", "2026年12月4日（星期五）前（自受理之日起5个工作日内", "废止"):
        assert s in text, s
    replica = Replica.open(home / "replica.sqlite3")
    try:
        assert [e.action for e in replica.audit_entries(no)].count("notice.reprint") == 2
    finally:
        replica.close()


def test_text_escpos_kind_and_printer(home, tmp_path, capsys):
    no = sample_cases()["signposted"].case_no
    assert main(["notice", no, "--text"]) == 0
    out = capsys.readouterr().out
    assert "办事指引单" in out and "烟台市公安局治安支队" in out
    assert main(["notice", no, "--escpos", str(tmp_path / "r.bin")]) == 0
    assert (tmp_path / "r.bin").read_bytes().startswith(b"\x1b@\x1c&")
    no = sample_cases()["delivered"].case_no
    assert main(["notice", no, "--kind", "delivery", "--text"]) == 0
    out = capsys.readouterr().out
    assert "出件回执" in out and "受理回执" not in out
    assert main(["notice", no]) == 0  # default printer: save PDF to <home>/notices
    assert (home / "notices" / f"{no}-receipt-all.pdf").exists()
    assert "已保存为 PDF" in capsys.readouterr().err


def test_hall_wording_from_home_templates(home, tmp_path, capsys):
    (home / "templates").mkdir()
    (home / "templates" / "receipt.toml").write_text(
        'title = "受理通知书"\npromise = "{nosuch}"\n', encoding="utf-8")
    no = sample_cases()["accepted"].case_no
    assert main(["notice", no, "--pdf", str(tmp_path / "r.pdf")]) == 0
    assert "受理通知书" in flat(pdf_text((tmp_path / "r.pdf").read_bytes()))
    assert "receipt.toml 的“promise”使用了未知的占位符 {nosuch}" in capsys.readouterr().err


def test_errors_are_chinese(home, capsys):
    assert main(["notice", "YT0103-20261127-0999", "--text"]) == 1
    assert "未找到办件" in capsys.readouterr().err
    assert main(["notice", "nonsense", "--text"]) == 1
    assert "格式不对" in capsys.readouterr().err
    assert main(["notice", sample_cases()["accepted"].case_no, "--kind", "poster"]) == 2
    assert "未知的文书种类" in capsys.readouterr().err


def test_handover_report_from_the_replica(home):
    from clerk_console.config import Settings
    from clerk_console.printing import pdf
    from clerk_console.printing.notices import handover_document

    replica = Replica.open(home / "replica.sqlite3")
    try:
        doc = handover_document(replica, date(2026, 11, 27), settings=Settings(), home=home,
                                now=datetime(2026, 11, 27, 17, 30), clerk_name="李受理")
    finally:
        replica.close()
    text = flat(pdf_text(pdf.render(doc).data))
    on_day = [c for c in sample_cases().values() if c.created_at.date() == date(2026, 11, 27)]
    assert f"办件总数{len(on_day)}" in text and "3号综合窗口" in text
    assert all(c.case_no in text for c in on_day)


def test_no_replica_yet(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(tmp_path / "empty"))
    assert main(["notice", "YT0103-20261127-0001", "--text"]) == 1
    assert "还没有数据" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("clerk_console.commands.demo") is None,
                    reason="the demo command has not landed yet")
def test_every_document_of_the_demo_cases(tmp_path, monkeypatch):
    from clerk_console.config import Settings
    from clerk_console.domain.masking import mask_id
    from clerk_console.printing import pdf
    from clerk_console.printing.documents import kinds_for
    from clerk_console.printing.notices import case_documents

    home = tmp_path / "demo"
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(home))
    monkeypatch.setenv("CLERK_CONSOLE_DEMO_HOME", str(home))  # the demo has its own folder
    assert main(["demo", "--init-only", "--no-backoffice"]) == 0
    replica = Replica.open(home / "replica.sqlite3")
    try:
        cases = [c for c in replica.list_cases() if c.outcome]
        catalogue = replica.catalogue()
        assert {c.outcome for c in cases} >= {"accepted", "deferred", "notified", "signposted",
                                              "approved_on_commitment"}
        for case in cases:
            docs = case_documents(replica, case, settings=Settings(), home=home,
                                  now=datetime(2026, 11, 27, 12, 0))
            assert [d.kind for d in docs] == kinds_for(case)
            text = flat(pdf_text(pdf.render(docs).data))
            applicant = replica.find_applicant(case.applicant_id)
            id_kind = applicant.id_kind if applicant else "resident_id"
            for s in [case.case_no, mask_id(case.applicant_id, id_kind)] + list(case.items) + [
                    catalogue.items[code].name for code in case.items if code in catalogue.items]:
                assert flat(s) in text, (case.case_no, s)
            for doc in docs:
                assert flat(doc.title) in text
    finally:
        replica.close()
    deferred = next(c for c in cases if c.outcome == "deferred")
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert main(["notice", deferred.case_no, "--pdf", str(a)], DEMO) == 0
    assert main(["notice", deferred.case_no, "--pdf", str(b)], DEMO) == 0
    assert pdf_text(a.read_bytes()) == pdf_text(b.read_bytes())
