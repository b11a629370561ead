"""``clerk-console enroll URL CODE``: exchange a one-time code for this window's token."""
from __future__ import annotations

import sys

from clerk_console import config


def run(args) -> int:
    from clerk_console.storage.replica import Replica, ReplicaError
    from clerk_console.sync.client import SyncClient, SyncError
    from clerk_console.sync.client import check_transport
    from clerk_console.sync.runner import install_id, save_enrollment, transport_options

    url = args.url.strip().rstrip("/")
    home = config.home(getattr(args, "data_dir", None))
    options = transport_options(None, home)  # the pin of a settings file only, not an old one
    try:
        check_transport(url, allow_plain_http=options["allow_plain_http"])
    except SyncError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        replica = Replica.open(home / config.REPLICA_FILE)
    except ReplicaError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        with SyncClient(url, attempts=3, **options) as client:
            resp = client.enroll(args.code, install_id(replica))
            server_key = client.server_key_sha256
        window = replica.window()
        if window is not None and window.code != resp.window_code:
            print(f"本机数据属于窗口{window.code}，注册码却是窗口{resp.window_code}的："
                  "请向后台管理员申请本窗口的注册码", file=sys.stderr)
            return 1
        with replica.write():
            if window is None:
                settings = config.Settings.load(home)
                replica.set_window(resp.window_code, f"{resp.window_code}窗口", settings.hall_name)
            save_enrollment(replica, url, resp, server_key)
    except SyncError as exc:
        print(f"注册失败：{exc}", file=sys.stderr)
        return 1
    finally:
        replica.close()
    print(f"窗口{resp.window_code}已注册到后台 {url}（区划 {resp.region or '未设置'}）。"
          "运行 clerk-console sync --once 立即同步。")
    if server_key:
        print(f"后台证书公钥指纹（SHA-256）：{server_key}，此后只接受这把公钥；"
              "请与后台管理员核对（clerk-backoffice 所在服务器上的证书）。")
    elif not url.startswith("https://"):
        print("注意：与后台的连接未加密（http），仅适用于本机或隔离内网。", file=sys.stderr)
    return 0
