"""The console's crash guard: no handler, key, timer or dialog callback ends the console.

Textual runs every message handler, action, timer and screen callback through
``textual._callback._invoke``; an exception there ends the widget's message loop and then the
app, with a traceback whose local variables hold ID numbers and PINs. ``install`` wraps that
one function: while a guarded app (one with a ``guard_error`` method, i.e. ``ClerkApp``) is
active, an exception from a callback stops at that callback and the app decides what the clerk
sees (``clerk_message``); everything the clerk entered stays on screen.

- a ``ClerkError`` (every refusal of the domain and the services, ``domain/errors.py``) is
  shown as its own Chinese message;
- a storage failure is shown as what happened, in Chinese (``storage.errors``);
- anything else is a defect: the log gets its type and frames only (``storage.errors.where``,
  no message, no locals) and the clerk a short apology; the case in progress stays.

``SkipAction`` is Textual's own control flow and passes through.
"""
from __future__ import annotations

import logging
from asyncio import CancelledError

from clerk_console.domain.errors import ClerkError

APOLOGY = ("抱歉，受理终端出现内部错误（已记入日志）。正在办理的内容仍保留，"
           "请重试这一步；再次出现请联系技术支持")

log = logging.getLogger("clerk_console")


def clerk_message(error: BaseException) -> tuple[str, bool]:
    """(what the clerk is told, expected?) for an exception stopped by the guard."""
    if isinstance(error, ClerkError):
        return str(error), True
    from clerk_console.storage.errors import storage_message

    try:
        stored = storage_message(error)
    except Exception:  # SQLAlchemy missing or broken: treat as a defect
        stored = None
    if stored is not None:
        return stored, True
    return APOLOGY, False


def explain(error: BaseException) -> str:
    """What the clerk is told about ``error``; a defect is logged (type and frames) first."""
    message, expected = clerk_message(error)
    if not expected:
        log_defect(error)
    return message


def log_defect(error: BaseException, context: str = "") -> None:
    """Type and frames only: the message and the locals can hold personal data."""
    from clerk_console.storage.errors import where

    log.error("console error%s: %s", f" ({context})" if context else "", where(error))


def install() -> bool:
    """Wrap Textual's callback invoker; True if it was wrapped now (idempotent)."""
    from textual import _callback
    from textual._context import active_app
    from textual.actions import SkipAction

    current = _callback._invoke
    if getattr(current, "_clerk_guard", False):
        return False

    async def guarded_invoke(callback, *params):
        try:
            return await current(callback, *params)
        except (SkipAction, CancelledError):
            raise
        except Exception as error:
            try:
                app = active_app.get()
            except LookupError:
                raise error from None  # outside any app (a unit test): as Textual would
            handle = getattr(app, "guard_error", None)
            if handle is None or not handle(error):
                raise
            return None

    guarded_invoke._clerk_guard = True  # type: ignore[attr-defined]
    guarded_invoke.__wrapped__ = current  # type: ignore[attr-defined]
    _callback._invoke = guarded_invoke
    return True
