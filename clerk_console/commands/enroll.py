"""``clerk-console enroll URL CODE``: exchange a one-time code for this window's token."""
from __future__ import annotations

import sys

from clerk_console import config


def run(args) -> int:
    from clerk_console.storage.replica import Replica, ReplicaError
    from clerk_console.sync.client import SyncClient, SyncError
    from clerk_console.sync.runner import install_id, save_enrollment

    url = args.url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        print(f"后台地址“{args.url}”不正确：应以 http:// 或 https:// 开头，"
              "如 https://backoffice.example.gov.cn:8700", file=sys.stderr)
        return 2
    home = config.home(getattr(args, "data_dir", None))
    try:
        replica = Replica.open(home / config.REPLICA_FILE)
    except ReplicaError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        with SyncClient(url, attempts=3) as client:
            resp = client.enroll(args.code, install_id(replica))
        window = replica.window()
        if window is not None and window.code != resp.window_code:
            print(f"本机数据属于窗口{window.code}，注册码却是窗口{resp.window_code}的："
                  "请向后台管理员申请本窗口的注册码", file=sys.stderr)
            return 1
        with replica.write():
            if window is None:
                settings = config.Settings.load(home)
                replica.set_window(resp.window_code, f"{resp.window_code}窗口", settings.hall_name)
            save_enrollment(replica, url, resp)
    except SyncError as exc:
        print(f"注册失败：{exc}", file=sys.stderr)
        return 1
    finally:
        replica.close()
    print(f"窗口{resp.window_code}已注册到后台 {url}（区划 {resp.region or '未设置'}）。"
          "运行 clerk-console sync --once 立即同步。")
    return 0
