"""Who is asking: the session cookie (its token kept only hashed, ``service.accounts``), the
CSRF token every POST must carry, and the refusals (403 for a POST without the session's CSRF
token, a redirect to the sign-in page for a page without a live session)."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from sqlalchemy import Engine

from clerk_console.backoffice.service import accounts

COOKIE = "bo_wb_session"
LOGIN_COOKIE = "bo_wb_login"  # the sign-in form's own CSRF token (no session yet)
BASE = "/wb"


class Refused(Exception):
    """A request the workbench answers with a page: ``status`` and a Chinese message, or a
    redirect to the sign-in page (``login``)."""

    def __init__(self, status: int, message: str, *, login: bool = False):
        super().__init__(message)
        self.status, self.message, self.login = status, message, login


def cookie_options(request: Request) -> dict[str, Any]:
    return dict(httponly=True, samesite="strict", secure=request.url.scheme == "https",
                path="/")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def current(engine: Engine, clock: Callable[[], datetime], request: Request) -> dict | None:
    """The request's account: read in a read-only transaction; a write transaction only when
    the session's last-seen time is due to move on (once a minute) or it has just expired."""
    from clerk_console.backoffice.db import reading

    token, now = request.cookies.get(COOKIE), clock()
    if not token:
        return None
    with reading(engine) as conn:
        me = accounts.session_account(conn, token, now, write=False)
    if me is None or me["stale"]:
        with engine.begin() as conn:
            me = accounts.session_account(conn, token, now)
    return me


def need(engine: Engine, clock: Callable[[], datetime], request: Request, *,
         roles: Iterable[str] | None = None, form: dict[str, Any] | None = None) -> dict:
    """The signed-in account allowed here; for a POST (``form`` given) the session's CSRF
    token must come with it, else 403 — before anything is done."""
    me = current(engine, clock, request)
    if form is not None:
        if me is None:
            raise Refused(403, "登录已失效，请重新登录后再提交")
        if not accounts.csrf_ok(me["csrf"], str(form.get("csrf", ""))):
            raise Refused(403, "表单已过期或来源不明（缺少安全校验码），请刷新页面后重试")
    if me is None:
        raise Refused(303, "请先登录", login=True)
    if roles is not None and me["role"] not in set(roles):
        raise Refused(403, "您的账号没有打开此页面的权限")
    return me


def login_url(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{BASE}/login?next={quote(path, safe='')}"


def signed_in(engine: Engine, clock: Callable[[], datetime], roles: Iterable[str]):
    """A FastAPI dependency: the request's account when it has one of ``roles``, else 403
    (e.g. the supervision dashboard for supervisors and administrators)."""
    from clerk_console.backoffice.service import BackofficeError

    allowed = tuple(roles)

    def guard(request: Request) -> dict:
        me = current(engine, clock, request)
        if me is None or me["role"] not in allowed:
            raise BackofficeError("请先用大厅负责人或系统管理员账号登录审批工作台（/wb/login）", 403)
        return me

    return guard
