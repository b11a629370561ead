"""Load and validate the holiday schedules under ``data/calendar/`` (one ``YYYY.toml`` a year).

File format (see ``data/calendar/README.md``)::

    year = 2026
    source = "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
    published = 2025-11-04
    workdays = [2026-01-04, 2026-02-14]   # make-up working days (调休上班)

    [holidays]
    2026-01-01 = "元旦"

A malformed file is refused with a ``CalendarFileError`` naming the file, the key or line and
the reason in Chinese; the good years stay in use. The same validation serves the dict form
(``schedule_to_dict``/``schedule_from_dict``) stored in the replica and sent by sync, where
``published`` may be absent (chinese_calendar carries no publication dates).
"""
from __future__ import annotations

import logging
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

from clerk_console import toml_text
from clerk_console.domain.calendar import (
    STATUTORY_LAW_FROM,
    WorkCalendar,
    YearSchedule,
    default_calendar,
    legal_holidays,
    weekday_name,
)

from clerk_console.datafiles.catalogue import DataFileError

log = logging.getLogger(__name__)

README_HINT = "格式见 data/calendar/README.md"
_KEYS = {"year", "source", "published", "holidays", "workdays", "estimated"}
_FILE_NAME = re.compile(r"^\d{4}$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


class CalendarFileError(DataFileError):
    """A calendar file or record that cannot be used; ``str()`` is the Chinese message."""

    label = "日历数据"


class _Validator:
    """Turns raw TOML/dict data into a YearSchedule, raising CalendarFileError on the first fault."""

    def __init__(self, origin: str, text: str = "", file_year: int | None = None,
                 require_published: bool = True):
        self.origin, self.lines, self.file_year = origin, text.splitlines(), file_year
        # Files must name their notice's date; stored records from chinese_calendar have none.
        self.require_published = require_published

    def fail(self, reason: str, key: str = "", token: str = "") -> CalendarFileError:
        in_list = key == "workdays" and bool(token)  # a date inside the workdays array
        return CalendarFileError(self.origin, reason, key, self._line_of(token or key, in_list))

    def _line_of(self, token: str, in_list: bool) -> int | None:
        """Line of ``token``: where it is assigned as a key, or (``in_list``) where it is a value."""
        if not token:
            return None
        assigned = re.compile(rf"^\s*\"?{re.escape(token)}\"?\s*=")
        for number, line in enumerate(self.lines, start=1):
            code = line.split("#", 1)[0]
            if in_list and token in code and not assigned.search(code):
                return number
            if not in_list and (assigned.search(code) or code.strip() == f"[{token}]"):
                return number
        return None

    def date_value(self, value: object, key: str, token: str = "") -> date:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                raise self.fail(f"“{value}”不是有效日期，请写成 YYYY-MM-DD 形式的真实日期",
                                key, token) from None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(f"应为日期（YYYY-MM-DD），现为“{value}”", key, token)
        return value

    def in_year(self, d: date, year: int, key: str, token: str) -> None:
        # The notice of ``year`` may also move late-December days of the year before.
        if d.year != year and not (d.year == year - 1 and d.month == 12):
            raise self.fail(f"日期 {d} 不属于{year}年，请放到 {d.year}.toml", key, token)

    def schedule(self, raw: dict) -> YearSchedule:
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise self.fail(f"不认识的键“{unknown[0]}”，只允许 {'、'.join(sorted(_KEYS))}；{README_HINT}",
                            unknown[0])
        year = raw.get("year", self.file_year)
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise self.fail(f"年份应为四位整数，现为“{year}”", "year")
        if self.file_year is not None and year != self.file_year:
            raise self.fail(f"文件内年份 {year} 与文件名年份 {self.file_year} 不一致，请改成一致", "year")
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            raise self.fail(f"缺少来源说明：请写明发布文件的名称和文号；{README_HINT}", "source")
        estimated = raw.get("estimated", False)
        if not isinstance(estimated, bool):
            raise self.fail("estimated 应为 true 或 false", "estimated")
        published = raw.get("published")
        if published is None:
            if self.require_published and not estimated:
                raise self.fail(f"缺少发布日期 published（如 {year - 1}-11-04）；{README_HINT}", "published")
        else:
            published = self.date_value(published, "published")
        holidays = self.holidays(raw.get("holidays"), year)
        workdays = self.workdays(raw.get("workdays", []), year, holidays)
        if not estimated and year >= STATUTORY_LAW_FROM:
            for d, name in legal_holidays(year).items():
                if d not in holidays:
                    raise self.fail(f"法定节假日 {d}（{name}）未列入放假日期，请核对放假通知", "holidays")
        return YearSchedule(year=year, holidays=holidays, workdays=frozenset(workdays),
                            source=source.strip(), published=published, estimated=estimated)

    def holidays(self, table: object, year: int) -> dict[date, str]:
        if not isinstance(table, dict) or not table:
            raise self.fail(f"缺少 [holidays] 表（每行：日期 = \"节日名\"）；{README_HINT}", "holidays")
        holidays: dict[date, str] = {}
        for key, name in table.items():
            label = f"holidays.{key}"
            d = self.date_value(str(key), label, str(key))
            if not isinstance(name, str) or not name.strip():
                raise self.fail("节日名称应为非空文字，如 \"春节\"", label, str(key))
            self.in_year(d, year, label, str(key))
            holidays[d] = name.strip()
        return dict(sorted(holidays.items()))

    def workdays(self, values: object, year: int, holidays: dict[date, str]) -> list[date]:
        if not isinstance(values, list):
            raise self.fail("workdays 应为日期列表，如 [2026-02-14, 2026-02-28]", "workdays")
        days = []
        for value in values:
            token = value.isoformat() if isinstance(value, date) else str(value)
            d = self.date_value(value, "workdays", token)
            self.in_year(d, year, "workdays", token)
            if d.weekday() < 5:
                raise self.fail(f"{d} 是{weekday_name(d)}，本来就上班；调休上班日只能是周六或周日",
                                "workdays", token)
            if d in holidays:
                raise self.fail(f"{d} 同时列为放假日和调休上班日，请删去其一", "workdays", token)
            days.append(d)
        return days


def load_calendar_file(path: Path) -> YearSchedule:
    """One ``YYYY.toml`` file -> YearSchedule; CalendarFileError when it cannot be used."""
    path = Path(path)
    name = path.name
    file_year = int(path.stem) if _FILE_NAME.match(path.stem) else None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarFileError(name, "文件不存在，请检查路径") from None
    except UnicodeDecodeError:
        raise CalendarFileError(name, "文件不是 UTF-8 编码，请用 UTF-8 保存") from None
    except OSError as exc:
        raise CalendarFileError(name, f"无法读取文件（{exc.strerror}）") from None
    try:
        raw = toml_text.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        detail = _TOML_POSITION.sub("", str(exc)).strip()
        raise CalendarFileError(name, f"TOML 格式错误（{detail}），请改正该行；{README_HINT}",
                                line=int(match.group(1)) if match else None) from None
    return _Validator(name, text, file_year).schedule(raw)


def read_calendar_folder(folder: Path) -> tuple[dict[int, YearSchedule], list[CalendarFileError]]:
    """Every good ``YYYY.toml`` in ``folder`` by year, and the errors of the refused files."""
    schedules: dict[int, YearSchedule] = {}
    errors: list[CalendarFileError] = []
    folder = Path(folder)
    if not folder.is_dir():
        return schedules, errors
    for path in sorted(folder.glob("*.toml")):
        if not _FILE_NAME.match(path.stem):
            errors.append(CalendarFileError(path.name, "文件名应为四位年份，如 2027.toml"))
            continue
        try:
            schedule = load_calendar_file(path)
        except CalendarFileError as exc:
            errors.append(exc)
            continue
        schedules[schedule.year] = schedule
    return schedules, errors


def load_calendar(folder: Path) -> WorkCalendar:
    """chinese_calendar's years overridden by the good files in ``folder``; refused files are
    logged and left out (their years fall back to chinese_calendar or the statutory estimate)."""
    schedules, errors = read_calendar_folder(folder)
    for error in errors:
        log.warning("%s", error)
    return default_calendar(schedules)


def schedule_to_dict(schedule: YearSchedule) -> dict:
    """JSON-ready form for the replica and the sync wire format."""
    data = {
        "year": schedule.year,
        "source": schedule.source,
        "published": schedule.published.isoformat() if schedule.published else None,
        "holidays": {d.isoformat(): name for d, name in sorted(schedule.holidays.items())},
        "workdays": [d.isoformat() for d in sorted(schedule.workdays)],
    }
    if schedule.estimated:
        data["estimated"] = True
    return data


def schedule_from_dict(data: dict, origin: str = "同步数据") -> YearSchedule:
    """Inverse of ``schedule_to_dict``, validated like a file; CalendarFileError on bad data."""
    if not isinstance(data, dict):
        raise CalendarFileError(origin, "日历记录应为键值对象")
    raw = {k: v for k, v in data.items() if not (k == "published" and v is None)}
    return _Validator(origin, require_published=False).schedule(raw)
