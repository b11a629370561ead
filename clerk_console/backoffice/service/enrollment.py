"""Windows and their tokens: one-time enrollment codes, enrolling, revoking, authenticating."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, select

from clerk_console.domain.accounts import unlock_code
from clerk_console.domain.ids import new_id, parse_case_no
from clerk_console.sync.protocol import REVOKED

from .common import W, BackofficeError, WindowRow, _hash

ENROLL_CODE_TTL = timedelta(hours=24)
ENROLL_RETRY_TTL = timedelta(hours=1)  # a lost enroll answer may be asked for again


def issue_enrollment_code(conn: Connection, window_code: str, *, region: str | None,
                          now: datetime, replace: bool = False) -> str:
    """Create the window if new and return a one-time code; the server keeps only its hash.

    A window enrolled on a PC gets a new code only as an explicit ``replace``: the PC that
    enrolls with it takes the window over and the first one is told it was replaced."""
    code_norm = window_code.strip().upper()
    if not parse_case_no(f"{code_norm}-20000101-0001"):
        raise BackofficeError(f"窗口编号“{window_code}”不合规：应为2-12位大写字母或数字，如 YT0101")
    code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    row = conn.execute(select(W).where(W.c.code == code_norm)).mappings().first()
    if row is not None and row["token_hash"] and not replace:
        where = f"（{row['hostname']}）" if row["hostname"] else ""
        raise BackofficeError(f"窗口{code_norm}已在一台电脑{where}上注册：如要换到另一台电脑，"
                              "请加 --replace 重新申请，新电脑注册后原电脑即停用", 409)
    values: dict[str, Any] = dict(enroll_code_hash=_hash(code),
                                  enroll_expires=now + ENROLL_CODE_TTL, revoked_at=None)
    if region is not None:
        values["region"] = region
    if row is None:
        conn.execute(W.insert().values(id=new_id(), code=code_norm, created_at=now,
                                       **{"region": "", **values}))
    else:
        conn.execute(W.update().where(W.c.id == row["id"]).values(**values))
    return code


def enroll(conn: Connection, code: str, *, now: datetime, install_id: str = "",
           hostname: str = "") -> tuple[WindowRow, str]:
    """Exchange a one-time code for (window, token); the old token of that window stops working.

    The code is consumed by one conditional UPDATE (``… WHERE enroll_code_hash = :code``): of
    concurrent requests with one code exactly one changes the row, on PostgreSQL too. The same
    window (``install_id``) retrying after a lost answer gets a fresh token for up to
    ENROLL_RETRY_TTL; anybody else gets "code used"."""
    code_hash = _hash(code.strip().upper())
    install_hash = _hash(install_id) if install_id else None
    token = secrets.token_urlsafe(32)
    row = conn.execute(select(W).where(W.c.enroll_code_hash == code_hash)).mappings().first()
    if row is None:
        retry = conn.execute(select(W).where(W.c.used_code_hash == code_hash)).mappings().first()
        if (retry is None or install_hash is None or retry["install_hash"] != install_hash
                or retry["revoked_at"] is not None or retry["enrolled_at"] is None
                or _aware(retry["enrolled_at"]) < now - ENROLL_RETRY_TTL):
            raise BackofficeError("注册码无效或已使用，请向后台管理员重新申请注册码", 403)
        conn.execute(W.update().where(W.c.id == retry["id"]).values(token_hash=_hash(token)))
        return WindowRow(retry["id"], retry["code"], retry["region"]), token
    if row["enroll_expires"] is not None and _aware(row["enroll_expires"]) < now:
        raise BackofficeError("注册码已过期（24小时有效），请向后台管理员重新申请", 403)
    replaced = row["token_hash"]
    n = conn.execute(W.update().where((W.c.id == row["id"])
                                      & (W.c.enroll_code_hash == code_hash)).values(
        token_hash=_hash(token), enroll_code_hash=None, enroll_expires=None, enrolled_at=now,
        used_code_hash=code_hash, install_hash=install_hash, hostname=hostname[:64],
        **({"previous_token_hash": replaced, "replaced_at": now} if replaced else {}))).rowcount
    if n != 1:  # another request consumed it first
        raise BackofficeError("注册码无效或已使用，请向后台管理员重新申请注册码", 403)
    return WindowRow(row["id"], row["code"], row["region"]), token


def _aware(at: datetime) -> datetime:
    """SQLite hands datetimes back naive (they were stored as UTC)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def revoke(conn: Connection, window_code: str, *, now: datetime) -> None:
    row = conn.execute(select(W).where(W.c.code == window_code.strip().upper())).mappings().first()
    if row is None:
        raise BackofficeError(f"没有编号为“{window_code}”的窗口", 404)
    conn.execute(W.update().where(W.c.id == row["id"]).values(
        revoked_at=now, token_hash=None, enroll_code_hash=None, used_code_hash=None,
        previous_token_hash=row["token_hash"] or row["previous_token_hash"]))


def issue_unlock_code(conn: Connection, window_code: str, clerk_id: str, *,
                      now: datetime) -> str:
    """A one-time code that unlocks one clerk account of an enrolled window (when every
    supervisor there is locked out), for the admin to read out on the phone. Keyed with the
    window's token hash, which only the back office and that window's PC can form."""
    row = conn.execute(select(W).where(W.c.code == window_code.strip().upper())).mappings().first()
    if row is None or not row["token_hash"]:
        raise BackofficeError(f"窗口“{window_code}”不存在或尚未注册，无法生成解锁码", 404)
    clerk_id = clerk_id.strip()
    if not clerk_id:
        raise BackofficeError("请给出要解锁的工号")
    # the window checks the code against its own calendar day
    day = now.astimezone().date()
    return unlock_code(bytes.fromhex(row["token_hash"]), row["code"], clerk_id, day,
                       f"{secrets.randbelow(10_000):04d}")


def authenticate(conn: Connection, token: str | None) -> WindowRow:
    if not token:
        raise BackofficeError("缺少窗口令牌：请先注册本窗口（clerk-console enroll 地址 注册码）", 401)
    h = _hash(token)
    row = conn.execute(select(W).where(W.c.token_hash == h)).mappings().first()
    if row is None:
        old = conn.execute(select(W).where(W.c.previous_token_hash == h)).mappings().first()
        if old is not None and old["revoked_at"] is not None:
            raise BackofficeError(f"{REVOKED}：本窗口已于{_aware(old['revoked_at']):%Y-%m-%d %H:%M}"
                                  "（UTC）被后台停用，本机不再同步；请联系后台管理员", 401)
        if old is not None:
            where = f"（{old['hostname']}）" if old["hostname"] else ""
            raise BackofficeError(f"{REVOKED}：本窗口已于{_aware(old['replaced_at']):%Y-%m-%d %H:%M}"
                                  f"（UTC）在另一台电脑{where}上重新注册，本机不再同步；"
                                  "本机尚未上传的办件请联系后台管理员处理", 401)
        raise BackofficeError("窗口令牌无效或窗口已被停用：请向后台管理员申请新的注册码并重新注册", 401)
    if row["revoked_at"] is not None:
        raise BackofficeError(f"{REVOKED}：本窗口已被后台停用，请联系后台管理员", 403)
    return WindowRow(row["id"], row["code"], row["region"])
