"""While the console is locked nothing runs but the unlock: every key binding of every screen
and of the app, every command of the palette, scans and timers are tried (issue 9, "the lock
can be bypassed without a PIN")."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import clerk_console.ui.screens as screens_pkg
import clerk_console.ui.widgets as widgets_pkg
from clerk_console.ui.app import ClerkApp
from clerk_console.ui.commands import ClerkCommands
from support.pilot import settle, until
from support.ui import AGENT, COMPANY, PERSON, burst, intake, new_app, sign_in, type_text


def all_bindings() -> dict[str, Binding]:
    """Every binding of the console by id: the app's and those of every screen and widget."""
    found: dict[str, Binding] = {}
    classes = [ClerkApp]
    for pkg in (screens_pkg, widgets_pkg):
        for info in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            classes += [c for _n, c in inspect.getmembers(module, inspect.isclass)
                        if issubclass(c, DOMNode) and c.__module__ == module.__name__]
    for cls in classes:
        for b in cls.__dict__.get("BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                found[b.id] = b
    return found


def test_the_console_has_bindings_to_try():
    ids = all_bindings()
    assert {"intake.deliver", "intake.checklist", "app.quit", "rating.1", "due.void"} <= set(ids)


async def locked_with_a_case(app, pilot):
    await sign_in(app, pilot)
    await burst(app, pilot, COMPANY)
    await type_text(pilot, "kfd")
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert app.locked and type(app.screen).__name__ == "LockScreen"
    return app.screen


def still_locked(app, lock, what: str) -> None:
    assert app.is_running, what
    assert app.locked, what
    assert app.screen is lock, f"{what}: {app.screen}"
    assert app.screen_stack[-1] is lock
    cur = intake(app).current
    assert cur is not None and cur.view.code == COMPANY and not cur.items, what


async def test_every_binding_is_refused_while_locked(home):
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        lock = await locked_with_a_case(app, pilot)
        pin = lock.query_one("#lock-pin")
        for binding_id, binding in sorted(all_bindings().items()):
            key = binding.key.split(",")[0]
            await pilot.press(key)
            await settle(app, pilot)
            still_locked(app, lock, f"key {key} ({binding_id})")
            # and the same action run as a footer click would run it, on the screen below
            namespace = intake(app) if binding_id.startswith("intake.") else app.screen_stack[0]
            await app.run_action(binding.action, namespace)
            await pilot.pause()
            still_locked(app, lock, f"action {binding.action} ({binding_id})")
            pin.value = ""
        assert "已锁屏" in str(lock.query_one("#lock-error").render())


async def test_the_palette_does_not_open_and_its_commands_do_not_run_while_locked(home):
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        lock = await locked_with_a_case(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        still_locked(app, lock, "ctrl+p")
        await app.run_action("command_palette")
        await pilot.pause()
        still_locked(app, lock, "command_palette")
        # a hit chosen in a palette opened just before the lock fires after it
        provider = ClerkCommands(app.screen)
        actions = provider._actions()
        labels = [label for label, _ in actions]
        assert "核材料" in labels and "出件" in labels
        for label, callback in actions:
            app.call_later(callback)
            await settle(app, pilot)
            still_locked(app, lock, f"palette {label}")
        hits = [hit async for hit in provider.search("kfd")]
        assert hits
        for hit in hits:
            app.call_later(hit.command)
            await settle(app, pilot)
            still_locked(app, lock, f"palette {hit.text}")
        for command in app.get_system_commands(app.screen):
            app.call_later(command.callback)
            await settle(app, pilot)
            still_locked(app, lock, f"system command {command.title}")


async def test_scans_and_timers_do_not_run_while_locked(home):
    from clerk_console.ui.screens.day import DayScreen

    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        lock = await locked_with_a_case(app, pilot)
        await burst(app, pilot, PERSON)
        still_locked(app, lock, "scan")
        app.set_timer(0.01, app.pop_screen)
        app.set_timer(0.02, lambda: app.push_screen(DayScreen()))
        app.set_timer(0.03, lambda: app.switch_screen(DayScreen()))
        fired = []
        app.set_timer(0.04, lambda: fired.append(True))  # after the three above
        await until(pilot, lambda: fired, "the timers' turn")
        await settle(app, pilot)
        still_locked(app, lock, "timers")


async def test_the_unlock_still_works_and_the_lock_again(home):
    app = new_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        lock = await locked_with_a_case(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await type_text(pilot, "123412")
        await pilot.press("enter")
        await pilot.pause()
        assert not app.locked and app.screen.id == "intake"
        assert app.screen.query_one("#item-query").value == "kfd"
        await burst(app, pilot, AGENT)  # scans work again
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.locked and type(app.screen).__name__ == "LockScreen" and app.screen is not lock
