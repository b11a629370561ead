"""Workbench accounts and sign-ins: argon2id passwords (``domain.passwords``, the same hash as
the clerks' PINs), the growing lock after wrong passwords (``domain.accounts.lock_after``),
server-side sessions whose cookie token and CSRF token are random, kept only as hashes or
bound to the session. Every change is written to the append-only audit log (``log_admin``).
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, delete, select, update

from clerk_console.domain import passwords
from clerk_console.domain.calendar import CHINA_TIME
from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS, lock_after, lock_in_force
from clerk_console.domain.errors import RuleError
from clerk_console.domain.workbench import (ROLE_LABELS, check_account_id, check_role,
                                            session_live)

from .admin import log_admin
from .catalogue import published_catalogue
from .common import ACCOUNT, SESSION, BackofficeError, _hash

SEEN_EVERY = timedelta(minutes=1)  # a session's last-seen time is written at most this often
BAD_LOGIN = "账号或口令错误"


def utc(at: datetime) -> datetime:
    """``at`` as aware UTC (a naive time is taken as UTC already): how the tables hold times."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _rule(call, *args):
    try:
        return call(*args)
    except RuleError as exc:
        raise BackofficeError(str(exc), 400) from None


def departments(conn: Connection) -> dict[str, str]:
    """Department code -> name from the published catalogue ({} when none is published)."""
    cat = published_catalogue(conn)
    return {} if cat is None else {c: d.name for c, d in cat.departments.items()}


def _row(conn: Connection, account_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(ACCOUNT).where(ACCOUNT.c.id == account_id)).mappings().first()
    return dict(row) if row else None


def _existing(conn: Connection, account_id: str) -> dict[str, Any]:
    row = _row(conn, account_id.strip().lower())
    if row is None:
        raise BackofficeError(f"没有账号“{account_id.strip()}”，请核对（账号列表：account list）", 404)
    return row


def add_account(conn: Connection, account_id: str, *, name: str, role: str, dept: str,
                password: str, actor: str, now: datetime) -> dict[str, Any]:
    account_id = _rule(check_account_id, account_id)
    role, dept = _rule(check_role, role, dept, set(departments(conn)))
    _rule(passwords.check_password, password)
    if _row(conn, account_id) is not None:
        raise BackofficeError(f"账号“{account_id}”已存在；改口令请用 account passwd", 409)
    values = dict(id=account_id, name=name.strip()[:64], role=role, dept=dept,
                  password_hash=passwords.hash_secret(password), active=True,
                  failed_attempts=0, locked_until=None, created_at=utc(now),
                  password_changed_at=utc(now))
    conn.execute(ACCOUNT.insert().values(**values))
    log_admin(conn, actor=actor, action="account_add", subject=account_id,
              detail=f"role={role} dept={dept}", now=now)
    return values


def list_accounts(conn: Connection) -> list[dict[str, Any]]:
    """Every account without its hash, by id; ``locked`` as of now is the caller's to judge."""
    rows = conn.execute(select(ACCOUNT).order_by(ACCOUNT.c.id)).mappings().all()
    return [{k: v for k, v in r.items() if k != "password_hash"}
            | {"role_label": ROLE_LABELS.get(r["role"], r["role"])} for r in rows]


def set_active(conn: Connection, account_id: str, active: bool, *, actor: str,
               now: datetime) -> None:
    """Disable (signs every session of it out) or enable (and unlock) an account."""
    row = _existing(conn, account_id)
    values: dict[str, Any] = {"active": active}
    if active:
        values.update(failed_attempts=0, locked_until=None)
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == row["id"]).values(**values))
    if not active:
        conn.execute(delete(SESSION).where(SESSION.c.account_id == row["id"]))
    log_admin(conn, actor=actor, action="account_enable" if active else "account_disable",
              subject=row["id"], detail="", now=now)


def set_password(conn: Connection, account_id: str, password: str, *, actor: str,
                 now: datetime) -> None:
    """A new password (the lock and every session of the account end)."""
    row = _existing(conn, account_id)
    _rule(passwords.check_password, password)
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == row["id"]).values(
        password_hash=passwords.hash_secret(password), failed_attempts=0, locked_until=None,
        password_changed_at=utc(now)))
    conn.execute(delete(SESSION).where(SESSION.c.account_id == row["id"]))
    log_admin(conn, actor=actor, action="account_passwd", subject=row["id"], detail="", now=now)


def sign_in(conn: Connection, account_id: str, password: str, *, client: str,
            now: datetime) -> tuple[dict[str, Any] | None, BackofficeError | None]:
    """(the account, None) when the password is right; else (None, the refusal: 401, or 423
    while locked), which the caller raises after committing: the wrong-password count and the
    audit line must stay. Every attempt costs one argon2 verification."""
    try:
        key = check_account_id(account_id)
    except RuleError:
        key = ""
    row = _row(conn, key) if key else None
    at = utc(now)
    locked = row is not None and row["locked_until"] is not None and lock_in_force(
        utc(row["locked_until"]), at, 0)
    usable = row is not None and row["active"] and not locked
    right = passwords.secret_matches(password, row["password_hash"] if usable
                                     else passwords.DUMMY_HASH)
    subject = key or "(无效账号)"
    if usable and right:
        assert row is not None
        conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == row["id"])
                     .values(failed_attempts=0, locked_until=None))
        log_admin(conn, actor=row["id"], action="login", subject=row["id"],
                  detail=f"client={client}", now=now)
        return row, None
    if row is not None and locked:
        log_admin(conn, actor=key, action="login_locked", subject=key,
                  detail=f"client={client}", now=now)
        until = utc(row["locked_until"]).astimezone(CHINA_TIME)
        return None, BackofficeError(f"口令错误次数过多，账号已锁定至{until:%H:%M}（北京时间）；"
                                     "急需使用请联系系统管理员", 423)
    if row is not None and row["active"]:
        failed = row["failed_attempts"] + 1
        lock = lock_after(failed)
        conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == row["id"]).values(
            failed_attempts=failed, locked_until=at + lock if lock else row["locked_until"]))
        log_admin(conn, actor=key, action="login_failed", subject=key,
                  detail=f"client={client} failed={failed}", now=now)
        if lock:
            return None, BackofficeError(f"口令连续错误{MAX_PIN_ATTEMPTS}次，账号已锁定"
                                         f"{int(lock.total_seconds() // 60)}分钟", 423)
    else:
        log_admin(conn, actor=subject, action="login_failed", subject=subject,
                  detail=f"client={client}", now=now)
    return None, BackofficeError(BAD_LOGIN, 401)


def open_session(conn: Connection, account_id: str, now: datetime) -> tuple[str, str]:
    """A new session of the account: (cookie token, CSRF token)."""
    from clerk_console.domain.workbench import SESSION_LONGEST

    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = utc(now)
    conn.execute(SESSION.insert().values(token_hash=_hash(token), account_id=account_id,
                                         csrf=csrf, created_at=at, seen_at=at,
                                         expires_at=at + SESSION_LONGEST))
    return token, csrf


def session_account(conn: Connection, token: str | None, now: datetime, *,
                    write: bool = True) -> dict[str, Any] | None:
    """The signed-in account of a cookie token (with the session's ``csrf``), or None when
    the token is unknown, the session has expired or the account was disabled. With
    ``write`` an expired session is deleted and a stale last-seen time moved on; without it
    (a read-only transaction) the answer has ``stale`` True when that write is due."""
    if not token or len(token) > 100:
        return None
    at = utc(now)
    row = conn.execute(select(SESSION, ACCOUNT.c.name, ACCOUNT.c.role, ACCOUNT.c.dept,
                              ACCOUNT.c.active)
                       .join(ACCOUNT, ACCOUNT.c.id == SESSION.c.account_id)
                       .where(SESSION.c.token_hash == _hash(token))).mappings().first()
    if row is None or not row["active"]:
        return None
    if not session_live(utc(row["created_at"]), utc(row["seen_at"]), at):
        if write:
            conn.execute(delete(SESSION).where(SESSION.c.token_hash == row["token_hash"]))
        return None
    stale = at - utc(row["seen_at"]) >= SEEN_EVERY
    if stale and write:
        conn.execute(update(SESSION).where(SESSION.c.token_hash == row["token_hash"])
                     .values(seen_at=at))
    return {"id": row["account_id"], "name": row["name"], "role": row["role"],
            "dept": row["dept"], "csrf": row["csrf"], "stale": stale and not write}


def close_session(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute(delete(SESSION).where(SESSION.c.token_hash == _hash(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given or "")
