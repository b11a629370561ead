"""``clerk-console workdays DATE N [--json]``: what a clerk asks all day (issue #12)."""
from __future__ import annotations

import json
from datetime import date

from clerk_console.cli import main
from clerk_console.domain.calendar import YearSchedule, legal_holidays


def test_across_new_year_into_the_estimated_2027(tmp_path, monkeypatch, capsys):
    """Thu 2026-12-24 + 10 working days skips a weekend, 元旦 2027 (Friday) and a weekend."""
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(tmp_path / "no-window"))
    assert main(["workdays", "2026-12-24", "10"]) == 0
    out = capsys.readouterr().out
    assert "第10个工作日：2027-01-08（星期五）" in out
    assert "2027-01-01 元旦（推算）" in out and "2026-12-26 星期六" in out
    assert "2027年放假安排尚未公布" in out and "data/calendar" in out


def test_json_names_every_skipped_day_of_the_estimated_spring_festival(tmp_path, monkeypatch,
                                                                       capsys):
    """2027: 除夕 Friday 5 February, 8 days off from 除夕 (国办发明电〔2024〕12号)."""
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(tmp_path / "no-window"))
    assert main(["workdays", "2027-02-04", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["date"] == "2027-02-15" and report["weekday"] == "星期一"
    assert report["estimated"] and report["estimated_years"] == [2027]
    skipped = {s["date"]: s["why"] for s in report["skipped"]}
    assert list(skipped) == [f"2027-02-{d:02d}" for d in range(5, 15)]
    assert skipped["2027-02-05"] == "春节（推算）" and skipped["2027-02-13"] == "星期六"


def test_a_window_uses_its_published_calendar(replica, monkeypatch, capsys):
    """Once the back office publishes 2027 (here: the law's days and a made-up Saturday), the
    count uses it and is no longer an estimate."""
    published = YearSchedule(year=2027, holidays=legal_holidays(2027),
                             workdays=frozenset({date(2027, 2, 20)}), source="测试通知",
                             published=date(2026, 11, 10))
    replica.store_calendar([published])
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(replica.path.parent))
    assert main(["workdays", "2027-02-08", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["estimated"] and report["calendar"].startswith("本窗口日历")
    # 9-12 February work under this notice; Saturday 20 February is a make-up workday
    assert report["date"] == "2027-02-15"
    assert main(["workdays", "2027-02-15", "5"]) == 0
    assert "2027-02-20（星期六）" in capsys.readouterr().out


def test_bad_input_is_told_in_chinese(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(tmp_path / "no-window"))
    assert main(["workdays", "2026-13-01", "3"]) == 2
    assert "年-月-日" in capsys.readouterr().err
    assert main(["workdays", "2026-12-01", "0"]) == 2
    assert "1 到 1000" in capsys.readouterr().err
