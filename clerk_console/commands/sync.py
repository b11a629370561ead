"""``clerk-console sync [--once] [--json]``: sync rounds with the back office, for scripts."""
from __future__ import annotations

import json
import sys
import time

from clerk_console import config

NAMES = {"catalogue": "事项目录", "calendar": "节假日安排", "blacklist": "失信名单",
         "elicence": "电子证照", "decisions": "审批结果"}


def describe(report) -> str:
    """A short Chinese summary of a round for the terminal and the status bar."""
    if report.error and not report.online:
        return f"离线：{report.error}（待同步{report.queued}条）"
    parts = [f"上传{report.pushed}条"]
    if report.duplicates:
        parts.append(f"重复确认{report.duplicates}条")
    if report.refused:
        parts.append(f"被拒{len(report.refused)}条")
    for ds, n in report.pulled.items():
        parts.append(f"{NAMES.get(ds, ds)}{n}条")
    for ds, n in report.deleted.items():
        parts.append(f"{NAMES.get(ds, ds)}删除{n}条")
    if report.resets:
        parts.append("重新下载：" + "、".join(NAMES.get(d, d) for d in report.resets))
    text = "同步完成：" + "，".join(parts) + f"；待同步{report.queued}条"
    if report.error:
        text += f"\n{report.error}"
    if report.audit_problem:
        text += f"\n{report.audit_problem}"
    if report.skipped_warning:
        text += f"\n{report.skipped_warning}"
    if report.clock_warning:
        text += f"\n{report.clock_warning}"
    for r in report.refused:
        text += f"\n被拒：{r.get('case_no') or r['entity_id']} {r['message']}"
    return text


def _round(replica, as_json: bool) -> int:
    from clerk_console.sync.client import SyncError
    from clerk_console.sync.runner import client_for, sync_once

    try:
        client = client_for(replica)
    except SyncError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    with client:
        report = sync_once(replica, client)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(describe(report))
    return 0 if report.online and not report.error else 1


def _accept_clock(replica, args) -> int:
    """A supervisor takes the back office's time although it is more than a day off."""
    from clerk_console.services import ServiceError, accounts
    from clerk_console.sync.client import SyncError
    from clerk_console.sync.runner import accept_clock

    from .signin import SignInInput, credentials

    try:
        boss = accounts.authorise(replica, *credentials(args, "负责人", "确认"))
        offset = accept_clock(replica, boss.id)
    except (ServiceError, SyncError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except SignInInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"已采用后台时间（与本机相差 {offset / 86400:.1f} 天），期限按后台时间计算；已记入审计日志。")
    return 0


def run(args) -> int:
    from clerk_console.storage.replica import Replica, ReplicaError

    path = config.replica_path(getattr(args, "data_dir", None))
    if not path.exists():
        print(f"本窗口还没有数据文件（{path}）：请先运行 clerk-console enroll 后台地址 注册码",
              file=sys.stderr)
        return 2
    try:
        replica = Replica.open(path)
    except ReplicaError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    with replica:
        if getattr(args, "accept_clock", False):
            return _accept_clock(replica, args)
        if args.once:
            return _round(replica, args.json)
        interval = config.Settings.load(path.parent).sync_interval_seconds
        try:
            while True:
                _round(replica, args.json)
                sys.stdout.flush()
                time.sleep(interval)
        except KeyboardInterrupt:
            return 0
