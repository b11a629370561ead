"""``clerk-backoffice``: serve the sync API and run admin commands. Every admin action is logged."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from clerk_console.domain.case import Decision
from clerk_console.sync.protocol import Dataset

DB_HELP = ("数据库地址（sqlite:///文件 或 postgresql://…）；"
           "默认 $CLERK_BACKOFFICE_DB 或 $CLERK_BACKOFFICE_HOME 中的 SQLite 文件")


def build_parser() -> argparse.ArgumentParser:
    from clerk_console import __version__
    from clerk_console.cli_zh import ChineseParser, subparsers

    p = ChineseParser(prog="clerk-backoffice", description="政务服务后台（同步与分类审批）")
    p.add_argument("--version", action="version", version=f"clerk-backoffice {__version__}",
                   help="显示版本号并退出")
    p.add_argument("--db", metavar="URL", help=DB_HELP)
    sub = subparsers(p, dest="command", required=True, metavar="子命令")
    s = sub.add_parser("serve", help="启动同步服务")
    s.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    s.add_argument("--port", type=int, default=8700, help="端口（默认 8700）")
    s.add_argument("--ssl-certfile", metavar="PEM", help="PEM 证书：以 HTTPS 提供服务")
    s.add_argument("--ssl-keyfile", metavar="PEM", help="--ssl-certfile 对应的 PEM 私钥")
    s.add_argument("--log-level", default="info", help="日志级别（默认 info）")
    s.add_argument("--workers", type=int, default=1, metavar="N",
                   help="工作进程数（默认 1；多个进程共用一个 PostgreSQL 数据库）")
    s.add_argument("--sms", metavar="TOML", type=Path,
                   help="短信网关设置文件：同时发送结果领取、补正到期和终止办理短信")
    sub.add_parser("migrate", help="把数据库结构升级到本版本（serve 启动时也会自动升级）")
    s = sub.add_parser("sms-send", help="发送一轮到期的短信（结果领取、补正到期、终止办理）")
    s.add_argument("config", metavar="TOML", type=Path, help="短信网关设置文件")
    s = sub.add_parser("enrollment-code", help="为窗口生成一次性注册码")
    s.add_argument("window_code", metavar="WINDOW_CODE")
    s.add_argument("--region", help="窗口所在地 6 位行政区划代码（电子证照范围）")
    s.add_argument("--replace", action="store_true",
                   help="窗口换了电脑：原电脑停止同步")
    s = sub.add_parser("revoke", help="吊销窗口的令牌")
    s.add_argument("window_code", metavar="WINDOW_CODE")
    s = sub.add_parser("unlock-code", help="为负责人全部被锁的窗口生成一次性解锁码")
    s.add_argument("window_code", metavar="WINDOW_CODE")
    s.add_argument("clerk_id", metavar="CLERK_ID", help="要解锁的工号")
    s = sub.add_parser("load-catalog", help="发布事项目录（data/catalogue）")
    s.add_argument("folder", metavar="DIR", type=Path)
    s = sub.add_parser("load-calendar", help="发布一年的工作日历（data/calendar/YYYY.toml）")
    s.add_argument("file", metavar="FILE", type=Path)
    s = sub.add_parser("import-elicenses", help="导入电子证照索引（CSV 或 .xlsx）")
    s.add_argument("file", metavar="CSV", type=Path)
    s.add_argument("--replace", action="store_true",
                   help="删除文件所涉地区中文件已不再列出的证照")
    s.add_argument("--force", action="store_true",
                   help="允许一次删除超过 20%% 在用条目的替换")
    s = sub.add_parser("import-blacklist", help="替换失信名单（CSV 或 .xlsx）")
    s.add_argument("file", metavar="CSV", type=Path)
    s.add_argument("--force", action="store_true",
                   help="允许删除超过 20%% 的条目（如清空名单）")
    s = sub.add_parser("cases", help="列出收到的办件")
    s.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    s.add_argument("--limit", type=int, default=1000, metavar="N", help="最多列出 N 件")
    s = sub.add_parser("followups", help="各窗口未办结的差评回访（逾期的在前）")
    s.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    s = sub.add_parser("decide", help="登记审批决定（同步回窗口）")
    s.add_argument("case_no", metavar="CASE_NO")
    s.add_argument("decision", choices=[d.value for d in Decision])
    s = sub.add_parser("compact", help="清理旧的删除记录（更早的游标将重新下载）")
    s.add_argument("dataset", choices=[d.value for d in Dataset])
    s.add_argument("--keep", type=int, default=100_000, metavar="N", help="保留最新的 N 个序号")
    s = sub.add_parser("prune-events", help="清理过期的推送接收记录（保留期见 "
                       "CLERK_BACKOFFICE_EVENT_RETENTION_DAYS）")
    s.add_argument("--days", type=int, metavar="N", help="保留最近 N 天（默认取环境变量，否则 180）")
    _account_parser(sub)
    s = sub.add_parser("window-audit", help="查看后台保存的某窗口审计日志副本（最新的在后）")
    s.add_argument("window", metavar="窗口编号")
    s.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示 N 条")
    s = sub.add_parser("admin-log", help="查看管理日志")
    s.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示 N 条")
    for command in sub.choices.values():  # `serve --db URL` as well as `--db URL serve`
        command.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)
    return p


def _account_parser(sub) -> None:
    from clerk_console.cli_zh import subparsers
    from clerk_console.domain.workbench import ROLES

    a = sub.add_parser("account", help="管理审批工作台账号（审批人员、大厅负责人、系统管理员）")
    acts = subparsers(a, dest="account_command", required=True, metavar="操作")
    s = acts.add_parser("add", help="新建账号（口令从终端输入，或 --password-stdin 从标准输入读取）")
    s.add_argument("account_id", metavar="ACCOUNT", help="登录账号（英文字母、数字或 . _ -）")
    s.add_argument("--role", required=True, choices=ROLES,
                   help="reviewer 审批人员 / supervisor 大厅负责人 / admin 系统管理员")
    s.add_argument("--dept", default="", metavar="CODE", help="审批人员所属部门代码（如 SCJG）")
    s.add_argument("--name", default="", help="姓名（显示在页面和审计日志中）")
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读取口令")
    acts.add_parser("list", help="列出全部账号")
    for name, what in (("disable", "停用账号（立即退出登录）"), ("enable", "启用账号并解除锁定")):
        s = acts.add_parser(name, help=what)
        s.add_argument("account_id", metavar="ACCOUNT")
    s = acts.add_parser("passwd", help="重设口令（解除锁定，已登录的会话全部退出）")
    s.add_argument("account_id", metavar="ACCOUNT")
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读取口令")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新口令：")
    if getpass.getpass("再输入一次：") != first:
        from clerk_console.backoffice.service import BackofficeError

        raise BackofficeError("两次输入的口令不一致，未做修改")
    return first


def _account(conn, args, actor: str, now: datetime) -> None:
    from clerk_console.backoffice.service import accounts

    act = args.account_command
    if act == "add":
        row = accounts.add_account(conn, args.account_id, name=args.name, role=args.role,
                                   dept=args.dept, password=_read_password(args.password_stdin),
                                   actor=actor, now=now)
        print(f"已新建账号{row['id']}（{accounts.ROLE_LABELS[row['role']]}"
              f"{'，' + row['dept'] if row['dept'] else ''}）")
    elif act == "list":
        rows = accounts.list_accounts(conn)
        for r in rows:
            state = "已停用" if not r["active"] else (
                "已锁定" if r["locked_until"] and accounts.lock_in_force(
                    accounts.utc(r["locked_until"]), now, 0)
                else "正常")
            print(f"{r['id']}\t{r['name']}\t{r['role_label']}\t{r['dept'] or '-'}\t{state}")
        print(f"共{len(rows)}个账号")
    elif act in ("disable", "enable"):
        accounts.set_active(conn, args.account_id, act == "enable", actor=actor, now=now)
        print(f"账号{args.account_id.strip().lower()}已{'启用' if act == 'enable' else '停用'}")
    elif act == "passwd":
        accounts.set_password(conn, args.account_id, _read_password(args.password_stdin),
                              actor=actor, now=now)
        print(f"账号{args.account_id.strip().lower()}的口令已重设")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _serve(args, url: str) -> int:
    import uvicorn

    from clerk_console.backoffice.app import create_app
    from clerk_console.backoffice.db import DB_ENV, make_engine

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        print("启用HTTPS需要同时给出 --ssl-certfile 和 --ssl-keyfile", file=sys.stderr)
        return 2
    if not 1 <= args.workers <= 64:
        print("--workers 应为 1 到 64 之间的整数", file=sys.stderr)
        return 2
    if args.workers > 1 and url.startswith("sqlite"):
        print("多个工作进程需要 PostgreSQL 数据库（--db postgresql://…）；SQLite 只用一个进程",
              file=sys.stderr)
        return 2
    from clerk_console.backoffice.service import retention_days

    retention_days()  # a bad setting stops here, not in each worker
    engine = make_engine(url)  # the schema, once, before any worker starts
    worker = None
    if args.sms:
        from clerk_console.backoffice import sms

        sms_config = sms.load_config(args.sms)
        sms.gateway_for(sms_config).close()  # a missing key or secret stops here, in Chinese
        worker = sms.SmsWorker(engine, sms_config).start()
    from clerk_console.backoffice.service.retention import PRUNE_EVERY_SECONDS

    options = dict(host=args.host, port=args.port, log_level=args.log_level,
                   ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
    try:
        if args.workers > 1:  # each worker imports the factory and opens its own pool
            os.environ[DB_ENV] = url
            uvicorn.run("clerk_console.backoffice.app:create_app", factory=True,
                        workers=args.workers, **options)
        else:
            uvicorn.run(create_app(engine, prune_every=PRUNE_EVERY_SECONDS), **options)
    finally:
        if worker is not None:
            worker.stop()
    return 0


def _migrate(url: str) -> int:
    from clerk_console.backoffice import migrations
    from clerk_console.backoffice.db import make_engine

    engine = make_engine(url, create=False)
    before = migrations.current(engine)
    migrations.upgrade(engine)
    after = migrations.current(engine)
    engine.dispose()
    if before == after:
        print(f"数据库结构已是最新（{after}），无需升级")
    else:
        print(f"数据库结构已升级：{before or '未迁移'} → {after}，原有数据已保留")
    return 0


def _sms_send(args, url: str) -> int:
    from clerk_console.backoffice import sms
    from clerk_console.backoffice.db import make_engine

    gateway = sms.gateway_for(sms.load_config(args.config))
    try:
        result = sms.run_round(make_engine(url), gateway, _now())
    finally:
        gateway.close()
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0


def _admin(args, url: str) -> int:
    from clerk_console.backoffice import loaders, service
    from clerk_console.backoffice.db import make_engine

    engine = make_engine(url)
    actor = getpass.getuser()
    now = _now()
    cmd = args.command
    imported = None
    if cmd == "import-elicenses":  # in short transactions of its own, before the log entry
        dataset, records, scopes = _elicences(loaders.elicence_records(args.file), args.replace)
        imported = service.import_records(
            engine, dataset, records, replace_scopes=scopes,
            max_delete_share=None if args.force else service.MAX_REPLACE_SHARE)
    with engine.begin() as conn:
        if cmd == "enrollment-code":
            code = service.issue_enrollment_code(conn, args.window_code, region=args.region,
                                                 replace=args.replace, now=now)
            subject, detail = args.window_code.upper(), f"region={args.region or ''}"
            if args.replace:
                detail += " replace"
            print(code)
        elif cmd == "unlock-code":
            code = service.issue_unlock_code(conn, args.window_code, args.clerk_id, now=now)
            subject, detail = args.window_code.upper(), f"clerk={args.clerk_id.strip()}"
            print(f"{code}\n请在窗口运行 clerk-console clerk unlock {args.clerk_id.strip()} "
                  f"--code {code}（当天和次日有效，只能用一次）")
        elif cmd == "revoke":
            service.revoke(conn, args.window_code, now=now)
            subject, detail = args.window_code.upper(), ""
            print(f"窗口{args.window_code.upper()}已停用")
        elif cmd in ("load-catalog", "load-calendar", "import-blacklist", "import-elicenses"):
            path = args.folder if cmd == "load-catalog" else args.file
            dataset, records, scopes = {
                "load-catalog": lambda: (Dataset.CATALOGUE, loaders.catalogue_records(path), [""]),
                "load-calendar": lambda: (Dataset.CALENDAR, loaders.calendar_records(path), None),
                "import-blacklist": lambda: (Dataset.BLACKLIST, loaders.blacklist_records(path),
                                             [""]),
                "import-elicenses": lambda: (Dataset.ELICENCE, {}, None),  # imported above
            }[cmd]()
            guard = None if getattr(args, "force", False) else service.MAX_REPLACE_SHARE
            counts = imported if imported is not None else service.put_records(
                conn, dataset, records, replace_scopes=scopes, max_delete_share=guard)
            subject = path.name
            detail = json.dumps(counts)
            print(f"已发布：新增或更新{counts['changed']}条，删除{counts['deleted']}条，"
                  f"未变{counts['unchanged']}条")
        elif cmd == "cases":
            rows = service.list_cases(conn, args.limit)
            subject, detail = "cases", f"rows={len(rows)}"
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
            else:
                for r in rows:
                    print(f"{r['case_no']}\t{r['window_code']}\t{r['status']}\t"
                          f"{','.join(r['items'])}\t{r['decision']}")
                print(f"共{len(rows)}件")
        elif cmd == "followups":
            from clerk_console.backoffice.sms import calendar_of
            from clerk_console.domain.calendar import CHINA_TIME as CHINA

            rows = service.open_followups(conn, now.astimezone(CHINA).date(), calendar_of(conn))
            subject, detail = "followups", f"rows={len(rows)}"
            for r in rows:
                if args.json:
                    print(json.dumps(r, ensure_ascii=False))
                else:
                    late = f"逾期{r['late_workdays']}个工作日" if r["overdue"] else ""
                    print(f"{r['window_code']}\t{r['case_no']}\t{r['step_label']}\t"
                          f"期限{r['due']}\t{late}")
            if not args.json:
                print(f"未办结差评回访{len(rows)}件，其中逾期"
                      f"{sum(1 for r in rows if r['overdue'])}件")
        elif cmd == "decide":
            service.decide(conn, args.case_no, Decision(args.decision), actor=actor, now=now)
            subject, detail = args.case_no.upper(), args.decision
            print(f"办件{args.case_no.upper()}：{Decision(args.decision).label}，将同步到受理窗口出件")
        elif cmd == "compact":
            n = service.compact(conn, Dataset(args.dataset), keep=args.keep)
            subject, detail = args.dataset, f"tombstones={n}"
            print(f"已清理{n}条删除记录")
        elif cmd == "prune-events":
            days = service.retention_days() if args.days is None else args.days
            n = service.prune_events(conn, now=now, days=days)
            subject, detail = "received_event", f"days={days} pruned={n}"
            print(f"已清理{n}条超过{days}天的推送接收记录" if days > 0 else "保留期为0：永久保留，未清理")
        elif cmd == "account":  # the service writes the audit lines itself
            _account(conn, args, actor, now)
            return 0
        elif cmd == "window-audit":
            for r in reversed(service.window_audit(conn, args.window, args.limit)):
                print(f"{r['seq']}\t{r['at'][:19]}\t{r['clerk_id']}\t{r['action']}\t{r['subject']}")
            return 0
        elif cmd == "admin-log":
            for r in reversed(service.admin_log(conn, args.limit)):
                print(f"{r['at']}\t{r['actor']}\t{r['action']}\t{r['subject']}\t{r['detail']}")
            return 0
        service.log_admin(conn, actor=actor, action=cmd, subject=subject, detail=detail, now=now)
    return 0


def _elicences(records, replace: bool):
    scopes = sorted({scope for scope, _key in records}) if replace else None
    return Dataset.ELICENCE, records, scopes


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from clerk_console import logfile
    from clerk_console.backoffice.db import database_url

    logfile.setup("clerk-backoffice")
    from clerk_console.backoffice.loaders import LoadError
    from clerk_console.backoffice.service import BackofficeError
    from clerk_console.backoffice.sms import SmsConfigError

    url = database_url(args.db)
    try:
        if args.command == "serve":
            return _serve(args, url)
        if args.command == "sms-send":
            return _sms_send(args, url)
        if args.command == "migrate":
            return _migrate(url)
        return _admin(args, url)
    except (BackofficeError, LoadError, SmsConfigError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # database unreachable and the like: say so, no traceback
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            print(f"错误：无法连接数据库（{url.split('@')[-1]}），请检查 --db 或 "
                  f"CLERK_BACKOFFICE_DB", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
