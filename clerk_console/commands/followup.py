"""``clerk-console followup list|verify|fix|answer|appeal|review``: the 差评 loop at the window.

Every step is signed by the clerk taking it: ``--as ID`` with the PIN as the first line of
stdin, or both asked in the terminal (wrong PINs count toward the lock as at sign-in). 核实
and 复核 need a supervisor other than the rated clerk. The rules are in ``domain/followup.py``,
the steps in ``services/followup.py``. Exit 0 done, 1 refused, 2 bad input.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime

from clerk_console.commands import replica_file
from clerk_console.commands.signin import SignInInput, sign_in


def run(args) -> int:
    from clerk_console.services import ServiceError
    from clerk_console.storage.replica import Replica, ReplicaError

    path = replica_file(args)
    if path is None:
        return 1
    try:
        with Replica.open(path) as replica:
            if args.action == "list":
                return _list(replica, args)
            return _step(replica, args)
    except (ServiceError, ReplicaError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except SignInInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已取消，未作任何修改", file=sys.stderr)
        return 2


def _row(f, today) -> dict:
    from clerk_console.domain.followup import is_overdue

    return {"id": f.id, "case_no": f.case_no, "step": f.step.value, "step_label": f.step.label,
            "due": f.due.isoformat(), "overdue": is_overdue(f, today), "status": f.status,
            "outcome": f.outcome, "steps": [
                {"step": r.step.label, "result": r.result, "by": r.clerk_id,
                 "at": r.at.isoformat(timespec="minutes"), "late": r.late} for r in f.history]}


def _list(replica, args) -> int:
    today = datetime.now().date()
    rows = [_row(f, today) for f in replica.followups(None if args.all else "open")]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("没有待办的差评回访" if not args.all else "没有差评回访")
    for r in rows:
        late = "（已逾期）" if r["overdue"] else ""
        print(f"{r['id']}  {r['case_no']}  {r['step_label']}  期限 {r['due']}{late}")
    return 0


def _step(replica, args) -> int:
    from clerk_console.services import followup

    actor = sign_in(replica, args)
    common = dict(now=datetime.now())
    if args.action == "verify":
        f = followup.verify(replica, args.id, supervisor_id=actor.id, founded=args.yes,
                            note=args.note, **common)
    elif args.action == "fix":
        f = followup.fix(replica, args.id, clerk_id=actor.id, note=args.note, **common)
    elif args.action == "answer":
        f = followup.answer(replica, args.id, clerk_id=actor.id, channel=args.channel,
                            note=args.note, **common)
    elif args.action == "appeal":
        f = followup.appeal(replica, args.id, clerk_id=actor.id, kind=args.kind,
                            grounds=args.note, **common)
    else:
        f = followup.decide_appeal(replica, args.id, supervisor_id=actor.id, upheld=args.yes,
                                   reason=args.note, **common)
    after = "已办结" if f.status == "closed" else f"下一步：{f.step.label}，期限 {f.due.isoformat()}"
    print(f"办件 {f.case_no} 差评回访：{after}")
    return 0
