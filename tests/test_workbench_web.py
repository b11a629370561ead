"""The workbench's pages over HTTP against a real uvicorn on loopback (httpx, no browser):
sign-in with the login form's CSRF cookie, the queue of the reviewer's own department only,
another department's item refused through the page and through direct POSTs, POSTs without
the session's CSRF token refused with 403, lockout, session expiry on the injected clock, the
admin page managing accounts, the progress page by token (404 in Chinese otherwise)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from clerk_console.backoffice.app import create_app
from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS
from clerk_console.domain.workbench import SESSION_IDLE

from support.loopback import AppServer
from support.workbench import (FIRE, FOOD, PASSWORD, coffee_back_office)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)
ACCEPTED = datetime(2026, 11, 20, 9, 30)
TOKEN = "progress-token-0123456789"


@pytest.fixture()
def site(tmp_path):
    engine, case = coffee_back_office(tmp_path, now=NOW, accepted=ACCEPTED, token=TOKEN)
    clock = [NOW]
    with AppServer(create_app(engine, clock=lambda: clock[0])) as server:
        yield server, clock, case


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def client(server) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=10)


def login(server, who, password=PASSWORD) -> tuple[httpx.Client, httpx.Response]:
    c = client(server)
    page = c.get("/wb/login")
    resp = c.post("/wb/login", data={"account": who, "password": password,
                                     "csrf": csrf_of(page.text)})
    return c, resp


def signed_in(server, who) -> tuple[httpx.Client, str]:
    c, resp = login(server, who)
    assert resp.status_code == 303, resp.text
    queue = c.get(resp.headers["location"])
    return c, csrf_of(queue.text)


def decide_form(csrf, verdict="approve", **kw):
    return {"csrf": csrf, "verdict": verdict, "licence_no": "JY-1", **kw}


def test_sign_in_and_the_own_departments_queue_only(site):
    server, _clock, case = site
    c, resp = login(server, "scjg.li")
    assert resp.status_code == 303 and resp.headers["location"] == "/wb/queue"
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    page = c.get("/wb/queue")
    assert page.status_code == 200 and "烟台市市场监督管理局" in page.text
    assert "食品经营许可" in page.text and "消防" not in page.text.split("<tbody>")[1]
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["server-timing"].startswith("app;dur=")
    assert c.get(f"/wb/item/{case['id']}/{FOOD}").status_code == 200


def test_another_departments_item_is_refused_by_page_and_by_direct_post(site):
    server, _clock, case = site
    c, csrf = signed_in(server, "scjg.li")
    page = c.get(f"/wb/item/{case['id']}/{FIRE}")
    assert page.status_code == 404 and "没有这个事项" in page.text
    resp = c.post(f"/wb/item/{case['id']}/{FIRE}/decide", data=decide_form(csrf))
    assert resp.status_code == 404
    boss, boss_csrf = signed_in(server, "boss")
    assert boss.get(f"/wb/item/{case['id']}/{FIRE}").status_code == 200  # sees every dept
    resp = boss.post(f"/wb/item/{case['id']}/{FIRE}/decide", data=decide_form(boss_csrf))
    assert resp.status_code == 403 and "只有事项所属部门" in resp.text
    xf, xf_csrf = signed_in(server, "xf.wang")
    assert "尚未" not in xf.get(f"/wb/item/{case['id']}/{FIRE}").text
    assert "审批中" in xf.get(f"/wb/item/{case['id']}/{FIRE}").text
    # an admin has no queue
    admin, _ = signed_in(server, "admin")
    assert admin.get("/wb/queue").status_code == 403


def test_posts_without_the_sessions_csrf_token_are_refused(site):
    server, _clock, case = site
    c, csrf = signed_in(server, "scjg.li")
    url = f"/wb/item/{case['id']}/{FOOD}/decide"
    for form in ({}, {"csrf": "forged"}, {"csrf": ""}):
        resp = c.post(url, data={**decide_form(csrf), **form} if form else
                      {k: v for k, v in decide_form(csrf).items() if k != "csrf"})
        assert resp.status_code == 403 and "安全校验码" in resp.text
    other, other_csrf = signed_in(server, "xf.wang")
    resp = c.post(url, data=decide_form(other_csrf))  # another session's token
    assert resp.status_code == 403
    anonymous = client(server)
    assert anonymous.post(url, data=decide_form(csrf)).status_code == 403
    assert anonymous.post("/wb/login", data={"account": "scjg.li", "password": PASSWORD,
                                             "csrf": "x"}).status_code == 403
    page = c.get(f"/wb/item/{case['id']}/{FOOD}")
    assert "审批中" in page.text  # nothing was decided
    resp = c.post(url, data=decide_form(csrf))
    assert resp.status_code == 303
    assert "JY-1" in c.get(resp.headers["location"]).text


def test_refusal_without_legal_basis_is_answered_on_the_page(site):
    server, _clock, case = site
    c, csrf = signed_in(server, "scjg.li")
    resp = c.post(f"/wb/item/{case['id']}/{FOOD}/decide",
                  data={"csrf": csrf, "verdict": "refuse", "reasons": "场所不符合要求",
                        "legal_basis": ""})
    assert resp.status_code == 400 and "请填写不予许可的法律依据" in resp.text
    assert "场所不符合要求" in resp.text  # what was typed is kept


def test_lockout_through_the_login_page(site):
    server, _clock, _case = site
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        _c, resp = login(server, "scjg.li", "wrong-password-1")
        assert resp.status_code == 401 and "账号或口令错误" in resp.text
    _c, resp = login(server, "scjg.li", "wrong-password-1")
    assert resp.status_code == 423 and "已锁定" in resp.text
    _c, resp = login(server, "scjg.li")
    assert resp.status_code == 423


def test_session_expires_on_the_injected_clock(site):
    server, clock, _case = site
    c, csrf = signed_in(server, "scjg.li")
    clock[0] = NOW + SESSION_IDLE - timedelta(minutes=1)
    assert c.get("/wb/queue").status_code == 200
    clock[0] += SESSION_IDLE
    resp = c.get("/wb/queue")
    assert resp.status_code == 303 and resp.headers["location"].startswith("/wb/login")
    assert c.post("/wb/logout", data={"csrf": csrf}).status_code == 403


def test_admin_page_adds_and_disables_accounts(site):
    server, _clock, _case = site
    admin, csrf = signed_in(server, "admin")
    resp = admin.post("/wb/accounts", data={"csrf": csrf, "action": "add", "account": "cg.new",
                                            "name": "新审批", "role": "reviewer", "dept": "",
                                            "password": PASSWORD})
    assert resp.status_code == 400 and "须指定所属部门" in resp.text
    resp = admin.post("/wb/accounts", data={"csrf": csrf, "action": "add", "account": "cg.new",
                                            "name": "新审批", "role": "reviewer", "dept": "CG",
                                            "password": PASSWORD})
    assert resp.status_code == 303
    assert "cg.new" in admin.get("/wb/accounts").text
    c, _ = signed_in(server, "cg.new")
    assert admin.post("/wb/accounts", data={"csrf": csrf, "action": "disable",
                                            "account": "cg.new"}).status_code == 303
    assert c.get("/wb/queue").status_code == 303  # signed out at once
    audit = admin.get("/wb/audit").text
    assert "account_add" in audit and "account_disable" in audit and PASSWORD not in audit
    reviewer, _ = signed_in(server, "xf.wang")
    assert reviewer.get("/wb/accounts").status_code == 403


def test_progress_page_by_token_only(site):
    server, _clock, case = site
    c = client(server)
    page = c.get(f"/p/{TOKEN}")
    assert page.status_code == 200 and "食品经营许可" in page.text and "审批中" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    for wrong in (case["case_no"], case["id"], TOKEN[:-1] + "x"):
        resp = c.get(f"/p/{wrong}")
        assert resp.status_code == 404 and "未找到办件" in resp.text
