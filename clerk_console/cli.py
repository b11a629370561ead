"""``clerk-console``: argv is parsed before anything heavy is imported.

Each sub-command lives in ``clerk_console/commands/<name>.py`` as ``run(args) -> int`` and is
imported only when chosen, so ``identify`` never loads Textual or SQLAlchemy.
"""
from __future__ import annotations

import argparse
import importlib
import sys


def build_parser() -> argparse.ArgumentParser:
    from clerk_console import __version__

    p = argparse.ArgumentParser(prog="clerk-console", description="政务服务大厅综合受理终端")
    p.add_argument("--version", action="version", version=f"clerk-console {__version__}")
    p.add_argument("--data-dir", help="window folder (replica, backups, settings); default: "
                   "$CLERK_CONSOLE_HOME or the platform's user data folder")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("run", help="open the console on this window's replica (default)")

    s = sub.add_parser("demo", help="create or reuse a demo replica, then open the console")
    s.add_argument("--init-only", action="store_true", help="only create the demo replica")
    s.add_argument("--cases", type=int, default=0, metavar="N",
                   help="add N synthetic cases through the console's own code path")
    s.add_argument("--no-backoffice", action="store_true",
                   help="do not start the embedded back office on loopback")

    s = sub.add_parser("identify", help="recognise and validate scanned codes")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s.add_argument("codes", nargs="+", metavar="CODE")

    s = sub.add_parser("cases", help="list the replica's cases")
    s.add_argument("--json", action="store_true")
    s.add_argument("--limit", type=int, default=200)

    s = sub.add_parser("notice", help="(re)print the notice of a case")
    s.add_argument("case_no", metavar="CASE_NO")
    s.add_argument("--pdf", metavar="PATH", help="write the PDF here")
    s.add_argument("--text", action="store_true", help="print the text preview")
    s.add_argument("--escpos", metavar="PATH", help="write the 80 mm receipt byte stream here")
    s.add_argument("--kind", help="which document (default: the one the outcome calls for)")

    s = sub.add_parser("enroll", help="enroll this window with a back office")
    s.add_argument("url")
    s.add_argument("code")

    s = sub.add_parser("sync", help="sync with the back office")
    s.add_argument("--once", action="store_true", help="one round, then exit")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("clerk", help="clerk accounts of this window (administrator)")
    acts = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("list", help="id, name, role, active, locked")
    a.add_argument("--json", action="store_true", help="one JSON object per line")
    for action, help_ in (("add", "add a clerk (the first one: --supervisor)"),
                          ("pin", "set a new PIN"), ("unlock", "unlock after too many wrong PINs"),
                          ("disable", "disable a clerk who left"),
                          ("enable", "enable a clerk who came back")):
        a = acts.add_parser(action, help=help_)
        a.add_argument("clerk_id", metavar="ID")
        if action == "add":
            a.add_argument("name", metavar="NAME")
            a.add_argument("--supervisor", action="store_true", help="a supervisor (负责人)")
        if action in ("add", "pin"):
            a.add_argument("--pin-stdin", action="store_true",
                           help="read the new PIN from stdin (one line) instead of asking twice")
        a.add_argument("--as", dest="as_id", metavar="ID",
                       help="authorising supervisor; their PIN is read from stdin (first line)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    module = importlib.import_module(f"clerk_console.commands.{command}")
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
