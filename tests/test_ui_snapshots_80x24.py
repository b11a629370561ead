"""Issue #9, screens at 80x24: one snapshot per state that was broken (pytest-textual-snapshot).

Toasts clear of the key bar and of the rating dialog, a PDF path in a toast broken only at a
separator, the lock text whole, the status bar's sync hint on a second line instead of cut,
the item field's placeholder whole ("回车选中"), a dialog over the intake screen. Each SVG
was looked at; regenerate with --snapshot-update and look again.
"""
from __future__ import annotations

import shutil

import pytest

from clerk_console.storage.replica import Replica
from clerk_console.sync.worker import ENROLL_HINT, SyncStatus
from support.pilot import settle
from support.ui import BAD_CHECK, PERSON, burst, keys, make_home, new_app, sign_in

SIZE = (80, 24)
# notices go to a fixed folder so that the path in the toast is the same on every run
NOTICES = "/tmp/clerk-console-snapshots-80x24/notices"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = make_home(tmp_path_factory.mktemp("snap80"))
    with (home / "settings.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'pdf_folder = "{NOTICES}"\n')
    r = Replica.open(home / "replica.sqlite3")
    r.add_clerk("1002", "买买提·艾力江", "123412", "clerk")
    r.close()
    return home


@pytest.fixture
def home(template, tmp_path):
    target = tmp_path / "window"
    shutil.copytree(template, target)
    return target


async def quiet(app, pilot, *, toasts: bool = False):
    """Workers done; toasts kept only when the state is about them."""
    await settle(app, pilot)
    if not toasts:
        app.clear_notifications()
    for screen in app.screen_stack:
        for bar in screen.query("#status"):
            bar.refresh_status()
    await pilot.pause()


def test_rating_dialog_with_the_notice_toasts(snap_compare, home):
    """The toasts (case saved, PDF path) sit above the key bar and below the dialog; the
    path breaks only after a separator."""
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "enter", "enter")
        await quiet(app, pilot, toasts=True)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_bad_scan_toast_above_the_key_bar(snap_compare, home):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, BAD_CHECK)
        await quiet(app, pilot, toasts=True)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_lock_screen_text_whole(snap_compare, home):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot, clerk="1002")
        await keys(pilot, "ctrl+l")
        await quiet(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


class NotEnrolled:
    """A sync worker that has never reached a back office (the window is not enrolled)."""

    def status(self):
        return SyncStatus(online=False, queued=0, last_sync=None, clock_warning="",
                          message=ENROLL_HINT, enrolled=False)

    def nudge(self):
        pass

    def stop(self):
        pass


def test_status_bar_keeps_the_sync_hint_whole(snap_compare, home):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        app.desk.worker = NotEnrolled()
        await quiet(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_item_search_placeholder_whole(snap_compare, home):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await quiet(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_confirm_dialog_over_the_intake(snap_compare, home):
    app = new_app(home)

    async def before(pilot):
        await sign_in(app, pilot)
        await burst(app, pilot, PERSON)
        await keys(pilot, "k", "f", "d", "enter", "a", "ctrl+n")
        await quiet(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
