"""Workbench accounts on a real SQLite file: argon2id passwords (the clerks' hash), the growing
lock after wrong passwords, server-side sessions with idle and absolute expiry (injected clock),
disabling and password changes ending sessions, the audit log, the `account` CLI in Chinese."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from clerk_console.backoffice import cli
from clerk_console.backoffice.db import make_engine
from clerk_console.backoffice.service import BackofficeError, accounts, admin_log
from clerk_console.backoffice.tables import Account, WebSession
from clerk_console.domain import passwords
from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS
from clerk_console.domain.workbench import SESSION_IDLE, SESSION_LONGEST

from support.workbench import backend_engine

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
PASSWORD = "审批-pass-2026"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bo_engine(request, tmp_path):
    engine = backend_engine(request, tmp_path)
    yield engine
    engine.dispose()


def add(engine, account_id="scjg.li", role="reviewer", dept="SCJG", password=PASSWORD):
    with engine.begin() as conn:
        return accounts.add_account(conn, account_id, name="李审批", role=role, dept=dept,
                                    password=password, actor="admin", now=NOW)


def sign_in(engine, account_id="scjg.li", password=PASSWORD, now=NOW):
    with engine.begin() as conn:
        account, refusal = accounts.sign_in(conn, account_id, password, client="127.0.0.1",
                                            now=now)
    if refusal is not None:
        raise refusal
    return account


def test_password_is_stored_as_the_clerks_argon2id_hash(bo_engine):
    add(bo_engine, " SCJG.Li ")
    with bo_engine.begin() as conn:
        row = conn.execute(select(Account.__table__)).mappings().one()
    assert row["id"] == "scjg.li" and row["dept"] == "SCJG"
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in str(dict(row))
    assert passwords.secret_matches(PASSWORD, row["password_hash"])
    assert not passwords.needs_rehash(row["password_hash"])
    assert sign_in(bo_engine, "SCJG.LI")["id"] == "scjg.li"


@pytest.mark.parametrize("kwargs, message", [
    (dict(role="reviewer", dept=""), "须指定所属部门"),
    (dict(role="boss"), "角色“boss”无效"),
    (dict(password="short1"), "口令应为 10 到 128 个字符"),
    (dict(password="0123456789012"), "不能只有字母或只有数字"),
    (dict(account_id="李四"), "账号应为"),
])
def test_bad_accounts_are_refused_in_chinese(bo_engine, kwargs, message):
    with pytest.raises(BackofficeError, match=message):
        add(bo_engine, **kwargs)


def test_duplicate_account_is_refused(bo_engine):
    add(bo_engine)
    with pytest.raises(BackofficeError, match="已存在"):
        add(bo_engine)


def test_wrong_passwords_lock_the_account_and_every_try_is_audited(bo_engine):
    add(bo_engine)
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        with pytest.raises(BackofficeError, match="账号或口令错误") as exc:
            sign_in(bo_engine, password="wrong-password-1")
        assert exc.value.status == 401
    with pytest.raises(BackofficeError, match="已锁定") as exc:
        sign_in(bo_engine, password="wrong-password-1")
    assert exc.value.status == 423
    # locked: even the right password is refused until the lock runs out
    with pytest.raises(BackofficeError, match="已锁定"):
        sign_in(bo_engine, now=NOW + timedelta(minutes=1))
    assert sign_in(bo_engine, now=NOW + timedelta(minutes=6))["id"] == "scjg.li"
    with bo_engine.begin() as conn:
        actions = [r["action"] for r in admin_log(conn, 100)]
    assert actions.count("login_failed") == MAX_PIN_ATTEMPTS
    assert "login_locked" in actions and "login" in actions


def test_unknown_and_disabled_accounts_get_the_same_answer(bo_engine):
    add(bo_engine)
    with bo_engine.begin() as conn:
        accounts.set_active(conn, "scjg.li", False, actor="admin", now=NOW)
    for who in ("scjg.li", "nobody"):
        with pytest.raises(BackofficeError, match="^账号或口令错误$"):
            sign_in(bo_engine, who)


def test_session_expires_when_idle_and_after_a_working_day(bo_engine):
    add(bo_engine)
    with bo_engine.begin() as conn:
        token, csrf = accounts.open_session(conn, "scjg.li", NOW)
    t = NOW
    # used every 20 minutes it lives on, but never past SESSION_LONGEST
    while t + timedelta(minutes=20) < NOW + SESSION_LONGEST:
        t += timedelta(minutes=20)
        with bo_engine.begin() as conn:
            me = accounts.session_account(conn, token, t)
        assert me is not None and me["csrf"] == csrf and me["dept"] == "SCJG"
    with bo_engine.begin() as conn:
        assert accounts.session_account(conn, token, NOW + SESSION_LONGEST) is None
        token2, _ = accounts.open_session(conn, "scjg.li", NOW)
        assert accounts.session_account(conn, token2, NOW + SESSION_IDLE) is None
        assert accounts.session_account(conn, "made-up", NOW) is None
        stored = [r[0] for r in conn.execute(select(WebSession.__table__.c.token_hash))]
    assert token not in stored and token2 not in stored  # only hashes, expired ones gone


def test_disabling_or_a_new_password_ends_sessions(bo_engine):
    add(bo_engine)
    with bo_engine.begin() as conn:
        token, _ = accounts.open_session(conn, "scjg.li", NOW)
        accounts.set_password(conn, "scjg.li", "新的-password-9", actor="admin", now=NOW)
        assert accounts.session_account(conn, token, NOW) is None
        token, _ = accounts.open_session(conn, "scjg.li", NOW)
        accounts.set_active(conn, "scjg.li", False, actor="admin", now=NOW)
        assert accounts.session_account(conn, token, NOW) is None
    with pytest.raises(BackofficeError):
        sign_in(bo_engine, password="新的-password-9")


def test_account_cli_in_chinese(tmp_path, capsys, monkeypatch):
    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["--db", db, "account", "add", "xf.wang", "--role", "reviewer",
                     "--dept", "xf", "--name", "王审批", "--password-stdin"]) == 0
    assert "已新建账号xf.wang（审批人员，XF）" in capsys.readouterr().out
    assert cli.main(["--db", db, "account", "disable", "xf.wang"]) == 0
    assert cli.main(["--db", db, "account", "list"]) == 0
    out = capsys.readouterr().out
    assert "xf.wang\t王审批\t审批人员\tXF\t已停用" in out and "共1个账号" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-1\n"))
    assert cli.main(["--db", db, "account", "passwd", "xf.wang", "--password-stdin"]) == 0
    assert cli.main(["--db", db, "account", "enable", "nobody"]) == 1
    err = capsys.readouterr().err
    assert "错误：没有账号“nobody”" in err and "Traceback" not in err
    assert cli.main(["--db", db, "admin-log"]) == 0
    log = capsys.readouterr().out
    assert "account_add\txf.wang" in log and "account_disable" in log
    assert PASSWORD not in log and "another-pass-1" not in log


def test_doctests_of_the_rules():
    import doctest

    from clerk_console.domain import workbench

    for module in (passwords, workbench):
        assert doctest.testmod(module).failed == 0


def test_the_demo_back_office_has_the_workbench_accounts(tmp_path):
    from clerk_console.commands.embedded import DEMO_ACCOUNTS, DEMO_PASSWORD, start_embedded

    office = start_embedded(tmp_path / "demo", demo_accounts=True)
    try:
        engine = make_engine(office.db_url)
        for account_id, role, dept in DEMO_ACCOUNTS:
            me = sign_in(engine, account_id, DEMO_PASSWORD, now=datetime.now(timezone.utc))
            assert (me["role"], me["dept"]) == (role, dept)
    finally:
        office.stop()
