"""The workbench in a real headless Firefox (the system's firefox-esr over WebDriver BiDi, see
support/firefox.py), at 1366x768, against a real uvicorn on loopback: each department of a
coffee-shop bundle signs in and approves its item through the pages' own forms (session and
CSRF cookies as Firefox keeps them), the case becomes ready, and the applicant's progress page
says so. The keyboard walk itself is tested in Chromium (test_workbench_browser.py)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from clerk_console.backoffice.app import create_app

from support.firefox import FIREFOX, Firefox
from support.loopback import AppServer
from support.workbench import (COFFEE, DEPTS, MERGED, PASSWORD, REVIEWERS, coffee_back_office)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)
ACCEPTED = datetime(2026, 11, 20, 9, 30)
TOKEN = "firefox-progress-token-01"

pytestmark = pytest.mark.skipif(FIREFOX is None, reason="needs the system's Firefox "
                                "(apt install firefox-esr)")


@pytest.fixture()
def site(tmp_path):
    engine, case = coffee_back_office(tmp_path, now=NOW, accepted=ACCEPTED, token=TOKEN)
    with AppServer(create_app(engine, clock=lambda: NOW)) as server:
        yield server, case


def _set(field: str, value: str) -> str:
    return f"document.getElementById({json.dumps(field)}).value = {json.dumps(value)};"


async def _sign_in(ff: Firefox, url: str, who: str) -> None:
    await ff.send("storage.deleteCookies", {})  # one reviewer after another
    await ff.goto(url + "/wb/login")
    await ff.js(_set("account", who) + _set("password", PASSWORD)
                + "document.getElementById('login-form').requestSubmit(); true")
    await ff.wait_for("document.querySelector('#queue') !== null")


async def _approve_first(ff: Firefox, licence_no: str) -> None:
    await ff.js("document.querySelector('a.row-link').click(); true")
    await ff.wait_for("document.querySelector('#approve-form') !== null")
    await ff.js(_set("licence_no", licence_no) + _set("valid_until", "2031-11-26")
                + "document.getElementById('approve-form').requestSubmit(); true")
    await ff.wait_for("document.querySelector('#notice') !== null")


async def test_a_bundle_is_decided_department_by_department_in_firefox(site) -> None:
    server, case = site
    async with Firefox() as ff:
        await _sign_in(ff, server.url, REVIEWERS["SCJG"])
        queue = await ff.js("document.querySelector('#queue tbody').innerText")
        assert queue.count(case["case_no"]) == 1 and "食品经营许可" in queue
        assert await ff.js("document.documentElement.scrollWidth") <= 1366  # no side scroll
        await _approve_first(ff, "JY23706130012345")
        assert "JY23706130012345" in await ff.js(
            "document.querySelector('#licence-no').innerText")
        # a post without the session's CSRF token is refused in Firefox too
        status = await ff.js("fetch(location.pathname + '/decide', {method: 'POST', body: "
                             "new URLSearchParams({verdict: 'approve', licence_no: 'X'})})"
                             ".then(r => r.status)")
        assert status == 403
        for item in COFFEE:
            if DEPTS[item] == "SCJG":
                continue
            await _sign_in(ff, server.url, REVIEWERS[DEPTS[item]])
            await _approve_first(ff, "" if item == MERGED else f"{DEPTS[item]}-2026-0001")
        assert "可出件" in await ff.js("document.querySelector('#ready').innerText")
        assert (await ff.js("document.querySelector('#licence-no').innerText")
                ).startswith("YZZY2026")
        await ff.send("storage.deleteCookies", {})
        await ff.goto(f"{server.url}/p/{TOKEN}")  # the applicant's phone: no sign-in
        assert "全部事项已办结" in await ff.js("document.querySelector('#status').innerText")
        assert (await ff.js("document.querySelector('#items').innerText")).count("准予许可") == 4
