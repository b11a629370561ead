"""Work-arounds for the pinned Textual (8.2.8) where it costs a console running all day.

``StylesCache.get_inner_outer`` (textual/_styles_cache.py) is an instance method decorated
with ``functools.lru_cache(1024)``, so every cache key holds ``self``: the ``StylesCache`` of
each widget ever rendered, and through its ``_cache`` dict every line (``Strip``) that widget
last drew, with the seven ``FIFOCache``s each ``Strip`` carries and their ``Segment``s. A
widget that is removed (a dismissed dialog, an expired notification toast) is freed, but its
rendered lines stay until 1,024 newer keys push them out. At the window that was ~6 widgets
per intake and ~55 MB kept after 200 intakes (Textualize/textual issue 6665, open).

The result depends only on the two colours, so the console caches it on the colours alone.
"""
from __future__ import annotations

from functools import lru_cache


def apply() -> bool:
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
