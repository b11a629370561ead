# PYTHON_ARGCOMPLETE_OK  (shell completion: see README "Shell completion")
"""``clerk-console``: argv is parsed before anything heavy is imported.

Each sub-command lives in ``clerk_console/commands/<name>.py`` as ``run(args) -> int`` and is
imported only when chosen, so ``identify`` never loads Textual or SQLAlchemy.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from clerk_console.cli_zh import ChineseParser, subparsers


def build_parser() -> argparse.ArgumentParser:
    from clerk_console import __version__

    p = ChineseParser(prog="clerk-console", description="政务服务大厅综合受理终端")
    p.add_argument("--version", action="version", version=f"clerk-console {__version__}",
                   help="显示版本号并退出")
    p.add_argument("--data-dir", metavar="DIR",
                   help="窗口数据目录（数据库、备份、设置）；默认 $CLERK_CONSOLE_HOME 或系统的用户数据目录")
    sub = subparsers(p, dest="command", metavar="子命令")

    s = sub.add_parser("run", help="打开本窗口的受理终端（默认）")

    s = sub.add_parser("demo", help="建立（或沿用）演示数据库，然后打开终端")
    s.add_argument("--init-only", action="store_true", help="只建立演示数据库，不打开终端")
    s.add_argument("--cases", type=int, default=0, metavar="N",
                   help="另外生成 N 件模拟办件")
    s.add_argument("--no-backoffice", action="store_true",
                   help="不启动内置的本机后台")

    s = sub.add_parser("identify", help="识别并校验扫码得到的证号")
    s.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    s.add_argument("codes", nargs="+", metavar="CODE", help="身份证号、统一社会信用代码、项目代码等")

    s = sub.add_parser("cases", help="列出本窗口的办件")
    s.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    s.add_argument("--limit", type=int, default=200, metavar="N", help="最多列出 N 件（默认 200）")
    s.add_argument("--as", dest="as_id", metavar="ID", help="登录的工号；其 PIN 从标准输入第一行读取")

    s = sub.add_parser("notice", help="（补）打印办件的告知书")
    s.add_argument("case_no", metavar="CASE_NO", help="办件编号")
    s.add_argument("--pdf", metavar="PATH", help="把 PDF 写到这里")
    s.add_argument("--text", action="store_true", help="输出文字预览")
    s.add_argument("--escpos", metavar="PATH", help="把 80 毫米小票的打印数据写到这里")
    s.add_argument("--kind", metavar="KIND", help="文书种类（默认按办理结果）")
    s.add_argument("--results", action="store_true",
                   help="补打出件文书（行业综合许可证、准予/不予许可决定书、补正告知书）")
    s.add_argument("--as", dest="as_id", metavar="ID", help="登录的工号；其 PIN 从标准输入第一行读取")

    s = sub.add_parser("workdays", help="某日之后第 N 个工作日（按办件期限的算法）")
    s.add_argument("date", metavar="DATE", help="起算日，如 2026-12-24（当日不计）")
    s.add_argument("days", metavar="N", type=int, help="工作日天数")
    s.add_argument("--json", action="store_true", help="输出 JSON")

    s = sub.add_parser("enroll", help="把本窗口注册到后台")
    s.add_argument("url", metavar="URL", help="后台地址，如 https://hall.example:8700")
    s.add_argument("code", metavar="CODE", help="后台给出的一次性注册码")

    s = sub.add_parser("sync", help="与后台同步")
    s.add_argument("--once", action="store_true", help="同步一轮后退出")
    s.add_argument("--accept-clock", action="store_true",
                   help="负责人确认采用与本机相差超过一天的后台时间")
    s.add_argument("--as", dest="as_id", metavar="ID", help="负责人工号；其 PIN 从标准输入第一行读取")
    s.add_argument("--json", action="store_true", help="输出 JSON")

    s = sub.add_parser("audit", help="审计日志")
    acts = subparsers(s, dest="action", required=True, metavar="操作")
    acts.add_parser("verify", help="逐条校验审计日志的哈希链（被改、被删即报告）")

    s = sub.add_parser("clerk", help="本窗口的窗口员账号（管理员）")
    acts = subparsers(s, dest="action", required=True, metavar="操作")
    a = acts.add_parser("list", help="工号、姓名、角色、是否停用、是否锁定")
    a.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    a.add_argument("--as", dest="as_id", metavar="ID", help="登录的工号；其 PIN 从标准输入第一行读取")
    for action, help_ in (("add", "新增窗口员（第一个账号用 --supervisor）"),
                          ("pin", "设置新 PIN"), ("unlock", "解除多次输错 PIN 后的锁定"),
                          ("disable", "停用离岗的窗口员"),
                          ("enable", "重新启用窗口员")):
        a = acts.add_parser(action, help=help_)
        a.add_argument("clerk_id", metavar="ID", help="工号")
        if action == "add":
            a.add_argument("name", metavar="NAME", help="姓名")
            a.add_argument("--supervisor", action="store_true", help="负责人账号")
        if action in ("add", "pin"):
            a.add_argument("--pin-stdin", action="store_true",
                           help="从标准输入读一行作为新 PIN（不再询问两次）")
        if action == "unlock":
            a.add_argument("--code", metavar="CODE",
                           help="后台的一次性解锁码（负责人全部被锁时；clerk-backoffice unlock-code）")
        a.add_argument("--as", dest="as_id", metavar="ID",
                       help="授权的负责人工号；其 PIN 从标准输入第一行读取")

    s = sub.add_parser("followup", help="差评回访：核实、整改、反馈、申诉复核")
    acts = subparsers(s, dest="action", required=True, metavar="操作")
    a = acts.add_parser("list", help="待办的差评回访（当前步骤、期限、是否逾期）")
    a.add_argument("--all", action="store_true", help="包括已办结的")
    a.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    a.add_argument("--as", dest="as_id", metavar="ID", help="登录的工号；其 PIN 从标准输入第一行读取")
    for action, help_ in (("verify", "核实（负责人）：问题是否属实"), ("fix", "整改：改了什么"),
                          ("answer", "反馈：如何告知了申请人"), ("appeal", "申诉：恶意差评或误评"),
                          ("review", "复核申诉（负责人）")):
        a = acts.add_parser(action, help=help_)
        a.add_argument("id", metavar="ID", help="差评回访编号（followup list 第一列）")
        if action in ("verify", "review"):
            yes, no = (("--founded", "--unfounded") if action == "verify"
                       else ("--upheld", "--rejected"))
            g = a.add_mutually_exclusive_group(required=True)
            g.add_argument(yes, dest="yes", action="store_true",
                           help="属实，需整改" if action == "verify" else "申诉成立，该评价不计")
            g.add_argument(no, dest="yes", action="store_false",
                           help="非服务原因，向申请人解释说明" if action == "verify"
                           else "申诉不成立，回到原步骤")
        if action == "answer":
            a.add_argument("--channel", required=True, help="反馈方式：电话、短信、当面、书面")
        if action == "appeal":
            a.add_argument("--kind", required=True, choices=("malicious", "mistaken"),
                           help="malicious 恶意差评，mistaken 误评")
        a.add_argument("note", metavar="TEXT", help="核实情况、整改措施、反馈内容或理由")
        a.add_argument("--as", dest="as_id", metavar="ID", help="办理人工号；其 PIN 从标准输入第一行读取")

    s = sub.add_parser("sms", help="申请人是否接收本办件的短信通知（在窗口登记）")
    s.add_argument("case_no", metavar="CASE_NO")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--opt-out", dest="opt_out", action="store_true", help="申请人不接收短信")
    g.add_argument("--opt-in", dest="opt_out", action="store_false", help="接收短信（可用 --phone 改号码）")
    s.add_argument("--phone", help="接收短信的手机号（默认登记的号码）")
    s.add_argument("--as", dest="as_id", metavar="ID", help="窗口员工号；其 PIN 从标准输入第一行读取")

    s = sub.add_parser("pad", help="在大厅局域网上提供申请人评价器（配对码在此显示）")
    s.add_argument("--bind", metavar="HOST:PORT", help="本机局域网地址和端口；默认 settings.toml 的 pad_bind")

    s = sub.add_parser("serve-web", help="在浏览器中使用本窗口的受理终端（textual-serve）")
    s.add_argument("--bind", metavar="HOST:PORT", help="本机局域网地址和端口；默认 settings.toml 的 web_bind")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # a shell asks for completions: answer and exit
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    command = args.command or "run"
    from clerk_console import config, logfile

    logfile.setup("clerk-console")
    if os.name == "posix":
        os.umask(0o077)  # whatever this process writes is the user's own (personal data)
    try:
        module = importlib.import_module(f"clerk_console.commands.{command.replace('-', '_')}")
        return int(module.run(args) or 0)
    except config.SettingsError as exc:
        print(f"设置有误，未启动：{exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the top: a Chinese message, never a traceback or locals
        import logging

        from clerk_console.storage.db import ReplicaError
        from clerk_console.storage.errors import storage_message, where

        if isinstance(exc, ReplicaError):
            print(str(exc), file=sys.stderr)
            return 1
        logging.getLogger("clerk_console").error("command %s failed: %s", command, where(exc))
        message = storage_message(exc) or (f"受理终端内部错误（{type(exc).__name__}），"
                                           "本次操作未完成；已保存的办件不受影响，请联系技术支持")
        print(message, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
