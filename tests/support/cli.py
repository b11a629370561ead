"""The console's CLI as a clerk runs it, for the CLI tests."""
from __future__ import annotations

from clerk_console.cli import main as _main


def main(argv: list[str], clerk: tuple[str, str] = ("C007", "246800")) -> int:
    """The CLI as a clerk runs it: ``notice`` signs in (clerk id, PIN on stdin)."""
    import io
    import sys

    saved, sys.stdin = sys.stdin, io.StringIO(clerk[1] + "\n")
    try:
        return _main([*argv, "--as", clerk[0]] if argv and argv[0] == "notice" else argv)
    finally:
        sys.stdin = saved
