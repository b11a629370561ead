"""Work-arounds for the pinned Textual (8.2.8) where it costs a console running all day.

``StylesCache.get_inner_outer`` (textual/_styles_cache.py) is an instance method decorated
with ``functools.lru_cache(1024)``, so every cache key holds ``self``: the ``StylesCache`` of
each widget ever rendered, and through its ``_cache`` dict every line (``Strip``) that widget
last drew, with the seven ``FIFOCache``s each ``Strip`` carries and their ``Segment``s. A
widget that is removed (a dismissed dialog, an expired notification toast) is freed, but its
rendered lines stay until 1,024 newer keys push them out. At the window that was ~6 widgets
per intake and ~55 MB kept after 200 intakes (Textualize/textual issue 6665, open).

The result depends only on the two colours, so the console caches it on the colours alone.

``XTermParser.feed`` parses what the driver's input thread read lazily, one key between two
posts to the app, and each ``Key`` is stamped with the time it was parsed. Each post wakes the
event loop and gives up the interpreter; on a busy PC the input thread then waited its turn
between two keys of one read, and a scanner's 19 bytes, read at once, came out stamped over
more than the scanner's gap: the scan was taken for typing. The console stamps every key of
one read with the time it was read (``stamp_keys_at_read``), which is when they arrived.
"""
from __future__ import annotations

from functools import lru_cache


def apply() -> bool:
    """Both work-arounds; True if the first was patched now (see ``cache_on_colours``)."""
    stamp_keys_at_read()
    return cache_on_colours()


def stamp_keys_at_read() -> bool:
    """Every key parsed from one read gets the time of that read; True if patched now."""
    from textual import _time, events
    from textual._xterm_parser import XTermParser

    parse = XTermParser.feed
    if getattr(parse, "stamps_at_read", False):
        return False

    def feed(self, data: str):
        read_at = _time.get_time()
        parsed = list(parse(self, data))  # the whole read, before any of it is posted
        for event in parsed:
            if isinstance(event, events.Key):
                event.time = read_at
        return parsed

    feed.stamps_at_read = True  # type: ignore[attr-defined]
    XTermParser.feed = feed  # type: ignore[method-assign]
    return True


def cache_on_colours() -> bool:
    """Key ``StylesCache.get_inner_outer`` on its colours only; True if it was patched.

    Idempotent, and a no-op on a Textual whose method is no longer an ``lru_cache`` wrapper.
    """
    from textual._styles_cache import StylesCache

    current = StylesCache.__dict__.get("get_inner_outer")
    compute = getattr(current, "__wrapped__", None)
    if compute is None or not hasattr(current, "cache_clear"):
        return False  # already patched, or Textual changed: leave it alone
    current.cache_clear()  # drop what it already holds

    @lru_cache(1024)
    def by_colours(base_background, background):
        return compute(None, base_background, background)  # ``self`` is never read

    def get_inner_outer(self, base_background, background):
        return by_colours(base_background, background)

    get_inner_outer.cache = by_colours  # for tests and diagnostics
    StylesCache.get_inner_outer = get_inner_outer
    return True
