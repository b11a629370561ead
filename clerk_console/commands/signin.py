"""Who runs a command that shows or changes personal data: a clerk id and PIN, checked as a
sign-in at the window (``services.audit.login``: wrong PINs count toward the lock and are
audited, one answer for every failure). Typed without echo, or with ``--as ID`` the PIN is
the first line of stdin (scripts). Used by ``cases``, ``notice``, ``clerk``, ``followup``
and ``sms``.
"""
from __future__ import annotations

import getpass
import sys


class SignInInput(Exception):
    """Input missing or typed wrong (exit 2); the message says what to do."""


NO_INPUT = "没有读到输入，未作任何操作：在脚本中请用 --as 工号，并从标准输入第一行提供 PIN"


def secret(prompt: str, *, from_stdin: bool) -> str:
    """A PIN: one line of stdin, or typed without echo (never printed)."""
    if not from_stdin:
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise SignInInput("标准输入中缺少 PIN：每行一个，先登录人的 PIN（--as 时），"
                          "再新 PIN（--pin-stdin 时）")
    return line.rstrip("\r\n")


def credentials(args, who: str, why: str = "登录") -> tuple[str, str]:
    """(id, PIN) of ``who`` (窗口人员, 负责人): from ``--as`` and stdin, or asked."""
    as_id = getattr(args, "as_id", None)
    if as_id:
        return as_id, secret(f"{who} PIN：", from_stdin=not sys.stdin.isatty())
    print(f"此操作需{who}{why}。", file=sys.stderr)
    try:
        return input(f"{who}工号："), secret(f"{who} PIN：", from_stdin=False)
    except EOFError:
        raise SignInInput(NO_INPUT) from None


def sign_in(replica, args):
    """The clerk running this command (``ServiceError`` with the one refusal message)."""
    from clerk_console.services.audit import login

    return login(replica, *credentials(args, "窗口人员"))
