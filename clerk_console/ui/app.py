"""The clerk's console: sign-in first, then the intake screen; scans work everywhere.

Only Textual and the pure domain are imported at start-up; the replica (SQLModel) and the
search index (pypinyin, or its copy on disk) are opened by ``Desk.open`` in a worker thread
once the sign-in screen is on screen. Sign-in goes ahead as soon as the sign-in gate is open
(``Desk.open``: the PIN checked, counted and audited before the full replica is open); the
intake screen follows once the replica is open, and the catalogue and the index keep loading
behind it.
"""
from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from clerk_console.domain.errors import ClerkError
from clerk_console.ui import guard
from clerk_console.ui.commands import ClerkCommands
from clerk_console.ui.desk import Desk, DeskError, Signed
from clerk_console.ui.scanner import (FIELD_SEPARATOR, FRAMING, BurstDetector, pasted_scan,
                                     scan_char)
from clerk_console.ui.textual_fixes import apply as apply_textual_fixes

if TYPE_CHECKING:
    from clerk_console.storage.early_gate import EarlyGate

apply_textual_fixes()  # before any widget renders: see textual_fixes.py
guard.install()  # no callback ends the console: see guard.py


class ClerkApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "综合受理"
    COMMANDS = App.COMMANDS | {ClerkCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+l", "lock", "锁屏", id="app.lock"),
        Binding("ctrl+q", "quit", "退出", priority=True, id="app.quit"),
    ]

    def __init__(self, home: Path, *, desk: Desk | None = None,
                 clock: Callable[[], datetime] | None = None, sync: bool = True,
                 pad: Callable[[Callable[[], datetime]], Any] | None = None,
                 key_clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.sync = sync
        self._start_pad = pad  # the rating pad's server, started on first use (rating_pad)
        self._pad: Any = None
        self.desk = desk or Desk(home)
        self.clock = clock or self.trusted_now
        self.clerk: Signed | None = None
        self.locked = False
        self.open_error: str = ""
        self._signed_early: Signed | None = None  # signed in through the gate, replica opening
        self.scanner = BurstDetector(gap=self.desk.settings.scan_burst_ms / 1000)
        # When each key arrived, in seconds, which tells a scanner's burst from a clerk's
        # typing. By default the time Textual stamps on a key as its driver reads it
        # (time.monotonic; perf_counter on Windows), so keys typed ahead during a slow moment
        # keep their real spacing. Given a clock, the app reads it once per key as it handles
        # the key instead: the Pilot tests' virtual clock (tests/support/keyclock.py) says
        # "typed by a clerk" or "burst from a scanner" without waiting in real time.
        self.key_clock = key_clock
        self._snapshot: tuple[Input, str, int] | None = None
        self._held: list[events.Key] = []
        self._hold_timer = None
        self.last_activity = time.monotonic()
        self.scans_seen = 0
        self.keys_seen = 0  # keys from the keyboard (or scanner), not the held ones replayed
        self._scan_closed_at = float("-inf")
        self._run_target: tuple[int, int] | None = None  # see _key_target
        if self.desk.settings.keymap:
            from clerk_console.ui.keymap import checked_keymap

            self.set_keymap(checked_keymap(self.desk.settings.keymap, self.desk.home))

    # -- Textual's own commands, in Chinese ------------------------------------------------
    def get_system_commands(self, screen):
        from clerk_console.ui.commands import system_commands

        return system_commands(self, screen)

    def action_command_palette(self) -> None:
        from clerk_console.ui.commands import ChinesePalette

        if self.locked:
            return
        if self.use_command_palette and not ChinesePalette.is_open(self):
            self.push_screen(ChinesePalette(id="--command-palette"))

    # -- crashes ---------------------------------------------------------------------------
    def guard_error(self, error: Exception) -> bool:
        """A callback raised (see guard.py): tell the clerk, keep everything entered."""
        if self._exit or not self.is_running:
            return False  # shutting down: Textual's own handling (our _fatal_error)
        self.bell()
        self.notify(guard.explain(error), title="未办理", severity="error", timeout=10,
                    markup=False)
        return True

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual's own crash report prints local variables (a PIN, an ID number): say what
        happened in Chinese instead, and log only the exception's type and frames."""
        import logging

        from rich.text import Text

        from clerk_console.storage.errors import storage_message, where

        error = getattr(self, "_crash", None)
        if error is not None:
            logging.getLogger("clerk_console").error("console crashed: %s", where(error))
        message = (storage_message(error) if error is not None else None) or (
            f"受理终端内部错误（{type(error).__name__ if error else '未知'}），已退出；"
            "已保存的办件不受影响，正在录入的内容请重新录入。请联系技术支持。")
        self.bell()
        self._exit_renderables.append(Text(message))
        self._close_messages_no_wait()

    # -- time ------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock()

    def trusted_now(self) -> datetime:
        """The local clock corrected by the offset measured against the back office, so
        deadlines and case numbers follow the server's date even when the PC clock is off."""
        replica = self.desk.replica
        if replica is None:
            return datetime.now()
        from clerk_console.sync.clock import trusted_now

        return trusted_now(replica.clock_offset)

    def today(self) -> date:
        return self.clock().date()

    # -- start-up --------------------------------------------------------------------------
    def on_mount(self) -> None:
        from clerk_console.ui.screens.signin import SignInScreen

        self.desk.adopt_early_gate()  # the window line in the first paint
        self.push_screen(SignInScreen())
        self.call_after_refresh(self._open_desk)
        self.set_interval(5, self.lock_if_idle)

    def _open_desk(self) -> None:
        def signin_ready() -> None:  # in the worker once a PIN can be checked (thread-safe)
            self.screen.post_message(DeskReady())

        self.desk.on_replica_open = lambda: self.post_message(ReplicaOpen())
        self.run_worker(lambda: self.desk.open(signin_ready), thread=True, name="open-desk",
                        exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "open-desk":
            return
        if event.state is WorkerState.ERROR:
            err = event.worker.error
            # a DeskError or any ClerkError says why; a defect is logged, never shown
            self.open_error = (str(err) if isinstance(err, DeskError)
                               else f"打开数据失败：{guard.explain(err)}")
            self._signed_early = None  # signed in through the gate: no intake without the data
            self.notify(self.open_error, severity="error", timeout=30)

    def signed_in(self, clerk: Signed) -> None:
        from clerk_console.ui.screens.intake import IntakeScreen

        if self.desk.replica is None:  # signed in through the gate: the rest needs the replica
            self._signed_early = clerk
            return
        self.clerk = clerk
        self.desk.use_clerk_usage(clerk.clerk_id)
        self.locked = False
        self.last_activity = time.monotonic()
        self.switch_screen(IntakeScreen())
        self.start_sync()
        self.run_worker(self.desk.warm_printing, thread=True, name="warm-printing",
                        exit_on_error=False)
        self.call_after_refresh(self.offer_unprinted)

    @property
    def signing_in(self) -> bool:
        """Signed in through the sign-in gate; the intake screen waits for the replica."""
        return self._signed_early is not None

    def on_replica_open(self, _event: ReplicaOpen) -> None:
        """The replica is open: a clerk who signed in through the gate goes on to intake."""
        clerk, self._signed_early = self._signed_early, None
        if clerk is not None and not self.locked:
            self.signed_in(clerk)

    def offer_unprinted(self) -> None:
        """Cases saved without their notice printed (a crash, a kill, the printer): listed
        once after sign-in, with the offer to print them now."""
        from clerk_console.ui.screens.unprinted import UnprintedScreen

        if self.locked or self.clerk is None:
            return
        cases = self.desk.unprinted_notices()
        if cases:
            self.push_screen(UnprintedScreen(cases))

    def start_sync(self) -> None:
        """Start the background sync; without it the status bar shows the local queue."""
        if not self.sync or self.desk.worker is not None:
            return
        from clerk_console.sync.worker import SyncWorker

        try:
            self.desk.worker = SyncWorker(self.desk.replica, self.desk.settings,
                                          home=self.desk.home).start()
        except Exception as exc:  # the console works offline; say why sync is off
            self.desk.worker = None
            self.notify(f"后台同步未启动：{guard.explain(exc)}", severity="warning")

    def rating_pad(self) -> Any:
        """The applicant's rating pad server (``pad/server.py``), started on first use on the
        address in settings.toml (``pad_bind``); None where none is configured."""
        if self._pad is None and self._start_pad is not None:
            try:
                self._pad = self._start_pad(self.now)
            except OSError as exc:
                raise DeskError(f"无法在 {self.desk.settings.pad_bind} 上提供评价器"
                                f"（{exc.strerror or exc}）：请检查 settings.toml 的 pad_bind 是否为"
                                "本机地址、端口是否被占用") from None
        return self._pad

    def on_unmount(self) -> None:
        if self._pad is not None:
            self._pad.stop()
        self.desk.close()

    # -- idle lock ---------------------------------------------------------------------------
    def lock_if_idle(self, now: float | None = None) -> bool:
        """Lock when the console has been idle for ``idle_lock_seconds``; True if it locked."""
        if self.clerk is None or self.locked:
            return False
        now = time.monotonic() if now is None else now
        if now - self.last_activity < self.desk.settings.idle_lock_seconds:
            return False
        self.action_lock()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lock":  # nothing to lock before sign-in or while locked
            return self.clerk is not None and not self.locked
        return not self.locked  # the app's keys (quit, palette ...) wait for the unlock

    # While locked nothing runs but the lock screen itself (its fields, its unlock): no
    # binding or footer click of another screen or of the app, no palette, no screen change.
    def _locked_out(self, target) -> bool:
        from clerk_console.ui.screens.signin import LockScreen

        if not self.locked:
            return False
        screen = target if isinstance(target, LockScreen) else getattr(target, "screen", None)
        return target is self or not isinstance(screen, LockScreen)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        target, _name, _params = self._parse_action(
            action, self if default_namespace is None else default_namespace, namespaces)
        if self._locked_out(target):
            self._say_locked()
            return True  # swallowed: the key goes nowhere else either
        return await super().run_action(action, default_namespace, namespaces)

    def push_screen(self, screen, *args, **kwargs):
        from clerk_console.ui.screens.signin import LockScreen

        if self.locked and not isinstance(screen, LockScreen):
            raise LockedError(LOCKED)
        return super().push_screen(screen, *args, **kwargs)

    def pop_screen(self):
        if self.locked:
            raise LockedError(LOCKED)
        return super().pop_screen()

    def switch_screen(self, screen):
        if self.locked:
            raise LockedError(LOCKED)
        return super().switch_screen(screen)

    async def action_quit(self) -> None:
        if self.locked:  # the palette calls it directly: the case in progress stays
            self._say_locked()
            return
        await super().action_quit()

    def _say_locked(self) -> None:
        from clerk_console.ui.screens.signin import LockScreen

        if isinstance(self.screen, LockScreen):
            self.screen.query_one("#lock-error").update(LOCKED)

    def action_lock(self) -> None:
        from clerk_console.ui.screens.signin import LockScreen

        if self.clerk is None or self.locked:
            return
        self.locked = True
        self.push_screen(LockScreen(self.clerk))

    def unlocked(self) -> None:
        self.locked = False
        self.last_activity = time.monotonic()

    # -- supervisor --------------------------------------------------------------------------
    def with_supervisor(self, purpose: str, then: Callable[[Signed], None]) -> None:
        """Run ``then(supervisor)``: the clerk if a supervisor, else after a supervisor's PIN."""
        from clerk_console.ui.screens.signin import SupervisorScreen

        if self.clerk is not None and self.clerk.supervisor:
            then(self.clerk)
            return

        def done(result: Signed | None) -> None:
            if result is not None:
                then(result)

        self.push_screen(SupervisorScreen(purpose), done)

    # -- scanner -----------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.last_activity = time.monotonic()
            replayed = getattr(event, "_replayed", False)
            self.keys_seen += not replayed
            now = event.time if replayed or self.key_clock is None else self.key_clock()
            if event.key == "ctrl+j":
                # LF is Enter too: scanners set to end a code with LF (or CR LF), and keys typed
                # before the terminal left line mode (the tty turned their Enter into LF)
                if now - self._scan_closed_at <= self.scanner.gap:
                    return  # the LF of a CR LF scanner: the CR already closed the scan
                event = as_enter(event)
            if not replayed and await self._scanner_key(event, now):
                return
            if event.key == "enter" and self._advance():
                return
            if event.key in ("tab", "shift+tab") and self._tab(event.key == "tab"):
                return
        elif isinstance(event, events.Paste) and not event.is_forwarded:
            self.last_activity = time.monotonic()
            code = pasted_scan(event.text)
            if code is not None and self.scan_enabled:
                self.handle_scan(code)
                return
        await super().on_event(event)

    def _advance(self) -> bool:
        """Enter in a form field moves to the next field at once (screens list them in
        ``ADVANCE``), so keys typed ahead during a slow moment land in the right field."""
        focused = self.focused
        target = getattr(self.screen, "ADVANCE", {}).get(getattr(focused, "id", None))
        if target is None or not isinstance(focused, Input):
            return False
        self.screen.set_focus(self.screen.query_one(f"#{target}"))
        return True

    def _tab(self, forward: bool) -> bool:
        """Tab in a form field moves the focus at once, as Enter does (``_advance``): Textual
        moves it only when the key has bubbled up to the screen, after the keys queued behind
        it went to the old field (typed ahead before the first paint, or held in a run)."""
        if not isinstance(self.focused, Input):
            return False
        if forward:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()
        return True

    @property
    def scan_enabled(self) -> bool:
        return self.clerk is not None and not self.locked

    async def _scanner_key(self, event: events.Key, now: float) -> bool:
        """True when the key (arrived at ``now``) was taken by the scanner (held back or
        swallowed)."""
        char = scan_char(event.character)
        if char is not None and not self.scanner.accepts(char, now):
            char = None
        if char is not None:
            if self.scanner.pending and (self.scanner.expired(now)
                                         or self._run_target != self._key_target()):
                # the run is over, or another screen or field took the keys (the idle lock,
                # say): what was typed so far stays where it went and a new run starts
                self._release_held()
                self.scanner.reset()
                self._snapshot = None
            if not self.scanner.feed(char, now):
                focused = self.focused
                self._run_target = self._key_target()
                self._snapshot = ((focused, focused.value, focused.cursor_position)
                                  if isinstance(focused, Input) else None)
            if (self._snapshot is None or char in FRAMING or char == FIELD_SEPARATOR
                    or self._held):
                # Not typing into a field: hold the key back until we know it is no scan,
                # so a scanned code never fires single-key bindings (rating 1-5 ...); a Tab
                # or a control character inside a burst never moves the focus either. Once
                # a key is held, the rest of the run waits behind it: keys typed ahead (before
                # the first paint, say) keep their order, and so their target field.
                self._held.append(event)
                self._arm_hold_timer()
                return True
            return False
        if event.key == "enter" and self.scanner.pending:
            code = self.scanner.enter(now)
            if code is not None:
                self._scan_closed_at = now
                self._drop_held()
                # the scan is handled once the field is back to what the clerk typed, so a
                # dialog asked whether it holds work (a half-typed form) never sees the burst
                self._restore_snapshot(then=lambda: self.handle_scan(code))
                return True
            return self._release_held(then=event)
        if self.scanner.pending:
            self.scanner.reset()
            return self._release_held(then=event)
        return False

    def _key_target(self) -> tuple[int, int]:
        """Which screen and widget keys go to now; identities only, so a closed dialog is not
        kept alive by the scanner."""
        return id(self.screen), id(self.focused)

    def _arm_hold_timer(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
        # A key clock of the app's own runs apart from real time: look at it every 10 ms
        # whether the run is over, instead of waiting out the gap.
        delay = self.scanner.gap * 1.5 if self.key_clock is None else 0.01
        self._hold_timer = self.set_timer(delay, self._hold_expired)

    def _hold_expired(self) -> None:
        self._hold_timer = None
        if not self._held:
            return
        if (self.key_clock is not None and self.scanner.pending
                and not self.scanner.expired(self.key_clock())):
            self._arm_hold_timer()  # the virtual run goes on (a burst still coming)
            return
        self.scanner.reset()
        self._release_held()

    @property
    def keys_held(self) -> int:
        """How many keys are held back until it is known whether they are a scan."""
        return len(self._held)

    def _release_held(self, then: events.Key | None = None) -> bool:
        """Deliver the held-back keys, then ``then``, in their original order.

        True if ``then`` was queued behind them; False if nothing was held, so the caller
        lets ``then`` through at once.
        """
        if not self._held:
            return False
        keys = self._held + ([then] if then is not None else [])
        self._drop_held()
        for key in keys:
            replay = events.Key(key.key, key.character)
            replay._replayed = True  # type: ignore[attr-defined]
            self.post_message(replay)
        return then is not None

    def _drop_held(self) -> None:
        self._held = []
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None

    def _restore_snapshot(self, then: Callable[[], None]) -> None:
        """Put the field the burst went into back as it was, then run ``then``."""
        if self._snapshot is None:
            then()
            return
        field, value, cursor = self._snapshot
        self._snapshot = None

        def restore() -> None:
            field.value = value
            field.cursor_position = cursor
            then()

        # the field still has the burst's keys queued: restore after it has handled them
        if field.is_mounted:
            field.call_later(restore)
        else:
            then()

    def handle_scan(self, code: str) -> None:
        """A scan from any screen: back to the intake screen and look the code up."""
        from clerk_console.ui.screens.intake import IntakeScreen

        self.scans_seen += 1
        if not self.scan_enabled:
            self.notify("请先登录或解锁，再扫码" if self.clerk is None or self.locked else "",
                        severity="warning")
            return
        intake = next((s for s in self.screen_stack if isinstance(s, IntakeScreen)), None)
        if intake is None:
            return
        intake.take_scan(code)  # closes the screens above it, or a dialog holds the scan


LOCKED = "已锁屏：请先输入 PIN 解锁（负责人可用自己的工号和 PIN 解锁）"


class LockedError(ClerkError):
    """Something tried to change the screens while the console is locked."""


def as_enter(key: events.Key) -> events.Key:
    """The same key press as Enter, keeping its arrival time (the scanner compares times)."""
    enter = events.Key("enter", "\r")
    enter.time = key.time
    return enter


class DeskReady(events.Event):
    """A PIN can be checked: the sign-in gate (or the replica) is open."""


class ReplicaOpen(events.Event):
    """The full replica is open (posted to the app)."""


def run_console(home: Path, pad: Callable[[Callable[[], datetime]], Any] | None = None,
                early_gate: EarlyGate | None = None) -> int:
    """The console on ``home``; ``early_gate``: the sign-in gate already opening (run.py)."""
    app = ClerkApp(Path(home), pad=pad, desk=Desk(Path(home), early_gate=early_gate))
    app.run()
    return app.return_code or 0
