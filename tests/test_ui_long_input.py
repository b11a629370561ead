"""Long typed input: a Field measures only the characters it shows, so a key costs the same
at 20 or 20,000 characters, and fields with a domain limit stop at it (issue 9, "long typed
input freezes the console"). Behaviour only; bench/bench_typing.py measures the time."""
from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from clerk_console.domain import limits
from clerk_console.domain.search import SearchIndex
from clerk_console.ui.widgets import field as field_module
from clerk_console.ui.widgets.field import LIMITS, Field
from support.ui import catalogue, new_app, type_text, wait_ready

WIDTH = 40


class One(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def shown(widget: Field) -> str:
    return widget.render_line(0).text


@pytest.fixture
def counted(monkeypatch):
    """How many characters the field measured (cell widths looked up)."""
    calls = []
    real = field_module.get_character_cell_size

    def size(char):
        calls.append(char)
        return real(char)

    monkeypatch.setattr(field_module, "get_character_cell_size", size)
    return calls


@pytest.mark.parametrize("length", [20, 2_000, 20_000])
async def test_a_key_measures_a_window_not_the_whole_text(counted, length):
    widget = Field()
    app = One(widget)
    async with app.run_test(size=(WIDTH, 3)) as pilot:
        widget.value = "证照x" * (length // 3) + "y" * (length % 3)
        widget.focus()
        await pilot.pause()
        counted.clear()
        await pilot.press("z")
        await pilot.pause()
        assert widget.value.endswith("z") and len(widget.value) == length + 1
        assert len(counted) <= 8 * WIDTH  # a few passes over the window, whatever the length
        line = shown(widget)
        assert line.rstrip().endswith("z")  # the cursor's end is on screen


async def test_the_window_follows_the_cursor_and_keeps_the_text():
    text = "".join(chr(ord("a") + i % 26) for i in range(3_000))
    widget = Field()
    app = One(widget)
    async with app.run_test(size=(WIDTH, 3)) as pilot:
        widget.focus()
        await pilot.pause()
        widget.insert_text_at_cursor(text)
        await pilot.pause()
        assert shown(widget).strip().endswith(text[-10:])
        await pilot.press("home")
        await pilot.pause()
        w = widget.scrollable_content_region.width
        assert shown(widget).startswith(text[:w])
        for _ in range(w + 5):  # past the right edge: the window moves with the cursor
            await pilot.press("right")
        await pilot.press("backspace")
        await pilot.pause()
        assert widget.value == text[:w + 4] + text[w + 5:]
        assert text[w:w + 4] + text[w + 5:w + 7] in shown(widget)  # around the cursor
        await pilot.press("end")
        await pilot.pause()
        assert shown(widget).strip().endswith(text[-10:])


async def test_wide_characters_fit_the_line():
    widget = Field()
    app = One(widget)
    async with app.run_test(size=(WIDTH, 3)) as pilot:
        widget.value = "王𠈌" * 500
        widget.focus()
        await pilot.pause()
        strip = widget.render_line(0)
        assert strip.cell_length == widget.scrollable_content_region.width + 1
        assert "王𠈌王𠈌" in strip.text


async def test_a_password_field_shows_only_dots_at_any_length():
    widget = Field(password=True)
    app = One(widget)
    async with app.run_test(size=(WIDTH, 3)) as pilot:
        widget.focus()
        widget.value = "1234567890" * 300
        await pilot.pause()
        line = shown(widget)
        assert "•" in line and not any(c.isdigit() for c in line)


def test_each_capped_field_takes_its_domain_limit():
    assert LIMITS["clerk-id"] == limits.CLERK_ID and LIMITS["pin"] == limits.PIN
    assert LIMITS["qe-name"] == limits.NAME and LIMITS["item-query"] == limits.SEARCH
    assert Field(id="pin").max_length == limits.PIN
    assert Field(id="anything-else").max_length in (None, 0)


async def test_the_console_caps_the_sign_in_fields(home):
    app = new_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(app, pilot)
        await type_text(pilot, "a" * 100)  # a stuck key
        assert app.screen.query_one("#clerk-id").value == "a" * limits.CLERK_ID
        app.screen.query_one("#pin").focus()
        await type_text(pilot, "9" * 50)
        assert len(app.screen.query_one("#pin").value) == limits.PIN


def test_the_search_reads_at_most_its_limit():
    index = SearchIndex.build(catalogue())
    long = "开办咖啡店" + "x" * 10_000
    assert index.search(long) == index.search(long[:limits.SEARCH])


async def test_a_value_cleared_under_the_cursor_still_draws():
    widget = Field(password=True)
    app = One(widget)
    async with app.run_test(size=(WIDTH, 3)) as pilot:
        widget.focus()
        widget.value = "123456"
        await pilot.pause()
        widget.value = ""  # a wrong PIN is cleared: the cursor was at 6
        widget.render_line(0)
        widget.value = "12"
        assert "••" in shown(widget)


@pytest.mark.parametrize("password", [False, True])
async def test_a_value_measured_before_layout_shows_once_laid_out(password):
    """A form pre-filled from a reader (the MRZ's SMITH JOHN PAUL) was drawn blank: measured
    while 1 cell wide, the window had scrolled past the whole value and never came back."""
    widget = Field(password=password)
    async with One(widget).run_test(size=(WIDTH, 3)) as pilot:
        widget.value = "SMITH JOHN PAUL"
        widget._start = len(widget.value)  # as a measurement while 1 cell wide left it
        widget.refresh()
        await pilot.pause()
        assert shown(widget).strip().rstrip("▎▊").strip() in ("SMITH JOHN PAUL", "•" * 15)
