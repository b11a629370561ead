"""Per-key cost of typing into a long field: the console's Field against Textual's Input.

Text that arrives key by key (a paste without bracketed-paste mode, a stuck key, a reader
that types a whole record) used to cost more per key the longer the field was (issue 9:
2,000 characters -> 2.5 s busy). Each widget is mounted alone in a headless app at 80
columns, pre-filled with N characters, the cursor at the end; then K key events arrive at
once, as text typed key by key arrives; the cost is the CPU time until all are in and drawn,
per key. Prints it at 20 and at 2,000 characters and their ratio (1.0 = independent of the
length).

    python bench/bench_typing.py            # K = 400 keys per size
    python bench/bench_typing.py --quick    # K = 100
"""
from __future__ import annotations

import argparse
import asyncio
import time

import benchlib
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

SIZES = (20, 2000)
TARGET_RATIO = 1.5  # the console's Field: a key at 2,000 characters costs at most 1.5x one at 20


class One(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def per_key(make, length: int, keys: int) -> float:
    """CPU seconds per key with ``length`` characters in: ``keys`` key events arrive at once
    (as text typed key by key does), the cost is the busy time until all are in, drawn."""
    widget = make()
    app = One(widget)
    async with app.run_test(size=(80, 5)) as pilot:
        widget.value = "电子证照" * (length // 8) + "x" * (length - length // 8 * 4)
        widget.cursor_position = len(widget.value)
        widget.focus()
        await pilot.pause()
        driver = app._driver
        start = time.process_time()
        for i in range(keys):
            ch = "abcdefghij"[i % 10]
            key = events.Key(ch, ch)
            key.set_sender(app)
            driver.send_message(key)
        while len(widget.value) < length + keys:
            await asyncio.sleep(0)
        await pilot.pause()  # and the last redraw
        busy = time.process_time() - start
        assert len(widget.value) == length + keys, "keys were lost"
    return busy / keys


def main(argv=None) -> int:
    from clerk_console.ui.widgets.field import Field

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keys", type=int, default=None)
    args = parser.parse_args(argv)
    keys = args.keys or (100 if args.quick else 400)
    for name, make, target in (("Field", Field, TARGET_RATIO), ("Input", Input, None)):
        short, long = (asyncio.run(per_key(make, n, keys)) for n in SIZES)
        print(f"{name:6} {SIZES[0]:>5} chars {short * 1000:6.2f} ms/key  "
              f"{SIZES[1]:>5} chars {long * 1000:6.2f} ms/key")
        benchlib.result("typing", f"{name.lower()}_ratio_{SIZES[1]}_vs_{SIZES[0]}", long / short,
                        "x", target, ms_per_key_short=round(short * 1000, 3),
                        ms_per_key_long=round(long * 1000, 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
