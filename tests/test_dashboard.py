"""监管评价: the dashboard's figures match the cases behind them (support/dashboard_data.py,
pushed and decided through the real services, the clock injected), the CSV opens in a
spreadsheet with the Chinese intact, and bad ranges are refused in Chinese."""
from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import timedelta

import pytest

from clerk_console.backoffice.dashboard import export
from clerk_console.backoffice.dashboard.charts import charts
from clerk_console.backoffice.dashboard.service import Figures, RangeError, dashboard
from clerk_console.backoffice.db import make_engine, reading

from conftest import small_catalogue
from support.dashboard_data import DAY, EARLIER, EXPECTED, TODAY, seed


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(request, tmp_path):
    url = (request.getfixturevalue("pg_url") if request.param == "postgres"
           else f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    engine = make_engine(url)
    seed(engine, small_catalogue())
    yield engine
    engine.dispose()


def expected(key: str) -> dict:
    return {**asdict(Figures()), **EXPECTED[key]}


def test_figures_per_window_and_department_match_the_cases(seeded):
    with reading(seeded) as conn:
        d = dashboard(conn, DAY, DAY, today=TODAY)
    assert {r.key: asdict(r.figures) for r in d.windows} == {
        k: expected(k) for k in ("YT0101", "YT0102")}
    assert {r.key: asdict(r.figures) for r in d.departments} == {
        k: expected(k) for k in ("SCJG", "CG", "GA")}
    assert [r.label for r in d.departments] == ["城管", "公安", "市场监管"]
    total = Figures()
    for r in d.windows:
        total.add(r.figures)
    assert d.total == total and d.total.taken == 9
    assert d.total.satisfaction == pytest.approx(3 / 6)


def test_a_wider_range_takes_in_the_earlier_case_and_its_closed_followup(seeded):
    with reading(seeded) as conn:
        d = dashboard(conn, EARLIER, DAY, today=TODAY)
    yt0102 = next(r.figures for r in d.windows if r.key == "YT0102")
    assert (yt0102.taken, yt0102.rated, yt0102.bad, yt0102.followup_closed) == (3, 3, 2, 1)
    assert yt0102.overdue_open == 1  # never decided, its promised day (Nov 27) has passed


def test_overdue_depends_on_today(seeded):
    with reading(seeded) as conn:
        early = dashboard(conn, DAY, DAY, today=DAY)
    assert early.total.overdue_open == 0 and early.total.followup_overdue == 0


def test_ranges_are_checked_in_chinese(seeded):
    with reading(seeded) as conn, pytest.raises(RangeError, match="早于开始日期"):
        dashboard(conn, DAY, DAY - timedelta(days=1), today=TODAY)


def test_csv_is_utf8_with_bom_and_keeps_the_chinese(seeded):
    with reading(seeded) as conn:
        d = dashboard(conn, DAY, DAY, today=TODAY)
    data = export.to_csv(d)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["统计范围", "编码", "名称", "受理件数"] and "满意率" in header
    by_key = {(r[0], r[1]): dict(zip(header, r)) for r in rows[1:]}
    assert by_key[("窗口", "YT0101")]["受理件数"] == "7"
    assert by_key[("窗口", "YT0101")]["满意率"] == "50.0%"
    assert by_key[("部门", "SCJG")]["名称"] == "市场监管"
    assert by_key[("部门", "CG")]["逾期未办结"] == "1"
    total = next(r for r in rows if r[0] == "合计")
    assert total[3] == "9" and "2026-11-27至2026-11-27" in total[2]
    assert "监管评价" in export.filename(d) or "%E7%9B%91" in export.filename(d)


def test_csv_cells_never_run_as_formulas():
    assert export._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert export._cell("市场监管") == "市场监管"


def test_charts_are_svg_with_escaped_labels(seeded):
    with reading(seeded) as conn:
        d = dashboard(conn, DAY, DAY, today=TODAY)
    d.windows[0].label = "<b>&"
    svg = charts(d)
    assert set(svg) == {"windows", "departments", "ratings", "followups"}
    assert all(s.startswith("<svg") and s.endswith("</svg>") for s in svg.values())
    assert "&lt;b&gt;&amp;" in svg["windows"] and "<b>&" not in svg["windows"]
    assert "按时办结" in svg["windows"] and "核实" in svg["followups"]


def test_rows_stored_before_the_facts_are_backfilled(seeded):
    from clerk_console.backoffice.service.common import CASE, RATING
    from clerk_console.backoffice.service.facts import backfill, mark_all_dirty

    # rows written behind the services' back (as the migrations' backfills do) mark every day
    # themselves, as bo0005 does after them: the next read rebuilds the rollup
    with seeded.begin() as conn:
        conn.execute(CASE.update().values(item_codes=None, outcome=None, taken_on=None,
                                          decided_on=None))
        conn.execute(RATING.update().values(rated_on=None, item_codes=None))
        mark_all_dirty(conn)
    with reading(seeded) as conn:
        assert dashboard(conn, DAY, DAY, today=TODAY).total.taken == 0
    with seeded.begin() as conn:
        assert backfill(conn) == 11
        mark_all_dirty(conn)
    with reading(seeded) as conn:
        d = dashboard(conn, DAY, DAY, today=TODAY)
    assert {r.key: asdict(r.figures) for r in d.windows}["YT0101"] == expected("YT0101")


def _session(engine, who: str, now) -> str:
    from clerk_console.backoffice.service import accounts

    with engine.begin() as conn:
        return accounts.open_session(conn, who, now)[0]


def test_the_page_and_the_csv_answer_supervisors_over_http(seeded):
    from datetime import datetime, time

    from fastapi.testclient import TestClient

    from clerk_console.backoffice.app import create_app
    from clerk_console.backoffice.workbench.auth import COOKIE
    from support.dashboard_data import CHINA
    from support.dashboard_data import add_people

    now = datetime.combine(TODAY, time(9), tzinfo=CHINA)
    add_people(seeded, now)
    app = create_app(seeded, clock=lambda: now)
    day = {"start": DAY.isoformat(), "end": DAY.isoformat()}
    with TestClient(app, follow_redirects=False) as client:
        away = client.get("/wb/dashboard", params=day)  # not signed in: the sign-in page
        assert away.status_code == 303
        assert away.headers["location"].startswith("/wb/login?next=%2Fwb%2Fdashboard")
        assert client.get("/wb/dashboard.csv").status_code == 303
        client.cookies.set(COOKIE, _session(seeded, "scjg.li", now))
        refused = client.get("/wb/dashboard", params=day)  # a department's reviewer
        assert refused.status_code == 403 and "大厅负责人" in refused.json()["detail"]
        client.cookies.set(COOKIE, _session(seeded, "boss", now))
        page = client.get("/wb/dashboard", params=day)
        assert page.status_code == 200 and "监管评价" in page.text and "<svg" in page.text
        assert client.get("/wb/dashboard").text.count("2026-12-08") >= 2  # default: today
        bad = client.get("/wb/dashboard", params={"start": "2026-13-01"})
        assert bad.status_code == 400 and "不是日期" in bad.text
        got = client.get("/wb/dashboard.csv", params=day)
        assert got.headers["content-type"].startswith("text/csv")
        assert got.content.startswith(b"\xef\xbb\xbf") and "受理件数" in got.content.decode()
