"""The sign-in screen checks the PIN through the sign-in gate while the full replica is still
opening (#17): the window line is there, Enter signs in at once (counted and audited as ever),
the intake screen follows when the replica is open; a replica the gate must not touch (one to
migrate) is opened in full first, as before."""
from __future__ import annotations

import threading

from clerk_console.domain.accounts import MAX_PIN_ATTEMPTS
from clerk_console.storage import migrations
from clerk_console.storage.replica import Replica
from clerk_console.ui.desk import Desk
from support.pilot import settle, until
from support.ui import new_app, text_of, type_text

SCREEN = lambda app: type(app.screen).__name__  # noqa: E731


def held_replica(monkeypatch) -> threading.Event:
    """Replica.open waits for the returned event (the gate does not)."""
    go = threading.Event()
    real = Replica.open.__func__

    def slow_open(cls, path, *a, **kw):
        go.wait(30)
        return real(cls, path, *a, **kw)

    monkeypatch.setattr(Replica, "open", classmethod(slow_open))
    return go


def login_audit(home) -> list[tuple[str, dict]]:
    with Replica.open(home / "replica.sqlite3") as r:
        assert r.audit_chain_problem() == ""
        return [(e.action, e.detail) for e in r.audit_entries(limit=20)[::-1]
                if e.action.startswith("clerk.login")]


async def test_enter_signs_in_through_the_gate_before_the_replica_is_open(home, monkeypatch):
    go = held_replica(monkeypatch)
    app = new_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "窗口：YT0101" in text_of(app, "#window-line"), "the window line")
        assert app.desk.replica is None and app.desk.gate is not None
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await until(pilot, lambda: app.signing_in, "signed in through the gate")
        assert app.desk.replica is None and SCREEN(app) == "SignInScreen"
        assert "王芳已登录" in text_of(app, "#signin-error")
        await pilot.press("enter")  # a second Enter is no second sign-in
        go.set()
        await until(pilot, lambda: SCREEN(app) == "IntakeScreen", "the intake screen")
        await until(pilot, lambda: app.desk.ready, "the index loaded")
        await settle(app, pilot)  # the desk's opening done, the app idle
        assert app.is_running and app.clerk.clerk_id == "1001" and app.desk.gate is None
    assert login_audit(home) == [("clerk.login", {})]


async def test_wrong_pins_through_the_gate_are_counted_audited_and_lock(home, monkeypatch):
    go = held_replica(monkeypatch)
    app = new_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.desk.can_sign_in, "the gate open")
        await type_text(pilot, "1001")
        await pilot.press("enter")
        for i in range(MAX_PIN_ATTEMPTS + 1):  # the last one, the right PIN, while locked
            pin = "123412" if i == MAX_PIN_ATTEMPTS else "000000"
            await type_text(pilot, pin)
            await pilot.press("enter")
            await until(pilot, lambda: app.screen.query_one("#pin").value == "", "refused")
            assert "工号或 PIN 错误" in text_of(app, "#signin-error")
        assert app.desk.replica is None and app.clerk is None and not app.signing_in
        locked = app.desk.gate.get_clerk("1001")
        assert locked.failed_attempts == MAX_PIN_ATTEMPTS and locked.locked_until is not None
        go.set()
        await until(pilot, lambda: app.desk.replica is not None, "the replica open")
        assert SCREEN(app) == "SignInScreen"
    actions = [a for a, _ in login_audit(home)]
    assert actions == ["clerk.login_failed"] * MAX_PIN_ATTEMPTS + ["clerk.login_locked"]


async def test_a_replica_to_migrate_is_opened_in_full_before_sign_in(home, monkeypatch):
    path = home / "replica.sqlite3"
    with Replica.open(path) as r:  # as an older console left it: one revision behind
        with r.write() as s:
            s.connection().exec_driver_sql("UPDATE alembic_version SET version_num = ?",
                                           (_previous(migrations.head()),))
    seen: dict[str, object] = {}
    real = Desk.open

    def watched(self, signin_ready=lambda: None):
        def ready() -> None:
            seen.update(gate=self.gate, replica=self.replica)
            signin_ready()

        real(self, ready)

    monkeypatch.setattr(Desk, "open", watched)
    monkeypatch.setattr(migrations, "upgrade", lambda p, **kw: seen.setdefault("migrated", p))
    app = new_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "窗口：YT0101" in text_of(app, "#window-line"), "the window line")
        assert seen["gate"] is None and seen["replica"] is not None
        assert seen["migrated"] == path
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await until(pilot, lambda: SCREEN(app) == "IntakeScreen", "signed in")
        await until(pilot, lambda: app.desk.ready, "the index loaded")
        await settle(app, pilot)
        assert app.is_running


def _previous(rev: str) -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.alembic_config())
    return script.get_revision(rev).down_revision
