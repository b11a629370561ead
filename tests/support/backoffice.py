"""Back-office helpers for its tests: an enrolled window, a case payload, a push item and a
push, all at one fixed time."""
from __future__ import annotations

from datetime import datetime, timezone

from clerk_console.backoffice import service
from clerk_console.sync.protocol import PushItem, payload_hash

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def enrolled(engine, code="YT0101", region="370602"):
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, code, region=region, now=NOW)
    with engine.begin() as conn:
        return service.enroll(conn, otc, now=NOW)


def case_payload(window, n=1, version=1, status="accepted", **extra):
    return {"id": f"case-{window}-{n}", "case_no": f"{window}-20261127-{n:04d}",
            "window_code": window, "version": version, "status": status,
            "items": ["SCJG-001"], **extra}


def item(payload, event_id=None):
    return PushItem(id=event_id or f"ev-{payload['id']}-{payload['version']}", entity="case",
                    entity_id=payload["id"], op="save", payload=payload,
                    payload_hash=payload_hash(payload))


def push(engine, window, items):
    with engine.begin() as conn:
        return service.push(conn, window, items, now=NOW)
