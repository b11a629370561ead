"""The workbench's pages under ``/wb`` and the applicant's progress page ``/p/{token}``.

Every page is rendered on the server (Jinja2, autoescaped); every POST carries the session's
CSRF token (``auth.need``); every decision goes through ``service.review`` and every change is
in the audit log. The database work runs off the event loop.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from clerk_console.backoffice.db import reading
from clerk_console.backoffice.service import BackofficeError, accounts, admin_log, review
from clerk_console.domain.masking import mask_id
from clerk_console.domain.workbench import ADMIN, REVIEWER, ROLE_LABELS, ROLES, SUPERVISOR

from .auth import (BASE, COOKIE, LOGIN_COOKIE, Refused, cookie_options, login_url, need,
                   new_login_token)

HERE = Path(__file__).parent
_env = Environment(loader=FileSystemLoader(HERE / "templates"),
                   autoescape=select_autoescape(["html"]))
_env.filters["mask"] = lambda number: mask_id(str(number)) if number else ""
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the progress page's token is in its URL
    "Cache-Control": "no-store",
}
NOTICES = {"decided": "决定已保存，已同步给受理窗口", "reopened": "已撤回，事项回到部门审批队列",
           "added": "账号已新建", "changed": "账号已更新", "expired": "登录已超时，请重新登录",
           "out": "已退出登录"}


def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("base", BASE)
    ctx.setdefault("role_labels", ROLE_LABELS)
    html = _env.get_template(name).render(**ctx)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _home(me: dict) -> str:
    return f"{BASE}/accounts" if me["role"] == ADMIN else f"{BASE}/queue"


def _int(raw: Any, default: int = 1) -> int:
    try:
        return max(1, min(int(str(raw)), 1_000_000))
    except ValueError:
        return default


def _date(raw: Any) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BackofficeError(f"有效期截止日“{text[:20]}”不是日期，应写成 2031-11-26；"
                              "长期有效请留空", 400) from None


def router(engine: Engine, *, clock: Callable[[], datetime]) -> APIRouter:
    r = APIRouter()

    def answer(handler):
        """Refusals become pages: the sign-in page for a missing session, a Chinese error
        page with its status otherwise (never a traceback, never JSON)."""
        @functools.wraps(handler)
        async def run(request: Request, *args, **kwargs):
            try:
                return await handler(request, *args, **kwargs)
            except Refused as exc:
                if exc.login:
                    return RedirectResponse(login_url(request), status_code=303)
                return render("error.html", exc.status, message=exc.message, me=None)
            except BackofficeError as exc:
                return render("error.html", exc.status, message=exc.message, me=None)
        return run

    async def form_of(request: Request) -> dict[str, Any]:
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def gate(request: Request, roles=None, form=None) -> dict:
        return need(engine, clock, request, roles=roles, form=form)

    # ------------------------------------------------------------ sign-in

    @r.get(BASE + "/login")
    @answer
    async def login_page(request: Request, next: str = "", notice: str = ""):
        token = new_login_token()
        resp = render("login.html", next=next, csrf=token, me=None,
                      notice=NOTICES.get(notice, ""))
        resp.set_cookie(LOGIN_COOKIE, token, max_age=3600, **cookie_options(request))
        return resp

    @r.post(BASE + "/login")
    @answer
    async def login(request: Request):
        form = await form_of(request)
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not accounts.csrf_ok(expected, form.get("csrf")):
            raise Refused(403, "登录表单已过期或来源不明，请重新打开登录页面")
        client = request.client.host if request.client else "unknown"

        def work():
            with engine.begin() as conn:
                me, refusal = accounts.sign_in(conn, form.get("account", ""),
                                               form.get("password", ""), client=client,
                                               now=clock())
                if refusal is None:
                    return me, accounts.open_session(conn, me["id"], clock())[0], None
            return None, None, refusal

        me, token, refusal = await run_in_threadpool(work)
        if refusal is not None:
            fresh = new_login_token()
            resp = render("login.html", refusal.status, next=form.get("next", ""), csrf=fresh,
                          me=None, error=refusal.message, account=form.get("account", "")[:32])
            resp.set_cookie(LOGIN_COOKIE, fresh, max_age=3600, **cookie_options(request))
            return resp
        target = form.get("next", "")
        if not target.startswith(BASE + "/") or target.startswith("//"):
            target = _home(me)
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie(COOKIE, token, **cookie_options(request))
        resp.delete_cookie(LOGIN_COOKIE, path="/")
        return resp

    @r.post(BASE + "/logout")
    @answer
    async def logout(request: Request):
        form = await form_of(request)
        me = await run_in_threadpool(gate, request, None, form)

        def work():
            with engine.begin() as conn:
                accounts.close_session(conn, request.cookies.get(COOKIE))
                service_log(conn, me, "logout", me["id"], "")

        await run_in_threadpool(work)
        resp = RedirectResponse(f"{BASE}/login?notice=out", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    def service_log(conn, me: dict, action: str, subject: str, detail: str) -> None:
        from clerk_console.backoffice.service import log_admin

        log_admin(conn, actor=me["id"], action=action, subject=subject, detail=detail,
                  now=clock())

    @r.get(BASE)
    @r.get(BASE + "/")
    @answer
    async def home(request: Request):
        me = await run_in_threadpool(gate, request)
        return RedirectResponse(_home(me), status_code=303)

    # ------------------------------------------------------------ the queue

    @r.get(BASE + "/queue")
    @answer
    async def queue_page(request: Request, kind: str = "open", q: str = "", page: str = "1",
                         dept: str = ""):
        def work():
            me = gate(request, roles=(REVIEWER, SUPERVISOR))
            kind_ = kind if kind in review.FILTERS else "open"
            with reading(engine) as conn:
                depts = accounts.departments(conn)
                scope = me["dept"] if me["role"] == REVIEWER else (dept.upper() or None)
                result = review.queue(conn, scope, now=clock(), kind=kind_, search=q,
                                      page=_int(page))
            return me, kind_, scope, depts, result

        me, kind_, scope, depts, result = await run_in_threadpool(work)
        return render("queue.html", me=me, csrf=me["csrf"], kind=kind_, q=q[:64], dept=scope,
                      depts=depts, page=result, filters=review.FILTERS,
                      query=lambda **kw: _query(kind=kind_, q=q, dept=scope or "", **kw))

    # ------------------------------------------------------------ one item

    def item_page(me: dict, case_id: str, item: str, *, status: int = 200, error: str = "",
                  values: dict | None = None, notice: str = "") -> HTMLResponse:
        with reading(engine) as conn:
            view = review.item_view(conn, me, case_id, item, now=clock())
        return render("item.html", status, me=me, csrf=me["csrf"], v=view, error=error,
                      values=values or {}, notice=NOTICES.get(notice, ""),
                      url=f"{BASE}/item/{quote(case_id)}/{quote(item)}")

    @r.get(BASE + "/item/{case_id}/{item}")
    @answer
    async def item_get(request: Request, case_id: str, item: str, notice: str = ""):
        def work():
            me = gate(request, roles=(REVIEWER, SUPERVISOR))
            return item_page(me, case_id, item, notice=notice)

        return await run_in_threadpool(work)

    async def item_post(request: Request, case_id: str, item: str, act, notice: str):
        """A decision or a reopening of one item: refused ones come back on the item's page
        with what was typed (an item not the account's to see: 404)."""
        form = await form_of(request)

        def work():
            me = gate(request, roles=(REVIEWER, SUPERVISOR), form=form)
            try:
                with engine.begin() as conn:
                    act(conn, me, form)
            except BackofficeError as exc:
                if exc.status == 404:
                    raise
                return item_page(me, case_id, item, status=exc.status, error=exc.message,
                                 values=form)
            return RedirectResponse(f"{BASE}/item/{quote(case_id)}/{quote(item)}"
                                    f"?notice={notice}", status_code=303)

        return await run_in_threadpool(work)

    @r.post(BASE + "/item/{case_id}/{item}/decide")
    @answer
    async def item_decide(request: Request, case_id: str, item: str):
        def act(conn, me, form):
            review.decide_item(conn, me, case_id, item, form.get("verdict", ""), now=clock(),
                               licence_no=form.get("licence_no", ""),
                               valid_until=_date(form.get("valid_until")),
                               reasons=form.get("reasons", ""),
                               legal_basis=form.get("legal_basis", ""),
                               missing=form.get("missing", ""))

        return await item_post(request, case_id, item, act, "decided")

    @r.post(BASE + "/item/{case_id}/{item}/reopen")
    @answer
    async def item_reopen(request: Request, case_id: str, item: str):
        def act(conn, me, form):
            review.reopen_item(conn, me, case_id, item, reason=form.get("reason", ""),
                               now=clock())

        return await item_post(request, case_id, item, act, "reopened")

    # ------------------------------------------------------------ accounts and audit

    def accounts_page(me: dict, *, status: int = 200, error: str = "", notice: str = "",
                      values: dict | None = None) -> HTMLResponse:
        with reading(engine) as conn:
            rows = accounts.list_accounts(conn)
            depts = accounts.departments(conn)
        now = accounts.utc(clock())
        for row in rows:
            row["locked"] = bool(row["locked_until"]) and accounts.lock_in_force(
                accounts.utc(row["locked_until"]), now, 0)
        return render("accounts.html", status, me=me, csrf=me["csrf"], rows=rows, depts=depts,
                      roles=ROLES, error=error, notice=NOTICES.get(notice, ""),
                      values=values or {})

    @r.get(BASE + "/accounts")
    @answer
    async def accounts_get(request: Request, notice: str = ""):
        def work():
            return accounts_page(gate(request, roles=(ADMIN,)), notice=notice)

        return await run_in_threadpool(work)

    @r.post(BASE + "/accounts")
    @answer
    async def accounts_post(request: Request):
        form = await form_of(request)

        def work():
            me = gate(request, roles=(ADMIN,), form=form)
            act, target = form.get("action", ""), form.get("account", "")
            try:
                with engine.begin() as conn:
                    if act == "add":
                        accounts.add_account(conn, target, name=form.get("name", ""),
                                             role=form.get("role", ""), dept=form.get("dept", ""),
                                             password=form.get("password", ""), actor=me["id"],
                                             now=clock())
                    elif act in ("disable", "enable"):
                        if act == "disable" and target.strip().lower() == me["id"]:
                            raise BackofficeError("不能停用自己正在使用的账号", 400)
                        accounts.set_active(conn, target, act == "enable", actor=me["id"],
                                            now=clock())
                    elif act == "passwd":
                        accounts.set_password(conn, target, form.get("password", ""),
                                              actor=me["id"], now=clock())
                    else:
                        raise BackofficeError("未知的操作", 400)
            except BackofficeError as exc:
                values = {k: v for k, v in form.items() if k != "password"}
                return accounts_page(me, status=exc.status, error=exc.message, values=values)
            return RedirectResponse(f"{BASE}/accounts?notice="
                                    f"{'added' if act == 'add' else 'changed'}", status_code=303)

        return await run_in_threadpool(work)

    @r.get(BASE + "/audit")
    @answer
    async def audit_page(request: Request):
        def work():
            me = gate(request, roles=(ADMIN, SUPERVISOR))
            with reading(engine) as conn:
                return me, admin_log(conn, 300)

        me, rows = await run_in_threadpool(work)
        return render("audit.html", me=me, csrf=me["csrf"], rows=rows)

    # ------------------------------------------------------------ the applicant's page

    @r.get("/p/{token}")
    async def progress_page(request: Request, token: str):
        def work():
            with reading(engine) as conn:
                return review.progress(conn, token)

        view = await run_in_threadpool(work)
        if view is None:
            return render("progress_missing.html", 404)
        return render("progress.html", v=view)

    return r


def _query(**kw: Any) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode({k: v for k, v in kw.items() if v not in ("", None)})


def mount_static(app) -> None:
    """The workbench's CSS and script, and a ``Server-Timing: app;dur=<ms>`` header on its
    pages (the server's own time for a page, read by bench/bench_workbench.py and a browser's
    developer tools)."""
    import time

    app.mount(BASE + "/static", StaticFiles(directory=HERE / "static"), name="wb-static")

    @app.middleware("http")
    async def server_timing(request: Request, call_next):
        if not request.url.path.startswith((BASE, "/p/")):
            return await call_next(request)
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return response
