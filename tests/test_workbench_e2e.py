"""前台综合受理、后台分类审批、综合窗口出件 through the browser: a coffee-shop bundle taken at a
real window replica, pushed to a real back office (uvicorn on loopback, its clock injected),
decided item by item by the four departments' reviewers in a headless Chromium, pulled down by
the window's sync, and handed out: the 行业综合许可证 the back office issued prints (read back
with pdftotext) with each permit's number; the applicant's progress page shows it delivered."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from clerk_console.backoffice.app import create_app
from clerk_console.backoffice.db import make_engine
from clerk_console.config import Settings
from clerk_console.domain.case import Status
from clerk_console.printing import pdf
from clerk_console.printing.notices import result_documents
from clerk_console.services import returns

from support.browser import chromium
from support.loopback import AppServer
from support.pdftext import pdftotext
from support.workbench import (COFFEE, DEPTS, MERGED, REVIEWERS, add_accounts,
                               approve_first_item, browser_sign_in, enrolled_window,
                               publish_catalogue, sync_round, take_coffee_bundle)

NOW = datetime(2026, 11, 27, 9, 30)  # the window's wall clock
BO_NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # the Monday after, 10:00 Yantai


@pytest.fixture
def browser():
    yield from chromium()


@pytest.fixture
def office(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    publish_catalogue(engine)
    add_accounts(engine, now=BO_NOW)
    with AppServer(create_app(engine, clock=lambda: BO_NOW)) as server:
        yield engine, server


@pytest.fixture
def window(tmp_path, office):
    engine, server = office
    replica = enrolled_window(engine, server.url, tmp_path, now=NOW)
    yield replica
    replica.close()


def test_decided_in_the_browser_handed_out_at_the_window(browser, office, window, tmp_path):
    _engine, server = office
    case = take_coffee_bundle(window, now=NOW)
    assert sync_round(window).pushed >= 1

    numbers = {}
    for item in COFFEE:
        dept = DEPTS[item]
        page = browser_sign_in(browser, server.url, REVIEWERS[dept])
        assert case.case_no in page.inner_text("#queue tbody")
        numbers[item] = "" if item == MERGED else f"{dept}-2026-0001"
        approve_first_item(page, numbers[item], "" if item == MERGED else "2031-11-29")
        last = page
    assert "可出件" in last.inner_text("#ready")
    merged_no = last.inner_text("#licence-no")
    assert merged_no.startswith("YZZY2026")

    sync_round(window)  # the decisions come down
    res = returns.results(window, case.case_no)
    assert res.ready and res.case.status is Status.DECIDED
    assert res.merged is not None and res.merged.number == merged_no
    done = returns.deliver(window, case.case_no, clerk_id="c1", now=NOW)
    docs = result_documents(window, done, settings=Settings(), home=tmp_path, now=NOW,
                            handed_out=True)
    assert docs[0].kind == "merged_licence"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = pdftotext(pdf.render(docs[0]).data, tmp_path)
    assert "行业综合许可证" in text and merged_no in text and "开办咖啡店/茶馆" in text
    assert all(n in text for n in numbers.values() if n)
    sync_round(window)  # the hand-out goes up
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{server.url}/p/{case.progress_token}")
    assert "全部事项已办结" in phone.inner_text("#status")
    assert phone.inner_text("#items").count("准予许可") == 4
