"""``clerk-console workdays DATE N``: the N-th working day after DATE, as deadlines count it.

The window's own calendar (published years from the back office) when the window has a
replica, else the shipped ``data/calendar`` files; years without a published schedule are
estimated (``domain.calendar.estimated_days_off``) and said so. Exit 0, or 2 on bad input.
"""
from __future__ import annotations

import json
import sys
from datetime import date

from clerk_console import config


def run(args) -> int:
    try:
        start = date.fromisoformat(args.date.strip())
    except ValueError:
        print(f"日期“{args.date}”不正确：请写成 年-月-日，如 2026-12-24", file=sys.stderr)
        return 2
    if args.days < 1 or args.days > 1000:
        print(f"工作日天数应为 1 到 1000 的整数，现为 {args.days}", file=sys.stderr)
        return 2
    cal, where = _calendar(args)
    result = cal.add_workdays(start, args.days)
    skipped = cal.days_not_counted(start, result.day)
    if args.json:
        print(json.dumps({
            "start": start.isoformat(), "days": args.days, "date": result.day.isoformat(),
            "weekday": _weekday(result.day), "estimated": result.estimated,
            "estimated_years": list(result.estimated_years), "calendar": where,
            "skipped": [{"date": d.isoformat(), "why": why} for d, why in skipped]},
            ensure_ascii=False))
        return 0
    print(f"{start.isoformat()}（{_weekday(start)}）后第{args.days}个工作日："
          f"{result.day.isoformat()}（{_weekday(result.day)}）")
    if skipped:
        print("不计：" + "、".join(f"{d.isoformat()} {why}" for d, why in skipped))
    if result.estimated:
        years = "、".join(str(y) for y in result.estimated_years)
        print(f"注意：{years}年放假安排尚未公布，按《全国年节及纪念日放假办法》和放假调休原则推算，"
              "不含调休上班日；公布后以公布的安排为准。")
    print(f"日历：{where}")
    return 0


def _weekday(d: date) -> str:
    from clerk_console.domain.calendar import weekday_name

    return weekday_name(d)


def _calendar(args):
    home = config.home(getattr(args, "data_dir", None))
    replica_file = home / config.REPLICA_FILE
    if replica_file.exists():
        from clerk_console.storage.replica import Replica

        with Replica.open(replica_file) as replica:
            return replica.calendar(), "本窗口日历（后台发布的年份与内置数据）"
    from clerk_console.datafiles.calendar import load_calendar

    return load_calendar(config.data_root() / "calendar"), "程序自带日历（data/calendar）"
