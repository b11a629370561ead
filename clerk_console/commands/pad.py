"""``clerk-console pad [--bind HOST:PORT]``: serve the applicant's rating pad (评价器) on the hall
LAN from this window's PC, beside the console (same replica, works with the back office
offline). Prints the address and a one-time pairing code; Enter makes a new code, Ctrl+C stops.
"""
from __future__ import annotations

import sys
import threading

from clerk_console.commands import replica_file


def parse_bind(text: str) -> tuple[str, int] | None:
    host, _, port = (text or "").strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


def console_pad(home):
    """The rating pad's starter for the console (``ClerkApp(pad=...)``): the pad is served from
    inside the console on ``pad_bind`` once the clerk opens 评价器配对; None where no address
    is configured."""
    from clerk_console import config

    bind = config.Settings.load(home).pad_bind
    if not bind:
        return None

    def start(clock):
        from clerk_console.pad.server import PadServer

        where = parse_bind(bind)
        if where is None:
            raise OSError("地址应为 本机局域网地址:端口")
        return PadServer(home / config.REPLICA_FILE, *where, clock=clock).start()

    return start


def run(args) -> int:
    from clerk_console import config
    from clerk_console.pad.server import PadServer

    path = replica_file(args)
    if path is None:
        return 1
    bind = args.bind or config.Settings.load(path.parent).pad_bind
    where = parse_bind(bind)
    if where is None:
        print("请给出评价器的地址：--bind 本机局域网地址:端口（如 192.168.1.20:8765），"
              "或在 settings.toml 中设置 pad_bind", file=sys.stderr)
        return 2
    try:
        pad = PadServer(path, *where).start()
    except OSError as exc:
        print(f"无法在 {bind} 上提供评价器（{exc.strerror or exc}）：请检查地址是否为本机地址、端口是否被占用",
              file=sys.stderr)
        return 1
    try:
        while True:
            code = pad.pairing.new_code()
            print(f"评价器地址：{pad.url}  配对码：{code.value}"
                  f"（{code.expires:%H:%M} 前有效，只能使用一次；回车换新码，Ctrl+C 停止）",
                  flush=True)
            if not sys.stdin.readline():  # no terminal: serve until stopped
                threading.Event().wait()
    except KeyboardInterrupt:
        print("评价器已停止")
    finally:
        pad.stop()
    return 0
