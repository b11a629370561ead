"""The console's text field: Textual's Input with a per-key cost that does not grow with the
text, a length cap where the domain has one, a steady cursor, and focus never selecting the text.

Textual's Input measures and renders its whole value on every key (the cursor's cell offset,
the content width, the rendered line, then cropped to the visible part): text that arrives key
by key costs more per key the longer the field is (2,000 characters: 2.5 s busy). A ``Field``
keeps the index of its first visible character (``_start``) and measures, renders and maps
mouse clicks only within the window of characters around the cursor that fits its width, so
each key costs the same whatever the length. Horizontal scrolling is that window; Textual's
own scroll offset stays 0.

Fields whose id names a domain limit (``LIMITS``, from ``domain/limits.py``) take no more
characters than that. No blink timer: no redraw twice a second on an old PC, and stable
screenshots. Focus does not select the text (Tab into a filled field, then a key, must not
wipe it).
"""
from __future__ import annotations

from rich.cells import get_character_cell_size
from rich.text import Text
from textual.geometry import Offset
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Input

from clerk_console.domain import limits

# field id -> the most characters it takes
LIMITS = {
    "clerk-id": limits.CLERK_ID, "lock-id": limits.CLERK_ID, "sup-id": limits.CLERK_ID,
    "pin": limits.PIN, "lock-pin": limits.PIN, "sup-pin": limits.PIN,
    "qe-name": limits.NAME, "item-query": limits.SEARCH,
}


class Field(Input):
    cursor_blink = reactive(False, init=False)

    def __init__(self, *args, select_on_focus: bool = False, **kwargs) -> None:
        if not kwargs.get("max_length") and kwargs.get("id") in LIMITS:
            kwargs["max_length"] = LIMITS[kwargs["id"]]
        self._start = 0  # index of the first character shown
        self._last = None  # (the inputs of _window, its answer)
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)

    # -- the window of characters shown ------------------------------------------------------
    def _cells(self, char: str) -> int:
        return 1 if self.password else get_character_cell_size(char)

    @property
    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _window(self) -> tuple[int, int]:
        """(first, end) indexes of the characters that fit, the cursor always inside; moves
        ``_start`` only as far as the cursor needs. Costs O(width), never O(len(value))."""
        value, width, password = self.value, self._width, self.password
        cursor = min(self.cursor_position, len(value))  # the value may just have shrunk
        key = (value, cursor, width, password, self._start)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        start = min(self._start, cursor, len(value))
        if password:  # one cell a character
            start = max(start, cursor - (width - 1))
            start = max(0, min(start, len(value) - (width - 1)))  # no blank room at the right
            end = min(len(value), start + width)
        else:
            size = get_character_cell_size
            # the cursor (one cell after the last character at the end) must fit on the line
            room, i = width - 1, cursor
            while i > start:
                room -= size(value[i - 1])
                if room < 0:
                    break
                i -= 1
            start = max(start, i)
            cells, end, n = 0, start, len(value)
            while end < n:
                cells += size(value[end])
                if cells > width:
                    break
                end += 1
            if end == n:
                # the end shown with room left (the field grew, or was measured before its
                # layout, 1 cell wide): bring back characters from the left to fill it
                used = sum(size(c) for c in value[start:end]) + 1  # + the cursor at the end
                while start > 0 and used + size(value[start - 1]) <= width:
                    start -= 1
                    used += size(value[start])
        self._start = start
        self._last = ((value, cursor, width, password, start), (start, end))
        return start, end

    def _position_to_cell(self, position: int) -> int:
        start, end = self._window()
        return sum(self._cells(c) for c in self.value[start:max(start, min(position, end))])

    @property
    def _value(self) -> Text:
        start, end = self._window()
        shown = "•" * (end - start) if self.password else self.value[start:end]
        text = Text(shown, no_wrap=True, overflow="ignore", end="")
        if self.highlighter is not None and not self.password:
            text = self.highlighter(text)
        return text

    @property
    def content_width(self) -> int:
        if self.placeholder and not self.value:
            return super().content_width
        return min(self._value.cell_len + 1, self._width + 1)

    def _watch_selection(self, selection) -> None:
        self.app.clear_selection()
        self.app.cursor_position = self.cursor_screen_offset
        self.refresh()

    @property
    def cursor_screen_offset(self) -> Offset:
        x, y, _width, _height = self.content_region
        return Offset(x + self._cursor_offset, y)

    def _cell_offset_to_index(self, offset: int) -> int:
        start, end = self._window()
        cells = 0
        for index in range(start, end):
            width = self._cells(self.value[index])
            if cells <= offset < cells + width:
                return index
            cells += width
        return end

    def render_line(self, y: int) -> Strip:
        if y != 0 or not self.value:
            return super().render_line(y)
        console, options = self.app.console, self.app.console_options
        width = self._width
        start, _end = self._window()
        result = self._value
        if self.has_focus:
            if not self.selection.is_empty:
                a, b = sorted(self.selection)
                result.stylize_before(self.get_component_rich_style("input--selection"),
                                      max(0, a - start), max(0, b - start))
            if self._cursor_visible:
                cursor = self.cursor_position - start
                if self.cursor_at_end:
                    result.pad_right(1)
                result.stylize(self.get_component_rich_style("input--cursor"), cursor,
                               cursor + 1)
        strip = Strip(console.render(result, options.update_width(width + 1)))
        strip = strip.crop(0, width + 1).extend_cell_length(width + 1)
        return strip.apply_style(self.rich_style)
