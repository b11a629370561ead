"""The applicant's rating pad in a real headless Chromium (the system's chromium through the
playwright package, never a downloaded browser) against the pad server of a real window
replica: pair with the one-time code, idle screen, a rating, a bad rating with GB/T 39734
reasons; a second device can't pair without a code; the clerk's keys refuse while paired."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from clerk_console.domain.case import Outcome
from clerk_console.domain.parties import ELicence
from clerk_console.pad.pairing import MAX_TRIES, Pairing
from clerk_console.services import ServiceError, intake, rating
from clerk_console.services.audit import login

from conftest import ENTERPRISE, NOW
from support.browser import chromium
from support.services import draft_for

SHOP = replace(ENTERPRISE, phone="13912345678")
CLOCK = NOW + timedelta(minutes=2)


def test_pairing_code_is_one_time_expires_and_stops_guessing():
    now = [NOW]
    p = Pairing(lambda: now[0], randbelow=lambda n: 4242, token=lambda: "tok")
    assert p.pair("004242") is None  # no code made yet
    code = p.new_code()
    assert code.value == "004242"
    assert p.pair("000000") is None and p.pair("004242") == "tok" and p.is_paired("tok")
    assert p.pair("004242") is None  # used up
    p.new_code()
    for _ in range(MAX_TRIES):
        assert p.pair("999999") is None
    assert p.pair("004242") is None  # too many wrong codes end it
    p.new_code()
    now[0] = NOW + timedelta(minutes=11)
    assert p.pair("004242") is None  # expired
    assert not p.is_paired("other") and not p.is_paired(None)


@pytest.fixture
def pad(replica):
    from clerk_console.pad.server import PadServer

    replica.save_applicant(SHOP, "c1", at=NOW)
    replica.save_elicences([ELicence(SHOP.id_number, "BL", "营业执照", "BL-001")])
    login(replica, "c1", "111111")
    server = PadServer(replica.path, "127.0.0.1", 0, clock=lambda: CLOCK).start()
    yield server
    server.stop()


@pytest.fixture
def browser():
    yield from chromium()


def close_case(replica):
    return intake.close_intake(replica, draft_for(replica, received=("form", "lease", "plan"),
                                                  applicant=SHOP),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)


def test_pair_rate_and_bad_rating_with_reasons(replica, pad, browser):
    page = browser.new_page()
    page.goto(pad.url)
    page.wait_for_selector("#pair:not([hidden])")
    code = pad.pairing.new_code().value
    page.fill("#code", "000000" if code != "000000" else "111111")
    page.click("#pair-go")
    page.wait_for_selector("#pair-error:text('配对码不对')")
    page.fill("#code", code)
    page.click("#pair-go")
    # idle: the window and the clerk on duty, name and number
    page.wait_for_selector("#idle:not([hidden])")
    assert page.inner_text("#window") == "综合受理1号窗口"
    assert page.inner_text("#clerk") == "张敏（工号 c1）"
    # the clerk's keys now refuse: the applicant rates on the pad
    first = close_case(replica)
    with pytest.raises(ServiceError, match="评价器"):
        rating.rate(replica, first, 1, clerk_id="c1", now=CLOCK)
    page.wait_for_selector("#rate:not([hidden])")
    assert page.inner_text("#case-no") == first.case_no
    assert page.inner_text("#case-name") == SHOP.name  # an enterprise's name is not masked
    page.click("#levels button.l2")
    page.wait_for_selector("#thanks:not([hidden])")
    good = replica.rating(first.case_no)
    assert (good.level, good.entered_by, good.clerk_id) == (2, "pad", "c1")
    # a bad rating: the GB/T 39734 reasons, ticked, plus text
    second = close_case(replica)
    page.wait_for_selector(f"#case-no:text('{second.case_no}')", timeout=10_000)
    page.click("#levels button.l5")
    page.wait_for_selector("#why:not([hidden])")
    assert "服务态度" in page.inner_text("#reasons")
    page.check("#reasons input[value='efficiency.wait']")
    page.check("#reasons input[value='attitude.rude']")
    page.fill("#comment", "排了一个小时")
    page.click("#submit")
    page.wait_for_selector("#thanks-text:text('核实')")
    bad = replica.rating(second.case_no)
    assert bad.level == 5 and bad.entered_by == "pad"
    assert bad.reasons == ("efficiency.wait", "attitude.rude") and bad.comment == "排了一个小时"
    assert [f.case_no for f in replica.followups()] == [second.case_no]  # the 差评 loop opens
    page.wait_for_selector("#idle:not([hidden])", timeout=10_000)


def test_a_second_device_cannot_pair_without_the_code(replica, pad, browser):
    first = browser.new_context().new_page()
    first.goto(pad.url)
    code = pad.pairing.new_code().value
    first.fill("#code", code)
    first.click("#pair-go")
    first.wait_for_selector("#idle:not([hidden])")
    other = browser.new_context().new_page()
    other.goto(pad.url)
    other.fill("#code", code)  # the code seen over the applicant's shoulder: already used
    other.click("#pair-go")
    other.wait_for_selector("#pair-error:text('配对码不对')")
    answer = other.evaluate("fetch('/api/state').then(r => r.status)")
    assert answer == 403
    posted = other.evaluate("""fetch('/api/rate', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({case_no: 'x', level: 1})}).then(r => r.status)""")
    assert posted == 403


def test_without_a_pad_the_clerk_keys_rate_and_are_marked(replica):
    from clerk_console.services import stats

    replica.save_applicant(SHOP, "c1", at=NOW)
    replica.save_elicences([ELicence(SHOP.id_number, "BL", "营业执照", "BL-001")])
    case = close_case(replica)
    got, _ = rating.rate(replica, case, 1, clerk_id="c1", now=CLOCK)
    assert got.entered_by == "clerk" and replica.rating(case.case_no).entered_by == "clerk"
    assert ("其中窗口代录", "1") in stats.stats(replica, NOW.date()).lines
    with pytest.raises(ServiceError, match="不在差评原因清单"):
        rating.rate(replica, close_case(replica), 4, clerk_id="c1", now=CLOCK,
                    reasons=("made.up",))
