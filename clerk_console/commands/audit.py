"""``clerk-console audit verify``: check the whole hash chain of the window's audit log.

Exit 0 when every entry chains to the one before it, 1 when an entry was rewritten, replaced
or deleted (the message names the first one) or the replica cannot be opened.
"""
from __future__ import annotations

import sys

from clerk_console import config


def run(args) -> int:
    from clerk_console.storage.db import ReplicaError
    from clerk_console.storage.replica import Replica

    path = config.home(getattr(args, "data_dir", None)) / config.REPLICA_FILE
    if not path.exists():
        print(f"本窗口还没有数据（{path} 不存在）", file=sys.stderr)
        return 1
    try:
        with Replica.open(path) as replica:
            problem = replica.audit_chain_problem()
            count = replica.audit_count()
    except ReplicaError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if problem:
        print(f"审计日志校验未通过：{problem}。请保留本机数据并报告后台管理员。", file=sys.stderr)
        return 1
    print(f"审计日志完整：共 {count} 条，逐条校验通过。")
    return 0
