"""``clerk-console run``: open the console on this window's replica."""
from __future__ import annotations

import sys

from clerk_console import config


def run(args) -> int:
    home = config.home(getattr(args, "data_dir", None))
    if not (home / config.REPLICA_FILE).exists():
        print(f"本窗口还没有数据文件（{home / config.REPLICA_FILE}）。\n"
              "请先运行 clerk-console demo 建立演示数据，"
              "或运行 clerk-console enroll <后台地址> <注册码> 注册本窗口。", file=sys.stderr)
        return 2
    return open_console(home)


def open_console(home) -> int:
    """The console on the window folder ``home`` (its replica exists): the sign-in gate opens
    in a thread while the UI imports (``storage/early_gate.py``). ``demo`` starts it so too."""
    from clerk_console.storage.early_gate import EarlyGate

    early = EarlyGate(home / config.REPLICA_FILE)
    from clerk_console.ui.app import run_console

    from clerk_console.commands.pad import console_pad

    return run_console(home, pad=console_pad(home), early_gate=early)
