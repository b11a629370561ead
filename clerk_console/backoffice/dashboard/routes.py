"""The dashboard's pages: ``GET /dashboard`` (HTML with inline SVG charts) and
``GET /dashboard.csv`` (the same figures, UTF-8 with BOM) under the workbench's ``/wb``, both
filtered by ``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (default: today, China time). Who may see
them is the ``guard`` the app passes in (a FastAPI dependency; :func:`supervisors`: signed in
to the workbench as a hall supervisor or an administrator)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from clerk_console.backoffice.db import reading
from clerk_console.domain.calendar import CHINA_TIME as CHINA

from . import export
from .charts import charts
from .rollup import refresh
from .service import Dashboard, Figures, RangeError, dashboard

PATH = "/wb/dashboard"
ROLES = ("supervisor", "admin")  # domain.workbench.SUPERVISOR, ADMIN
_env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                   autoescape=select_autoescape(["html"]))


def _value(f: Figures, key: str) -> Any:
    return export.rate_label(f.satisfaction) if key == "satisfaction" else getattr(f, key)


def parse_range(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """``(start, end)`` from the query; a missing end is ``today``, a missing start the end.
    A malformed date is a RangeError in Chinese."""
    def day(raw: str | None, default: date, what: str) -> date:
        if not raw:
            return default
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise RangeError(f"{what}“{raw[:20]}”不是日期，应写成 2026-11-27") from None

    last = day(end, today, "结束日期")
    return day(start, last, "开始日期"), last


def render(d: Dashboard, me: dict, error: str = "") -> str:
    return _env.get_template("dashboard.html").render(
        d=d, me=me, charts=charts(d), columns=export.COLUMNS, rate=export.rate_label, value=_value,
        error=error, base=PATH, week=d.today - timedelta(days=6), month=d.today.replace(day=1))


def supervisors(engine: Engine, clock: Callable[[], datetime]) -> Callable[[Request], dict]:
    """The dashboard's guard: the workbench session of a supervisor or an administrator; no
    session goes to the sign-in page (and back here after it), another role is refused."""
    from clerk_console.backoffice.service import BackofficeError
    from clerk_console.backoffice.workbench.auth import current, login_url

    def guard(request: Request) -> dict:
        me = current(engine, clock, request)
        if me is None:
            raise HTTPException(303, "请先登录", headers={"Location": login_url(request)})
        if me["role"] not in ROLES:
            raise BackofficeError("只有大厅负责人或系统管理员可以查看监管评价", 403)
        return me

    return guard


def router(engine: Engine, *, clock: Callable[[], datetime],
           guard: Callable[..., Any] | None = None) -> APIRouter:
    """The dashboard's routes on ``engine``; ``clock`` gives the server's now (aware)."""
    r = APIRouter()
    signed = Depends(guard or (lambda: {"id": "", "name": ""}))  # the account shown

    def figures(start: str | None, end: str | None) -> tuple[Dashboard, str]:
        today = clock().astimezone(CHINA).date()
        # the changed days' rollup first, in a short writing transaction of its own (a SQLite
        # reading snapshot cannot turn writer once another write has committed)
        with engine.begin() as conn:
            refresh(conn)
        try:
            first, last = parse_range(start, end, today)
            with reading(engine) as conn:
                return dashboard(conn, first, last, today=today, refresh=False), ""
        except RangeError as exc:
            with reading(engine) as conn:
                return dashboard(conn, today, today, today=today, refresh=False), str(exc)

    @r.get(PATH, response_class=HTMLResponse)
    async def page(request: Request, start: str | None = None, end: str | None = None,
                   me: dict = signed):
        d, error = await run_in_threadpool(figures, start, end)
        return HTMLResponse(render(d, me, error), status_code=400 if error else 200,
                            headers={"Cache-Control": "no-store"})

    @r.get(PATH + ".csv")
    async def csv(request: Request, start: str | None = None, end: str | None = None,
                  me: dict = signed):
        d, error = await run_in_threadpool(figures, start, end)
        if error:
            return Response(error, status_code=400, media_type="text/plain; charset=utf-8")
        return Response(export.to_csv(d), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": export.filename(d),
                                 "Cache-Control": "no-store"})

    return r
