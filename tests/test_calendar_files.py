"""data/calendar/*.toml: the shipped 2026 file, validation of malformed files, dict round trip."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from clerk_console.config import data_root
from clerk_console.domain.calendar import (
    chinese_calendar_years,
    default_calendar,
    legal_holidays,
    schedule_from_chinese_calendar,
    statutory_days,
)
from clerk_console.datafiles.calendar import (
    CalendarFileError,
    load_calendar,
    load_calendar_file,
    read_calendar_folder,
    schedule_from_dict,
    schedule_to_dict,
)

SHIPPED = data_root() / "calendar"
GOOD_2026 = (SHIPPED / "2026.toml").read_text(encoding="utf-8")


def statutory_table(year):
    return "\n".join(f'{d} = "{name}"' for d, name in statutory_days(year).items())


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_files_load_and_2026_matches_the_notice():
    schedules, errors = read_calendar_folder(SHIPPED)
    assert errors == []
    assert 2027 not in schedules  # never invented before the notice is published
    s = schedules[2026]
    reference = schedule_from_chinese_calendar(2026)
    assert s.holidays == reference.holidays and s.workdays == reference.workdays
    assert s.published == date(2025, 11, 4)
    assert "国办发明电〔2025〕7号" in s.source
    assert len([d for d, n in s.holidays.items() if n == "春节"]) == 9
    cal = load_calendar(SHIPPED)
    assert cal.is_estimated(2027) and not cal.is_estimated(2026)


def test_round_trip_through_dict():
    s = load_calendar_file(SHIPPED / "2026.toml")
    data = schedule_to_dict(s)
    assert data["holidays"]["2026-02-15"] == "春节"
    assert "2026-02-14" in data["workdays"]
    assert schedule_from_dict(data) == s


def test_every_chinese_calendar_year_survives_the_dict_round_trip():
    # The replica stores all non-estimated years of the calendar it is given.
    cal = default_calendar()
    for year in chinese_calendar_years():
        schedule = cal.schedule(year)
        assert schedule_from_dict(schedule_to_dict(schedule), f"本机日历 {year}") == schedule
    assert "抗日战争" in cal.holiday_name(date(2015, 9, 3))


def test_good_2027_file_is_used(tmp_path):
    write(tmp_path, "2027.toml", f"""
source = "测试：假定的2027年通知"
published = 2026-11-10
workdays = [2027-02-20]
[holidays]
{statutory_table(2027)}
2027-02-09 = "春节"
""")
    cal = load_calendar(tmp_path)
    assert not cal.is_estimated(2027)
    assert not cal.is_workday(date(2027, 2, 9))
    assert cal.is_workday(date(2027, 2, 20))


def test_file_checked_against_the_law_not_the_estimate(tmp_path):
    # 2028: Mid-Autumn on 3 October; the estimate adds 4 October, a real notice need not.
    table = "\n".join(f'{d} = "{name}"' for d, name in legal_holidays(2028).items())
    write(tmp_path, "2028.toml", f'source = "测试"\npublished = 2027-11-01\n[holidays]\n{table}\n')
    schedules, errors = read_calendar_folder(tmp_path)
    assert errors == [] and date(2028, 10, 4) not in schedules[2028].holidays


@pytest.mark.parametrize("text, key, line, reason", [
    ('year = 2027\nsource = "x"\npublished = 2026-11-10\n[holidays\n', "", 4, "TOML 格式错误"),
    ('source = "x"\npublished = 2026-11-10\n[holidays]\n2027-02-30 = "春节"\n',
     "holidays.2027-02-30", 4, "不是有效日期"),
    ('source = "x"\npublished = 2026-11-10\nworkdays = [2027-02-17]\n[holidays]\n{table}\n',
     "workdays", 3, "本来就上班"),
    ('source = "x"\npublished = 2026-11-10\nworkdays = [2027-02-06]\n[holidays]\n{table}\n',
     "workdays", 3, "同时列为放假日和调休上班日"),
    ('source = "x"\npublished = 2026-11-10\n[holidays]\n2027-01-01 = "元旦"\n',
     "holidays", 3, "法定节假日 2027-02-05（春节）未列入"),
    ('source = "x"\npublished = 2026-11-10\nholiday = 1\n[holidays]\n{table}\n',
     "holiday", 3, "不认识的键"),
    ('year = 2028\nsource = "x"\npublished = 2026-11-10\n[holidays]\n{table}\n',
     "year", 1, "与文件名年份 2027 不一致"),
    ('published = 2026-11-10\n[holidays]\n{table}\n', "source", None, "缺少来源说明"),
    ('source = "x"\n[holidays]\n{table}\n', "published", None, "缺少发布日期"),
    ('source = "x"\npublished = 2026-11-10\n[holidays]\n{table}\n2026-06-01 = "儿童节"\n',
     "holidays.2026-06-01", 17, "不属于2027年"),
    ('source = "x"\npublished = "下个月"\n[holidays]\n{table}\n', "published", 2, "不是有效日期"),
    ('source = "x"\npublished = 2026-11-10\n[holidays]\n2027-01-01 = ""\n', "holidays.2027-01-01", 4,
     "非空文字"),
])
def test_malformed_file_refused_with_file_key_line_and_reason(tmp_path, text, key, line, reason):
    write(tmp_path, "2026.toml", GOOD_2026)
    write(tmp_path, "2027.toml", text.replace("{table}", statutory_table(2027)))
    schedules, errors = read_calendar_folder(tmp_path)
    assert list(schedules) == [2026]  # the good year stays in use
    [error] = errors
    assert isinstance(error, CalendarFileError)
    assert error.origin == "2027.toml"
    assert (error.key, error.line) == (key, line)
    assert reason in error.reason
    assert str(error).startswith("日历数据 2027.toml")
    cal = load_calendar(tmp_path)
    assert cal.is_estimated(2027) and not cal.is_estimated(2026)


def test_bad_2026_file_falls_back_to_chinese_calendar(tmp_path, caplog):
    write(tmp_path, "2026.toml", GOOD_2026.replace("2026-02-28,", "2026-02-27,"))
    cal = load_calendar(tmp_path)
    assert "2026-02-27" in caplog.text and "周六或周日" in caplog.text
    assert cal.is_workday(date(2026, 2, 28)) and not cal.is_estimated(2026)


def test_file_name_encoding_and_missing(tmp_path):
    write(tmp_path, "calendar-2027.toml", 'source = "x"\n')
    (tmp_path / "2028.toml").write_bytes("source = '测试'".encode("gb18030"))
    _, errors = read_calendar_folder(tmp_path)
    assert [e.origin for e in errors] == ["2028.toml", "calendar-2027.toml"]
    assert "UTF-8" in errors[0].reason and "四位年份" in errors[1].reason
    with pytest.raises(CalendarFileError, match="文件不存在"):
        load_calendar_file(tmp_path / "2030.toml")
    assert read_calendar_folder(tmp_path / "absent") == ({}, [])


def test_back_office_loads_one_file_by_path(tmp_path):
    path = tmp_path / "upload.toml"
    shutil.copy(SHIPPED / "2026.toml", path)
    assert load_calendar_file(path).year == 2026  # year key used when the name is not a year


def test_schedule_from_dict_refuses_bad_records():
    data = schedule_to_dict(schedule_from_chinese_calendar(2025))
    data["published"] = "2024-11-12"
    assert schedule_from_dict(data).year == 2025
    with pytest.raises(CalendarFileError, match="同步数据.*workdays.*2025-01-01 是星期三"):
        schedule_from_dict({**data, "workdays": ["2025-01-01"]})
    with pytest.raises(CalendarFileError, match="键值对象"):
        schedule_from_dict(["2025"])
