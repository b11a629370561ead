"""``clerk-console serve-web [--bind HOST:PORT]``: this window's console in a browser, through
textual-serve, for halls that cannot install software on each PC.

Every browser that opens the page gets its own console process (``clerk-console run`` on this
window folder: sign-in first, the same replica); the keys travel over a websocket. One
``serve-web`` serves one window folder: a hall runs one per window, each on its own port. The
address is ``--bind`` or ``web_bind`` in settings.toml, a concrete address of this machine (the
page tells the browser where to connect, so not 0.0.0.0). No TLS here: on anything but an
isolated hall LAN, put it behind a reverse proxy with HTTPS. Printing happens where the console
runs (this server), not at the browser's PC; and without the server there is no console.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from clerk_console import config
from clerk_console.commands.pad import parse_bind

WILDCARDS = ("0.0.0.0", "::", "*")
TITLE = "综合受理"


def console_command(home: Path) -> str:
    """The shell command each browser session runs: this package's console on ``home``."""
    argv = [sys.executable, "-m", "clerk_console", "--data-dir", str(home), "run"]
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    import shlex

    return shlex.join(argv)


def make_server(home: Path, host: str, port: int):
    """A textual-serve server with the page in Chinese and its own logging off (its rich
    tracebacks would print local variables: a PIN, an ID number)."""
    from textual_serve.server import Server

    class ConsoleServer(Server):
        def initialize_logging(self) -> None:
            pass  # the console's own log (logfile.py) is set up by the CLI

        async def on_startup(self, app) -> None:
            print(f"受理终端网页版：{self.public_url}/（本窗口数据目录 {home}；Ctrl+C 停止）",
                  flush=True)

    web = Path(__file__).resolve().parent.parent / "web"
    return ConsoleServer(console_command(home), host=host, port=port, title=TITLE,
                         templates_path=web)


def run(args) -> int:
    home = config.home(getattr(args, "data_dir", None))
    if not (home / config.REPLICA_FILE).exists():
        print(f"本窗口还没有数据文件（{home / config.REPLICA_FILE}）：请先运行 clerk-console demo "
              "或 clerk-console enroll 注册本窗口，再提供网页版", file=sys.stderr)
        return 2
    bind = args.bind or config.Settings.load(home).web_bind
    where = parse_bind(bind)
    if where is None:
        print("请给出网页版的地址：--bind 本机局域网地址:端口（如 192.168.1.20:8780），"
              "或在 settings.toml 中设置 web_bind", file=sys.stderr)
        return 2
    host, port = where
    if host in WILDCARDS:
        print(f"网页版地址不能是 {host}：请写本机的局域网地址（浏览器按此地址连接）",
              file=sys.stderr)
        return 2
    try:
        server = make_server(home, host, port)
    except ImportError:
        print("未安装网页版所需的 textual-serve：pip install 'clerk-console[web]'",
              file=sys.stderr)
        return 1
    try:
        server.serve()
    except OSError as exc:
        print(f"无法在 {bind} 上提供网页版（{exc.strerror or exc}）：请检查地址是否为本机地址、"
              "端口是否被占用", file=sys.stderr)
        return 1
    return 0
