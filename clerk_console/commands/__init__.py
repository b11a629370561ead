"""One module per CLI sub-command (``run(args) -> int``), imported only when chosen."""
from __future__ import annotations

import sys
from pathlib import Path


def replica_file(args) -> Path | None:
    """The window's replica file, or None after telling the user (stderr) it does not exist."""
    from clerk_console import config

    path = config.home(getattr(args, "data_dir", None)) / config.REPLICA_FILE
    if path.exists():
        return path
    print(f"本窗口还没有数据（{path} 不存在），请先运行 clerk-console demo 或完成窗口注册",
          file=sys.stderr)
    return None

