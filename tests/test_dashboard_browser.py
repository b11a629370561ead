"""监管评价 in a real headless Chromium (the system's, through playwright) against the real
app on loopback, its clock injected: the figures shown are those of the cases behind them
(support/dashboard_data.py), the charts are drawn, the range form works, and the CSV the
browser downloads opens with the Chinese intact (UTF-8 with BOM)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, time

import pytest

from clerk_console.backoffice.app import create_app
from clerk_console.backoffice.db import make_engine

from conftest import small_catalogue
from support.browser import chromium
from support.dashboard_data import CHINA, DAY, EARLIER, EXPECTED, TODAY, add_people, seed
from support.loopback import AppServer
from support.workbench import PASSWORD


@pytest.fixture
def browser():
    yield from chromium()


@pytest.fixture
def server(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    seed(engine, small_catalogue())
    now = datetime.combine(TODAY, time(9), tzinfo=CHINA)
    add_people(engine, now)
    app = create_app(engine, clock=lambda: now)
    with AppServer(app) as s:
        yield s
    engine.dispose()


def signed_in_supervisor(browser, server):
    """The hall supervisor signs in on the workbench and opens 监管评价 from its menu."""
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{server.url}/wb/dashboard")  # no session: the sign-in page, then back
    page.wait_for_selector('input[name="account"]')
    page.fill('input[name="account"]', "boss")
    page.fill('input[name="password"]', PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#summary")
    return page


def _cell(page, table: str, key: str, figure: str) -> str:
    return page.inner_text(f'#{table} tr[data-key="{key}"] td[data-figure="{figure}"]')


def test_the_dashboard_shows_the_figures_of_the_cases_behind_them(server, browser, tmp_path):
    page = signed_in_supervisor(browser, server)
    page.goto(f"{server.url}/wb/dashboard?start={DAY.isoformat()}&end={DAY.isoformat()}")
    assert page.title().startswith("监管评价")
    for table, keys in (("windows", ("YT0101", "YT0102")), ("departments", ("SCJG", "CG", "GA"))):
        for key in keys:
            for figure in ("taken", "on_time", "late", "overdue_open", "deferrals_voided",
                           "commitments_broken", "rated", "bad", "followup_fix"):
                assert _cell(page, table, key, figure) == str(EXPECTED[key].get(figure, 0)), \
                    (table, key, figure)
    assert _cell(page, "windows", "YT0101", "satisfaction") == "50.0%"
    assert page.inner_text('#summary [data-figure="taken"]') == "9"
    assert page.inner_text('#windows tr[data-key="total"] td[data-figure="taken"]') == "9"
    # four charts, drawn: each bar has a size on screen
    assert page.locator("svg.chart").count() == 4
    bar = page.locator("svg.chart").first.locator("rect").first
    box = bar.bounding_box()
    assert box is not None and box["width"] > 0
    assert "按时办结" in page.locator("svg.chart").first.inner_html()

    # a wider range through the form: the earlier case of YT0102 comes in
    page.fill('input[name="start"]', EARLIER.isoformat())
    page.click("#apply")
    page.wait_for_url(f"**start={EARLIER.isoformat()}**")
    assert _cell(page, "windows", "YT0102", "taken") == "3"
    assert _cell(page, "windows", "YT0102", "followup_closed") == "1"

    # the CSV the browser downloads
    with page.expect_download() as info:
        page.click("#csv")
    path = tmp_path / "dashboard.csv"
    info.value.save_as(path)
    assert "监管评价" in info.value.suggested_filename
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["统计范围", "编码", "名称", "受理件数"]
    assert ["部门", "CG", "城管"] == rows[[r[1] for r in rows].index("CG")][:3]


def test_a_range_ending_before_it_starts_is_refused_in_chinese(server, browser):
    page = signed_in_supervisor(browser, server)
    page.goto(f"{server.url}/wb/dashboard?start={DAY.isoformat()}&end={EARLIER.isoformat()}")
    assert "早于开始日期" in page.inner_text('[role="alert"]')
    page.click("#back")  # to the workbench, and back through its menu
    page.click("#nav-dashboard")
    page.wait_for_selector("#summary")
    assert page.title().startswith("监管评价")
