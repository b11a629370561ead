"""Layout snapshots at 80x24 and 120x40 (pytest-textual-snapshot; Textual is pinned)."""
from __future__ import annotations

import pytest

from support.pilot import settle as idle
from support.ui import COMPANY, PERSON, SIZES, burst, keys, make_home, new_app, sign_in, type_text


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_home(tmp_path_factory.mktemp("snap"))


@pytest.fixture
def home(template, tmp_path):
    import shutil

    target = tmp_path / "window"
    shutil.copytree(template, target)
    return target


async def settle(app, pilot):
    """Let workers and toasts finish, then draw the status bar now (it refreshes every 5 s)."""
    await idle(app, pilot)
    app.clear_notifications()
    for screen in app.screen_stack:
        for bar in screen.query("#status"):
            bar.refresh_status()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_layout(snap_compare, home, size):
    app = new_app(home)

    async def before(pilot):
        from support.ui import wait_ready

        await wait_ready(app, pilot)
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_checklist_layout(snap_compare, home, size):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_outcome_layout(snap_compare, home, size):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, COMPANY)
        await type_text(pilot, "kfd")
        await keys(pilot, "enter", "a", "enter")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_rating_layout(snap_compare, home, size):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter")
        await app.workers.wait_for_complete()
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)
