"""Enrollment over HTTP: throttled guessing, every failure in the admin log.

The admin log is the throttle's memory (any number of server processes share it): failed
enrollments of one client address, and of all clients together (the code space), within
ENROLL_WINDOW are counted before the request's body is even read.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from clerk_console.backoffice import service
from clerk_console.backoffice.db import reading
from clerk_console.backoffice.service import BackofficeError
from clerk_console.backoffice.tables import AdminLog
from clerk_console.sync.protocol import EnrollRequest

ADMIN = AdminLog.__table__
ENROLL_WINDOW = timedelta(minutes=10)
FAILS_PER_CLIENT = 5  # wrong codes from one address per ENROLL_WINDOW
FAILS_OVERALL = 50  # wrong codes from all addresses together per ENROLL_WINDOW
FAILED = "enroll.failed"


def check_enroll_rate(engine: Engine, client: str, now: datetime) -> None:
    """429 when this client, or everybody together, guessed wrong too often lately."""
    since = now - ENROLL_WINDOW
    recent = (ADMIN.c.action == FAILED) & (ADMIN.c.at >= since)
    with reading(engine) as conn:
        mine = conn.execute(select(func.count()).select_from(ADMIN)
                            .where(recent & (ADMIN.c.subject == client))).scalar_one()
        overall = conn.execute(select(func.count()).select_from(ADMIN).where(recent)
                               ).scalar_one()
    minutes = int(ENROLL_WINDOW.total_seconds() // 60)
    if mine >= FAILS_PER_CLIENT:
        raise BackofficeError(f"注册码错误次数过多，请{minutes}分钟后再试；"
                              "请核对注册码，或向后台管理员重新申请", 429)
    if overall >= FAILS_OVERALL:
        raise BackofficeError(f"注册请求过于频繁（可能有人在猜测注册码），请{minutes}分钟后再试，"
                              "并告知后台管理员", 429)


def enroll_logged(engine: Engine, req: EnrollRequest, *, client: str,
                  now: datetime) -> tuple[service.WindowRow, str]:
    """``service.enroll`` in its own transaction; success and failure both logged."""
    try:
        with engine.begin() as conn:
            window, token = service.enroll(conn, req.code, now=now, install_id=req.install_id,
                                           hostname=req.hostname)
            service.log_admin(conn, actor=f"window:{window.code}", action="enroll",
                              subject=window.code, detail=req.hostname[:64], now=now)
        return window, token
    except BackofficeError as exc:
        with engine.begin() as conn:
            service.log_admin(conn, actor="http", action=FAILED, subject=client[:64],
                              detail=exc.message[:120], now=now)
        raise
