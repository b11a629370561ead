"""Toast text that reads well at 80 columns: a file path is never broken inside a name.

Textual wraps a toast at spaces and folds a longer run anywhere, so a PDF path broke in the
middle of a folder or file name. ``with_path`` puts the path on lines of its own, broken only
at a separator.
"""
from __future__ import annotations

import re

from rich.cells import cell_len

TOAST_WIDTH = 60  # Textual's Toast: width 60, max-width 50%, padding 1, a 1-cell left border
TOAST_CHROME = 3
BREAK = re.compile(r"(?<=[/\\_])|(?<=-)(?=[^\d-])")


def toast_width(screen_width: int) -> int:
    """Cells of text in one toast line on a screen this wide."""
    return max(10, min(TOAST_WIDTH, screen_width // 2) - TOAST_CHROME)


def path_lines(path: str, width: int) -> list[str]:
    """``path`` in lines of at most ``width`` cells, broken only after a separator: / or \\,
    then _ or a - before a letter inside a long file name (a case number stays whole)."""
    pieces = [p for p in BREAK.split(path) if p]
    lines: list[str] = [""]
    for piece in pieces:
        if lines[-1] and cell_len(lines[-1] + piece) > width:
            lines.append("")
        lines[-1] += piece
    return lines


def with_path(message: str, path: str, screen_width: int) -> str:
    """``message`` with ``path`` (where it occurs) on lines of its own."""
    if not path or path not in message:
        return message
    head, tail = message.split(path, 1)
    body = "\n".join(path_lines(path, toast_width(screen_width)))
    return f"{head.rstrip()}\n{body}" + (f"\n{tail.lstrip('；;，, ')}" if tail.strip() else "")


def print_in_background(app, job, *, name: str, failed: str) -> None:
    """Run ``job`` (-> PrintResult or None) on a worker thread and toast its result; an
    exception is toasted as ``failed`` + the Chinese reason (the saved work is untouched)."""
    from clerk_console.ui.guard import explain

    def work() -> None:
        try:
            result = job()
        except Exception as exc:  # only the paper failed
            app.call_from_thread(app.notify, failed.format(reason=explain(exc)),
                                 severity="error", timeout=15)
            return
        if result is not None:
            message = with_path(result.message, str(result.path or ""), app.size.width)
            app.call_from_thread(app.notify, message, markup=False,
                                 severity="information" if result.ok else "error",
                                 timeout=5 if result.ok else 15)

    app.run_worker(work, thread=True, name=name, exit_on_error=False)
