"""The workbench in a real headless Chromium (the system's /usr/bin/chromium through the
playwright package) against a real uvicorn on loopback, at 1366x768 and with the keyboard:
two departments' reviewers sign in and decide their items of a coffee-shop bundle, the others
follow, and the case becomes ready for pick-up; the applicant's progress page says so."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from clerk_console.backoffice.app import create_app

from support.browser import chromium
from support.loopback import AppServer
from support.workbench import (COFFEE, DEPTS, MERGED, REVIEWERS, approve_first_item, browser_sign_in, coffee_back_office)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)
ACCEPTED = datetime(2026, 11, 20, 9, 30)
TOKEN = "browser-progress-token-01"


@pytest.fixture
def browser():
    yield from chromium()


@pytest.fixture()
def site(tmp_path):
    engine, case = coffee_back_office(tmp_path, now=NOW, accepted=ACCEPTED, token=TOKEN)
    with AppServer(create_app(engine, clock=lambda: NOW)) as server:
        yield server, case


def test_two_departments_decide_their_items_and_the_case_becomes_ready(browser, site):
    server, case = site
    scjg = browser_sign_in(browser, server.url, REVIEWERS["SCJG"])
    assert scjg.inner_text("#queue tbody").count(case["case_no"]) == 1
    assert "食品经营许可" in scjg.inner_text("#queue tbody")
    # fits a 1366x768 screen: no horizontal scrolling
    assert scjg.evaluate("document.documentElement.scrollWidth") <= 1366
    approve_first_item(scjg, "JY23706130012345")
    assert "JY23706130012345" in scjg.inner_text("#licence-no")
    assert "#ready" not in scjg.content() and scjg.query_selector("#ready") is None

    xf = browser_sign_in(browser, server.url, REVIEWERS["XF"])
    assert "消防" in xf.inner_text("#queue tbody")
    approve_first_item(xf, "XF-2026-0001")
    siblings = xf.inner_text("#siblings")
    assert siblings.count("准予许可") == 2 and siblings.count("审批中") == 2

    # the other two departments of the bundle (户外招牌; 行业综合许可证, its number issued here)
    for item in COFFEE:
        if DEPTS[item] in ("SCJG", "XF"):
            continue
        page = browser_sign_in(browser, server.url, REVIEWERS[DEPTS[item]])
        approve_first_item(page, "" if item == MERGED else "CG-2026-0001")
        last = page
    assert "可出件" in last.inner_text("#ready")
    assert last.inner_text("#licence-no").startswith("YZZY2026")

    # the applicant's phone
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{server.url}/p/{TOKEN}")
    assert "全部事项已办结" in phone.inner_text("#status")
    assert phone.inner_text("#items").count("准予许可") == 4


def test_the_queue_is_walked_with_the_keyboard_and_search(browser, site):
    server, case = site
    page = browser_sign_in(browser, server.url, REVIEWERS["SCJG"])
    page.keyboard.press("/")
    page.keyboard.type("不存在的编号")
    page.keyboard.press("Enter")
    page.wait_for_selector("#empty")
    page.keyboard.press("/")
    page.keyboard.press("Control+A")
    page.keyboard.type(case["case_no"][-4:])
    page.keyboard.press("Enter")
    page.wait_for_selector("a.row-link")
    assert page.inner_text("#counts").startswith("共 1 项")
