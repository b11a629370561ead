"""The dashboard's rollup: per day, the figures that do not depend on ``today``
(``service.ROLLED``), per window (``bo_dashboard_window``) and per department
(``bo_dashboard_dept``).

A write that changes a day's facts marks the day in ``bo_dashboard_dirty`` in its own
transaction (``service.facts.mark_dirty``: a new ``gen`` each time). :func:`refresh` rebuilds
the marked days from the fact tables — the dashboard's grouped queries restricted to those
days, folded in Python — replaces their rollup rows, and clears each mark only if its ``gen``
is still the one it read: a writer that marked the day again meanwhile keeps its mark, and
the next read rebuilds the day once more. One rebuild at a time (on PostgreSQL an advisory
lock; SQLite has one writer anyway), so a mark is never cleared by a rebuild that did not
read it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select

from clerk_console.backoffice.service.common import (CASE, DAY_D, DAY_W, DIRTY, FOLLOWUP, ITEM,
                                                     RATING, _bound, _chunks, _driver_cursor,
                                                     _placeholders)

from .service import (CASE_FIGURES, ITEM_ROLLED, NOT_TAKEN, RATING_ROLLED, ROLLED, TAKEN,
                      UNKNOWN_DEPT, _case_columns, _item_columns, _rating_columns,
                      departments_in, departments_of)

LOCK_KEY = 870005  # pg_advisory_xact_lock: one rebuild at a time (migrations hold 870001)
DAYS_PER_QUERY = 62  # the days one grouped query rebuilds

Days = dict[tuple[date, str], list[int]]  # (day, window id or department) -> ROLLED figures


def refresh(conn: Connection) -> int:
    """Rebuild the rollup of every marked day, in the caller's transaction; how many days."""
    if conn.execute(select(DIRTY.c.day).limit(1)).first() is None:
        return 0
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
    marks = conn.execute(select(DIRTY.c.day, DIRTY.c.gen).order_by(DIRTY.c.day)).all()
    item_dept = departments_of(conn)[0]
    for part in _chunks(marks, DAYS_PER_QUERY):
        days = [d for d, _gen in part]
        windows, depts = _rebuild(conn, days, item_dept)
        for table, key, rows in ((DAY_W, "window_id", windows), (DAY_D, "dept", depts)):
            conn.execute(delete(table).where(table.c.day.in_(days)))
            _insert_rows(conn, table, key, rows)
    if marks:  # last: a writer marking one of these days waits only for the commit
        conn.execute(delete(DIRTY).where((DIRTY.c.day == bindparam("b_day"))
                                         & (DIRTY.c.gen <= bindparam("b_gen"))),
                     [dict(b_day=d, b_gen=g) for d, g in marks])
    return len(marks)


def _insert_rows(conn: Connection, table: Any, key: str, rows: Days) -> None:
    """The rollup rows through the driver's cursor, none of SQLAlchemy's per-row work: COPY on
    PostgreSQL (a year's 70,000 rows in a fraction of a second), executemany on SQLite."""
    columns = f"day, {key}, {', '.join(ROLLED)}"
    values = [(_bound(conn, table.c.day, day), k, *figures)
              for (day, k), figures in rows.items()]
    with _driver_cursor(conn) as cur:
        if conn.dialect.name == "postgresql":
            with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cur.executemany(f"INSERT INTO {table.name} ({columns}) "
                            f"VALUES ({_placeholders(conn, 2 + len(ROLLED))})", values)


def _rebuild(conn: Connection, days: list[date],
             item_dept: dict[str, str]) -> tuple[Days, Days]:
    """The rollup rows of ``days``: by window and by department. Each fact table is grouped
    twice, by day and window and by day and set of items (or the item's department), so the
    groups are a few per window and day, not one per case."""
    windows: Days = {}
    depts: Days = {}

    def add(into: Days, key: tuple[date, str], at: list[int], values: Any) -> None:
        have = into.get(key)
        if have is None:
            have = into[key] = [0] * len(ROLLED)
        for j, v in zip(at, values):
            have[j] += int(v)

    c, i, r, f = CASE.c, ITEM.c, RATING.c, FOLLOWUP.c
    rated = RATING.outerjoin(FOLLOWUP, and_(f.window_id == r.window_id, f.case_no == r.case_no))
    for day_col, cols, names, source, where, by_window, by_dept in (
            (c.taken_on, _case_columns(), CASE_FIGURES, CASE,
             c.taken_on.in_(days) & c.outcome.in_(TAKEN), c.window_id, c.item_codes),
            (r.rated_on, _rating_columns(), RATING_ROLLED, rated, r.rated_on.in_(days),
             r.window_id, r.item_codes),
            (i.accepted_on, _item_columns(), ITEM_ROLLED, ITEM,
             i.accepted_on.in_(days) & i.case_status.notin_(NOT_TAKEN), i.window_id, i.dept)):
        at = [ROLLED.index(n) for n in names]
        for key, into in ((by_window, windows), (by_dept, depts)):
            q = (select(day_col, key, *cols).select_from(source).where(where)
                 .group_by(day_col, key))
            for day, k, *values in conn.execute(q):
                if into is windows:
                    add(windows, (day, k), at, values)
                elif key is i.dept:  # an item: its own department
                    add(depts, (day, k or UNKNOWN_DEPT[0]), at, values)
                else:  # a set of items: each of its departments once
                    for dept in departments_in(k or "", item_dept):
                        add(depts, (day, dept), at, values)
    return windows, depts
