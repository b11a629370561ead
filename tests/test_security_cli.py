"""Issue #10: ``cases``, ``notice`` and ``clerk list`` printed personal data to whoever had a
shell on the PC. Now each asks a clerk's id and PIN first (checked as a sign-in: counted,
audited) and the output is audited under that clerk."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from clerk_console import cli
from clerk_console.storage.replica import Replica


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("window")
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 0
    return home


def run(home, *args, stdin=""):
    out = subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir", str(home), *args],
                         input=stdin, capture_output=True, text=True, timeout=120,
                         start_new_session=True)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def _first_case(home) -> tuple[str, str]:
    with Replica.open(home / "replica.sqlite3") as rep:
        case = rep.list_cases(limit=1)[0]
        return case.case_no, case.applicant_name


def test_cases_without_a_pin_print_nothing(demo_home):
    no, name = _first_case(demo_home)
    for stdin, args, code in (("", (), 2), ("", ("--as", "demo"), 2),
                              ("000000\n", ("--as", "demo"), 1),
                              ("123456\n", ("--as", "nobody"), 1)):
        out = run(demo_home, "cases", "--json", *args, stdin=stdin)
        assert out.returncode == code and no not in out.stdout, (args, out.stderr)
    out = run(demo_home, "cases", "--json", "--as", "demo", stdin="123456\n")
    assert out.returncode == 0 and no in out.stdout
    assert "123456" not in out.stdout + out.stderr
    with Replica.open(demo_home / "replica.sqlite3") as rep:
        entries = rep.audit_entries(limit=20)
        listed = [e for e in entries if e.action == "cases.list"]
        assert listed and listed[0].clerk_id == "demo"
        assert any(e.action == "clerk.login_failed" and e.subject == "demo" for e in entries)
        rep.unlock_clerk("demo")


def test_notice_without_a_pin_writes_nothing(demo_home, tmp_path):
    no, _name = _first_case(demo_home)
    pdf = tmp_path / "n.pdf"
    out = run(demo_home, "notice", no, "--pdf", str(pdf), "--as", "demo", stdin="999999\n")
    assert out.returncode == 1 and "工号或 PIN 错误" in out.stderr and not pdf.exists()
    out = run(demo_home, "notice", no, "--text")
    assert out.returncode == 2 and out.stdout.strip() in ("", "窗口人员工号：")
    out = run(demo_home, "notice", no, "--pdf", str(pdf), "--as", "boss", stdin="654321\n")
    assert out.returncode == 0 and pdf.stat().st_size > 0
    with Replica.open(demo_home / "replica.sqlite3") as rep:
        reprint = [e for e in rep.audit_entries(subject=no) if e.action == "notice.reprint"][0]
        assert reprint.clerk_id == "boss" and "case_clerk" in reprint.detail
        rep.unlock_clerk("demo")


def test_clerk_list_without_a_pin_prints_no_names(demo_home):
    out = run(demo_home, "clerk", "list")
    assert out.returncode == 2 and "demo" not in out.stdout
    out = run(demo_home, "clerk", "list", "--json", "--as", "demo", stdin="123456\n")
    assert out.returncode == 0
    assert {json.loads(line)["id"] for line in out.stdout.splitlines()} >= {"demo", "boss"}
