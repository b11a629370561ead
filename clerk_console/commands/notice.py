"""``clerk-console notice CASE_NO``: reprint the notices of a saved case.

``--pdf PATH`` writes every document of the case into one A4 PDF, ``--escpos PATH`` the
80 mm receipt byte stream, ``--text`` prints the preview; with none of them the documents go
to the window's configured printer. ``--kind`` picks one document; ``--results`` reprints the
出件 papers of the back office's results instead (行业综合许可证, 准予/不予许可决定书, 补正
告知书; ``--kind`` then picks among them). Exit status 0 on success,
1 when the case cannot be found, printing failed or the sign-in was refused, 2 for a bad
``--kind`` or a missing PIN. A clerk signs in first (``--as ID`` with the PIN on stdin in
scripts); the reprint is audited under that clerk.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from clerk_console import config


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def run(args) -> int:
    from clerk_console.domain.ids import parse_case_no
    from clerk_console.printing.documents import CASE_KINDS, RESULT_KINDS
    from clerk_console.printing.notices import case_documents, result_documents
    from clerk_console.services import ServiceError
    from clerk_console.storage.db import ReplicaError
    from clerk_console.storage.replica import Replica

    from .signin import SignInInput, sign_in

    kinds = [args.kind] if getattr(args, "kind", None) else None
    results = bool(getattr(args, "results", False))
    known = RESULT_KINDS if results else CASE_KINDS
    if kinds and kinds[0] not in known:
        _say(f"未知的文书种类“{args.kind}”，可选：{'、'.join(known)}"
             + ("" if results else "（出件文书请加 --results）"))
        return 2
    case_no = args.case_no.strip().upper()
    if parse_case_no(case_no) is None:
        _say(f"办件编号“{args.case_no}”格式不对，应为 窗口代码-日期-序号，如 YT0101-20261127-0001")
        return 1
    home = config.home(getattr(args, "data_dir", None))
    path = home / config.REPLICA_FILE
    if not path.exists():
        _say(f"本窗口还没有数据（{path} 不存在），请先运行 clerk-console demo 或完成窗口注册")
        return 1
    settings = config.Settings.load(home)
    try:
        replica = Replica.open(path)
    except ReplicaError as exc:
        _say(str(exc))
        return 1
    try:
        try:
            reader = sign_in(replica, args)
        except ServiceError as exc:
            _say(str(exc))
            return 1
        except SignInInput as exc:
            _say(str(exc))
            return 2
        case = replica.get_case(case_no)
        if case is None:
            _say(f"未找到办件“{case_no}”，请核对办件编号")
            return 1
        if results:
            docs = [d for d in result_documents(replica, case, settings=settings, home=home,
                                                now=datetime.now(), reprint=True)
                    if kinds is None or d.kind in kinds]
        else:
            docs = case_documents(replica, case, settings=settings, home=home,
                                  now=datetime.now(), reprint=True, kinds=kinds)
        if not docs:
            _say(f"办件“{case_no}”（{case.status.label}）没有需要打印的文书")
            return 1
        status = _output(args, docs, settings, home)
        if status == 0:
            replica.audit(reader.id, "notice.reprint", case.case_no,
                          {"kinds": [d.kind for d in docs], "case_clerk": case.clerk_id})
            if kinds is None and not results and (args.pdf or args.escpos or not args.text):
                replica.notice_printed(case.case_no)  # no longer listed at the window
        return status
    finally:
        replica.close()


def _output(args, docs, settings, home: Path) -> int:
    from clerk_console.printing import escpos, text
    from clerk_console.printing.printers import print_documents

    done = False
    if args.text:
        try:
            for doc in docs:
                sys.stdout.write(text.render(doc))
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into head: the reader has all it wanted
            sys.stdout = open(os.devnull, "w")
        done = True
    if args.escpos:
        data = b"".join(escpos.render(d) for d in docs)
        if not _write(Path(args.escpos), data):
            return 1
        _say(f"小票数据已写入 {args.escpos}")
        done = True
    if args.pdf:
        from clerk_console.printing import pdf

        rendered = pdf.render(docs, settings)
        for w in rendered.warnings:
            _say(w)
        if not _write(Path(args.pdf), rendered.data):
            return 1
        _say(f"{'、'.join(f'《{d.title}》' for d in docs)}已写入 {args.pdf}")
        done = True
    if done:
        return 0
    result = print_documents(docs, settings, home=home)
    for w in result.warnings:
        _say(w)
    _say(result.message)
    return 0 if result.ok else 1


def _write(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        _say(f"无法写入 {path}（{exc.strerror or exc}），请换一个位置或检查权限")
        return False
    return True
