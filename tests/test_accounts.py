"""Clerk accounts of a real window: the service rules (bootstrap, supervisor authorisation
checked like a sign-in, last-supervisor guard, audit rows without PIN data) and the real
``clerk-console clerk`` command run in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import NOW
from support.replica_files import copy_replica
from clerk_console.services import ServiceError, accounts
from clerk_console.services.audit import login
from clerk_console.storage.replica import MAX_PIN_ATTEMPTS, Replica, ReplicaError

# conftest's replica: clerk c1 (PIN 111111), supervisor boss (PIN 654321)
BOSS_PIN = "654321"


@pytest.fixture
def empty(tmp_path, migrated_template):
    """A freshly enrolled window: a replica with no clerk at all."""
    path = tmp_path / "replica.sqlite3"
    copy_replica(migrated_template, path)
    with Replica.open(path) as rep:
        yield rep


def audit_text(replica: Replica) -> str:
    return json.dumps([[e.clerk_id, e.action, e.subject, e.detail]
                       for e in replica.audit_entries(limit=10_000)], ensure_ascii=False)


def actions(replica: Replica, subject: str) -> list[tuple[str, str, dict]]:
    """(who, action, detail) of the subject's audit entries, oldest first."""
    return [(e.clerk_id, e.action, e.detail)
            for e in reversed(replica.audit_entries(subject=subject))]


# ---------------------------------------------------------------------------- replica


def test_replica_lists_sets_pin_and_active(replica):
    assert [(c.id, c.role, c.active) for c in replica.list_clerks()] == [
        ("boss", "supervisor", True), ("c1", "clerk", True)]
    for _ in range(3):
        assert replica.verify_pin("c1", "000000", NOW) is None
    replica.set_pin("c1", "246800")
    assert replica.get_clerk("c1").failed_attempts == 0
    assert replica.verify_pin("c1", "111111", NOW) is None
    assert replica.verify_pin("c1", "246800", NOW) is not None
    replica.set_active("c1", False)
    assert replica.verify_pin("c1", "246800", NOW) is None
    replica.set_active("c1", True)
    assert replica.verify_pin("c1", "246800", NOW) is not None
    with pytest.raises(ReplicaError, match="不存在"):
        replica.set_pin("nobody", "246800")
    with pytest.raises(ReplicaError, match="不存在"):
        replica.set_active("nobody", False)
    for bad in ("123", "12345", "1234567890123", "12a4", "１２３４", ""):
        with pytest.raises(ReplicaError, match="6 到 12 位数字"):
            replica.set_pin("c1", bad)
    assert replica.verify_pin("c1", "246800", NOW) is not None


# ---------------------------------------------------------------------------- bootstrap


def test_bootstrap_creates_the_first_supervisor_without_authorisation(empty):
    assert not accounts.has_supervisor(empty)
    with pytest.raises(ServiceError, match="还没有在岗的负责人"):
        accounts.add(empty, "c1", "张敏", "111100")
    assert empty.list_clerks() == []
    boss = accounts.add(empty, "boss", "刘主任", "907531", supervisor=True)
    assert boss.is_supervisor and accounts.has_supervisor(empty)
    assert actions(empty, "boss") == [
        ("boss", "clerk.add", {"name": "刘主任", "role": "supervisor", "bootstrap": True})]
    # from now on every change needs the supervisor
    with pytest.raises(ServiceError, match="需负责人授权"):
        accounts.add(empty, "boss2", "王副主任", "123412", supervisor=True)
    by = accounts.authorise(empty, "boss", "907531")
    accounts.add(empty, "c1", "张敏", "468200", by=by)
    assert actions(empty, "c1") == [("boss", "clerk.add", {"name": "张敏", "role": "clerk"})]
    assert "907531" not in audit_text(empty) and "468200" not in audit_text(empty)


def test_changes_in_bootstrap_ask_for_a_supervisor_first(empty):
    with pytest.raises(ServiceError, match="还没有在岗的负责人"):
        accounts.set_pin(empty, "c1", "123412", by=None)


# ---------------------------------------------------------------------------- authorisation


def test_authorise_is_a_sign_in_and_wrong_pins_lock(replica):
    assert accounts.authorise(replica, "boss", BOSS_PIN).id == "boss"
    with pytest.raises(ServiceError, match="不是负责人"):
        accounts.authorise(replica, "c1", "111111")
    assert replica.get_clerk("c1").failed_attempts == 0
    with pytest.raises(ServiceError, match="需要负责人确认"):
        accounts.authorise(replica, "nobody", BOSS_PIN)
    for _ in range(MAX_PIN_ATTEMPTS - 1, 0, -1):
        with pytest.raises(ServiceError, match="工号或 PIN 错误"):
            accounts.authorise(replica, "boss", "000000")
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):
        accounts.authorise(replica, "boss", "000000")
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):  # locked: the same words
        accounts.authorise(replica, "boss", BOSS_PIN)
    assert [a for _, a, _ in actions(replica, "boss")].count("clerk.login_failed") == \
        MAX_PIN_ATTEMPTS


def test_a_disabled_supervisor_no_longer_authorises(replica):
    boss = accounts.authorise(replica, "boss", BOSS_PIN)
    accounts.add(replica, "boss2", "王副主任", "555555", supervisor=True, by=boss)
    assert accounts.set_active(replica, "boss", False, by=boss)
    with pytest.raises(ServiceError):
        accounts.authorise(replica, "boss", BOSS_PIN)
    with pytest.raises(ServiceError, match="需要负责人确认"):
        accounts.set_pin(replica, "c1", "123412", by=boss)  # an object from before is not enough


# ---------------------------------------------------------------------------- changes


def test_add_refuses_existing_ids_and_bad_input(replica):
    boss = accounts.authorise(replica, "boss", BOSS_PIN)
    with pytest.raises(ServiceError, match="已存在"):
        accounts.add(replica, "c1", "另一个", "123412", by=boss)
    assert replica.get_clerk("c1").name == "张敏"
    assert replica.verify_pin("c1", "111111", NOW) is not None  # the old PIN was not overwritten
    with pytest.raises(ServiceError, match="工号“c 2”无效"):
        accounts.add(replica, "c 2", "李四", "123412", by=boss)
    with pytest.raises(ServiceError, match="姓名"):
        accounts.add(replica, "c2", "  ", "123412", by=boss)
    with pytest.raises(ServiceError, match="6 到 12 位数字"):
        accounts.add(replica, "c2", "李四", "12", by=boss)
    with pytest.raises(ServiceError, match="需负责人授权"):
        accounts.add(replica, "c2", "李四", "123412")
    c1 = replica.get_clerk("c1")
    with pytest.raises(ServiceError, match="不是负责人"):
        accounts.add(replica, "c2", "李四", "123412", by=c1)
    assert replica.get_clerk("c2") is None


def test_pin_unlock_and_audit(replica):
    boss = accounts.authorise(replica, "boss", BOSS_PIN)
    for _ in range(MAX_PIN_ATTEMPTS):
        replica.verify_pin("c1", "000000", NOW)
    assert replica.get_clerk("c1").locked
    assert not accounts.unlock(replica, "c1", by=boss).locked
    assert replica.verify_pin("c1", "111111", NOW) is not None
    clerk = accounts.set_pin(replica, "c1", "730915", by=boss)
    assert clerk.failed_attempts == 0
    assert replica.verify_pin("c1", "730915", NOW) is not None
    with pytest.raises(ServiceError, match="工号 nobody 不存在"):
        accounts.set_pin(replica, "nobody", "123412", by=boss)
    with pytest.raises(ServiceError, match="工号 nobody 不存在"):
        accounts.unlock(replica, "nobody", by=boss)
    assert actions(replica, "c1")[-2:] == [("boss", "clerk.unlock", {}),
                                           ("boss", "clerk.pin", {})]
    assert "730915" not in audit_text(replica)


def test_disable_enable_and_the_last_supervisor(replica):
    boss = accounts.authorise(replica, "boss", BOSS_PIN)
    assert accounts.set_active(replica, "c1", False, by=boss)
    with pytest.raises(ServiceError, match="工号或 PIN 错误"):
        login(replica, "c1", "111111")
    assert not accounts.set_active(replica, "c1", False, by=boss)  # already: nothing written
    assert accounts.set_active(replica, "c1", True, by=boss)
    assert [a for _, a, _ in actions(replica, "c1")] == [  # the refused sign-in is audited
        "clerk.disable", "clerk.login_disabled", "clerk.enable"]

    with pytest.raises(ServiceError, match="唯一在岗的负责人，不能停用"):
        accounts.set_active(replica, "boss", False, by=boss)
    assert replica.get_clerk("boss").active
    accounts.add(replica, "boss2", "王副主任", "555555", supervisor=True, by=boss)
    boss2 = accounts.authorise(replica, "boss2", "555555")
    assert accounts.set_active(replica, "boss", False, by=boss2)
    with pytest.raises(ServiceError, match="唯一在岗的负责人"):
        accounts.set_active(replica, "boss2", False, by=boss2)
    assert actions(replica, "boss")[-1][:2] == ("boss2", "clerk.disable")


def test_no_pin_ever_reaches_the_audit_log(replica):
    pins = ["863140", "571900", "246813", "975310"]
    boss = accounts.authorise(replica, "boss", BOSS_PIN)
    accounts.add(replica, "c2", "李四", pins[0], by=boss)
    accounts.set_pin(replica, "c2", pins[1], by=boss)
    accounts.add(replica, "boss2", "王副主任", pins[2], supervisor=True, by=boss)
    with pytest.raises(ServiceError):
        accounts.authorise(replica, "boss2", pins[3])  # a wrong one
    accounts.authorise(replica, "boss2", pins[2])
    text = audit_text(replica)
    assert "clerk.add" in text and "clerk.pin" in text and "clerk.login_failed" in text
    for pin in pins + [BOSS_PIN]:
        assert pin not in text


# ---------------------------------------------------------------------------- the command


def clerk_cli(home, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The real command; a new session, so getpass has no terminal and reads stdin."""
    proc = subprocess.run([sys.executable, "-m", "clerk_console", "--data-dir", str(home),
                           "clerk", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, start_new_session=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def home(tmp_path, migrated_template):
    home = tmp_path / "window"
    copy_replica(migrated_template, home / "replica.sqlite3")
    return home


def test_cli_without_a_replica(tmp_path):
    out = clerk_cli(tmp_path, "list")
    assert out.returncode == 1 and "clerk-console enroll" in out.stderr
    assert not (tmp_path / "replica.sqlite3").exists()


def test_cli_sets_up_a_window(home):
    out = clerk_cli(home, "add", "c1", "张敏", "--pin-stdin", stdin="246800\n")
    assert out.returncode == 1 and "--supervisor" in out.stderr
    out = clerk_cli(home, "add", "boss", "刘主任", "--supervisor", "--pin-stdin",
                    stdin="907531\n")
    assert out.returncode == 0, out.stderr
    assert "无需授权" in out.stdout and "已添加负责人 刘主任" in out.stdout
    # supervisor asked for (id, then PIN), the new PIN from stdin
    out = clerk_cli(home, "add", "c1", "张敏", "--pin-stdin", stdin="boss\n907531\n246800\n")
    assert out.returncode == 0, out.stderr
    out = clerk_cli(home, "add", "c1", "张敏", "--pin-stdin", "--as", "boss",
                    stdin="907531\n135700\n")
    assert out.returncode == 1 and "工号 c1 已存在" in out.stderr
    out = clerk_cli(home, "disable", "boss", "--as", "boss", stdin="907531\n")
    assert out.returncode == 1 and "唯一在岗的负责人" in out.stderr
    out = clerk_cli(home, "disable", "c1", "--as", "boss", stdin="000000\n")
    assert out.returncode == 1 and "工号或 PIN 错误" in out.stderr
    out = clerk_cli(home, "disable", "c1", "--as", "boss", stdin="907531\n")
    assert out.returncode == 0 and "已停用 张敏（c1）" in out.stdout

    out = clerk_cli(home, "list", "--json")  # names and roles: a signed-in clerk only
    assert out.returncode == 2 and "没有读到输入" in out.stderr and "张敏" not in out.stdout
    out = clerk_cli(home, "list", "--json", "--as", "c1", stdin="000000\n")
    assert out.returncode == 1 and "工号或 PIN 错误" in out.stderr
    out = clerk_cli(home, "list", "--json", "--as", "boss", stdin="907531\n")
    assert out.returncode == 0
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert rows == [
        {"id": "boss", "name": "刘主任", "role": "supervisor", "active": True, "locked": False},
        {"id": "c1", "name": "张敏", "role": "clerk", "active": False, "locked": False}]
    assert "907531" not in out.stdout and "246800" not in out.stdout

    with Replica.open(home / "replica.sqlite3") as rep:
        assert rep.get_clerk("boss").failed_attempts == 0  # the right PIN after the wrong one
        assert rep.verify_pin("boss", "907531", NOW) is not None
        assert [(who, a) for who, a, _ in actions(rep, "c1")] == [
            ("boss", "clerk.add"), ("boss", "clerk.disable"), ("c1", "clerk.login_disabled")]
        text = audit_text(rep)
        assert "907531" not in text and "246800" not in text


def test_cli_pin_input_errors(home):
    with Replica.open(home / "replica.sqlite3") as rep:
        rep.add_clerk("boss", "刘主任", BOSS_PIN, "supervisor")
        rep.add_clerk("c1", "张敏", "111111")
    # asked twice (getpass reads stdin here): the entries differ
    out = clerk_cli(home, "pin", "c1", "--as", "boss", stdin=f"{BOSS_PIN}\n246800\n864200\n")
    assert out.returncode == 2 and "两次输入的 PIN 不一致" in out.stderr
    out = clerk_cli(home, "pin", "c1", "--as", "boss", "--pin-stdin", stdin=f"{BOSS_PIN}\n12a4\n")
    assert out.returncode == 2 and "6 到 12 位数字" in out.stderr
    out = clerk_cli(home, "pin", "c1", "--as", "boss", "--pin-stdin", stdin=f"{BOSS_PIN}\n")
    assert out.returncode == 2 and "缺少 PIN" in out.stderr
    out = clerk_cli(home, "pin", "nobody", "--as", "boss", stdin=f"{BOSS_PIN}\n")
    assert out.returncode == 1 and "工号 nobody 不存在" in out.stderr
    out = clerk_cli(home, "add", "c 2", "李四", "--pin-stdin", stdin="")
    assert out.returncode == 2 and "无效" in out.stderr
    out = clerk_cli(home, "pin", "c1", "--as", "boss", stdin=f"{BOSS_PIN}\n246800\n246800\n")
    assert out.returncode == 0 and "已为 张敏（c1）设置新 PIN" in out.stdout
    assert "246800" not in out.stdout + out.stderr
    with Replica.open(home / "replica.sqlite3") as rep:
        assert rep.verify_pin("c1", "246800", NOW) is not None
        for _ in range(MAX_PIN_ATTEMPTS):
            rep.verify_pin("c1", "000000", NOW)
    out = clerk_cli(home, "unlock", "c1", "--as", "boss", stdin=f"{BOSS_PIN}\n")
    assert out.returncode == 0 and "已解锁 张敏（c1）" in out.stdout
    with Replica.open(home / "replica.sqlite3") as rep:
        assert not rep.get_clerk("c1").locked
        assert [a for _, a, _ in actions(rep, "c1")] == ["clerk.pin", "clerk.unlock"]
        # the supervisor was checked first in every run that got past the target's id
        boss = [a for _, a, _ in actions(rep, "boss")]
        assert boss.count("clerk.login") == 5 and "clerk.login_failed" not in boss
