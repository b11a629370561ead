"""Synthetic accepted cases for benchmarks and fault tests (test code, not shipped), saved the
way the console saves cases (``Replica.save_case``: case + outbox event + audit entry in one
transaction)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from clerk_console.domain.case import Case, CaseMaterial, MaterialState, Outcome, Status
from clerk_console.domain.ids import new_id
from clerk_console.storage.replica import Replica

_NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"


def _resident_id(n: int) -> str:
    body = f"370602199001{(n % 28) + 1:02d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check


def add_cases(replica: Replica, n: int, *, window_code: str, day: date,
              now: datetime | None = None, clerk_id: str = "demo") -> list[Case]:
    """Save ``n`` accepted cases numbered from the window's next free sequence of ``day``."""
    now = now or datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
    out = []
    with replica.write():
        for i in range(n):
            case = Case(
                id=new_id(), case_no=replica.next_case_no(window_code, day),
                window_code=window_code, clerk_id=clerk_id, applicant_id=_resident_id(i),
                applicant_name=_NAMES[i % len(_NAMES)] + "测试", applicant_kind="person",
                items=("SCJG-001",), created_at=now, status=Status.ACCEPTED,
                outcome=Outcome.ACCEPTED, accepted_at=now, version=1,
                materials=(CaseMaterial("M001", "身份证明", True, MaterialState.RECEIVED, True),))
            out.append(replica.save_case(case, clerk_id=clerk_id, action="case.accepted", at=now))
    return out
