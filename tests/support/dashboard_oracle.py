"""The dashboard as it was before its rollup (issue #14), kept as the test oracle: every
figure aggregated straight from the fact tables over the whole range, in one pass, ``today``
and all. tests/test_dashboard_rollup.py checks the rollup's answer against it."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select

from clerk_console.backoffice.dashboard import service
from clerk_console.backoffice.dashboard.service import (CASE_FIGURES, ITEM_FIGURES, NOT_TAKEN,
                                                        RATING_FIGURES, TAKEN, UNKNOWN_DEPT,
                                                        Dashboard, Figures, Row, _case_columns,
                                                        _n, check_range, departments_of)
from clerk_console.backoffice.service.common import CASE, FOLLOWUP, ITEM, RATING, W
from clerk_console.domain.case import Status
from clerk_console.domain.rating import BAD_LEVELS


def _item_columns(today: date) -> list[Any]:
    """The rollup's item columns (the same SQL: what is on time did not change) and the
    figure of ``today``, over the whole range at once."""
    i = ITEM.c
    return [*service._item_columns(),
            _n(i.open & (i.case_status != Status.DEFERRED.value) & (i.due < today))]


def _rating_columns(today: date) -> list[Any]:
    r, f = RATING.c, FOLLOWUP.c
    bad = r.level.in_(sorted(BAD_LEVELS))
    return [*service._rating_columns(), _n(bad & (f.status == "open") & (f.due < today))]


Sums = dict[tuple[str, str], list[int]]  # (window id, item codes) -> figures


def _case_sums(conn: Connection, start: date, end: date) -> Sums:
    """One scan of the cases taken in the range, grouped by window and set of items."""
    c = CASE.c
    q = (select(c.window_id, c.item_codes, *_case_columns())
         .where(c.taken_on.between(start, end) & c.outcome.in_(TAKEN))
         .group_by(c.window_id, c.item_codes))
    return {(row[0], row[1] or ""): [int(v) for v in row[2:]] for row in conn.execute(q)}


def _item_sums(conn: Connection, start: date, end: date, today: date) -> Sums:
    """One scan of the items of the cases taken in the range, by window and department."""
    i = ITEM.c
    q = (select(i.window_id, i.dept, *_item_columns(today))
         .where(i.accepted_on.between(start, end) & i.case_status.notin_(NOT_TAKEN))
         .group_by(i.window_id, i.dept))
    return {(row[0], row[1] or UNKNOWN_DEPT[0]): [int(v) for v in row[2:]]
            for row in conn.execute(q)}


def _rating_sums(conn: Connection, start: date, end: date, today: date) -> Sums:
    """One scan of the ratings given in the range (with their follow-ups), grouped alike."""
    r, f = RATING.c, FOLLOWUP.c
    source = RATING.outerjoin(FOLLOWUP, and_(f.window_id == r.window_id,
                                             f.case_no == r.case_no))
    q = (select(r.window_id, r.item_codes, *_rating_columns(today)).select_from(source)
         .where(r.rated_on.between(start, end)).group_by(r.window_id, r.item_codes))
    return {(row[0], row[1] or ""): [int(v) for v in row[2:]] for row in conn.execute(q)}


def _fold(sums: Sums, by: int) -> dict[str, list[int]]:
    """``sums`` added up by window (``by=0``) or by set of items (``by=1``)."""
    out: dict[str, list[int]] = {}
    for key, values in sums.items():
        have = out.get(key[by])
        out[key[by]] = values if have is None else [a + b for a, b in zip(have, values)]
    return out


def _figures(cases: list[int] | None, ratings: list[int] | None,
             items: list[int] | None = None) -> Figures:
    values = dict(zip(CASE_FIGURES, cases or [0] * len(CASE_FIGURES), strict=True))
    values.update(zip(RATING_FIGURES, ratings or [0] * len(RATING_FIGURES), strict=True))
    values.update(zip(ITEM_FIGURES, items or [0] * len(ITEM_FIGURES), strict=True))
    return Figures(**values)


def dashboard(conn: Connection, start: date, end: date, *, today: date) -> Dashboard:
    """The figures of the cases taken and the ratings given from ``start`` to ``end``
    (both included); ``today`` decides what is overdue."""
    check_range(start, end)
    windows = {wid: code for wid, code in conn.execute(select(W.c.id, W.c.code))}
    cases, ratings = _case_sums(conn, start, end), _rating_sums(conn, start, end, today)
    items = _item_sums(conn, start, end, today)
    by_window = [_fold(cases, 0), _fold(ratings, 0), _fold(items, 0)]
    window_rows = []
    total = Figures()
    for wid in sorted(set().union(*by_window), key=lambda w: windows.get(w, w)):
        row = Row(windows.get(wid, wid), windows.get(wid, wid),
                  _figures(*(part.get(wid) for part in by_window)))
        total.add(row.figures)
        window_rows.append(row)
    return Dashboard(start, end, today, window_rows,
                     _department_rows(conn, _fold(cases, 1), _fold(ratings, 1),
                                      _fold(items, 1)), total)


def _department_rows(conn: Connection, cases: dict[str, list[int]],
                     ratings: dict[str, list[int]], items: dict[str, list[int]]) -> list[Row]:
    item_dept, names = departments_of(conn)

    def row(dept: str) -> Row:
        if dept not in rows:
            label = names.get(dept, UNKNOWN_DEPT[1] if dept == UNKNOWN_DEPT[0] else dept)
            rows[dept] = Row(dept, label)
        return rows[dept]

    rows: dict[str, Row] = {}
    for codes in set(cases) | set(ratings):
        part = _figures(cases.get(codes), ratings.get(codes))
        for dept in sorted({item_dept.get(i, UNKNOWN_DEPT[0]) for i in codes.split(",") if i}
                           or {UNKNOWN_DEPT[0]}):
            row(dept).figures.add(part)
    for dept, values in items.items():  # the items know their own department
        row(dept).figures.add(_figures(None, None, values))
    return sorted(rows.values(), key=lambda r: (r.key == UNKNOWN_DEPT[0], r.key))
