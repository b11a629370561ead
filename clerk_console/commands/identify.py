"""``clerk-console identify CODE...``: recognise and validate scanned codes.

One line per code, in input order: a readable Chinese line, or with ``--json`` one JSON
object per line. Exit status 0 when every code is valid, 1 otherwise. Imports only the pure
domain and the small data/codes loader (no Textual, no database).
"""
from __future__ import annotations

import json
import sys

from clerk_console.config import data_root
from clerk_console.domain.codes import identify
from clerk_console.datafiles.codes import CodeFileError, load_uscc_exceptions


def run(args) -> int:
    try:
        exceptions = load_uscc_exceptions(data_root() / "codes")
    except CodeFileError as exc:
        print(f"已知例外代码清单有误，未使用：{exc}", file=sys.stderr)
        exceptions = frozenset()
    results = [identify(code, uscc_exceptions=exceptions) for code in args.codes]
    for result in results:
        if args.json:
            line = json.dumps(result.to_json(), ensure_ascii=False)
        else:
            line = result.describe()
        print(line, file=sys.stdout)
    return 0 if all(r.valid for r in results) else 1
