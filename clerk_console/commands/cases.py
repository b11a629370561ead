"""``clerk-console cases [--json] [--limit N] [--as ID]``: the replica's newest cases,
applicants masked; a clerk signs in first (``commands/signin.py``) and the listing is audited."""
from __future__ import annotations

import json
import sys

from clerk_console.commands import replica_file


def case_row(case, id_kind: str = "resident_id") -> dict:
    """One case as the listing shows it (ID number and person's name masked)."""
    from clerk_console.domain.masking import mask_id
    from clerk_console.domain.parties import mask_party_name

    return {
        "case_no": case.case_no,
        "outcome": case.outcome.value if case.outcome else None,
        "outcome_label": case.outcome.label if case.outcome else "",
        "status": case.status.value,
        "status_label": case.status.label,
        "applicant_id": mask_id(case.applicant_id, id_kind),
        "applicant_name": mask_party_name(case.applicant_name, case.applicant_kind),
        "items": list(case.items),
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "created_at": case.created_at.isoformat(timespec="minutes"),
    }


def run(args) -> int:
    from clerk_console.services import ServiceError
    from clerk_console.storage.db import ReplicaError
    from clerk_console.storage.replica import Replica

    from .signin import SignInInput, sign_in

    limit = getattr(args, "limit", 200)
    if limit is None or limit < 1:
        print("--limit 应为正整数", file=sys.stderr)
        return 2
    path = replica_file(args)
    if path is None:
        return 1
    try:
        with Replica.open(path) as replica:
            reader = sign_in(replica, args)
            cases = replica.list_cases(limit=limit)
            kinds = {}
            for c in cases:
                if c.applicant_id not in kinds:
                    found = replica.find_applicant(c.applicant_id)
                    kinds[c.applicant_id] = found.id_kind if found else _guess_kind(c)
            names = _item_names(replica)
            replica.audit(reader.id, "cases.list", "cases", {"rows": len(cases)})
    except (ReplicaError, ServiceError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except SignInInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    rows = [case_row(c, kinds[c.applicant_id]) for c in cases]
    if getattr(args, "json", False):
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("暂无办件")
        return 0
    for row in rows:
        items = "、".join(names.get(code, code) for code in row["items"])
        due = f"  补正期限 {row['deadline']}" if row["deadline"] else ""
        print(f"{row['case_no']}  {row['outcome_label'] or '-':<6}  {row['status_label']:<8}  "
              f"{row['applicant_name']} {row['applicant_id']}  {items}{due}")
    return 0


def _guess_kind(case) -> str:
    return "resident_id" if case.applicant_kind == "person" else (
        "uscc" if case.applicant_kind == "enterprise" else "project_code")


def _item_names(replica) -> dict[str, str]:
    from clerk_console.storage.db import ReplicaError

    try:
        return {code: item.name for code, item in replica.catalogue().items.items()}
    except ReplicaError:
        return {}
