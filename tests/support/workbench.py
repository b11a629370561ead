"""Workbench test helpers (test code, not shipped): a back office with the real catalogue
published, an enrolled window, pushed coffee-shop bundles, accounts per department."""
from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from clerk_console.backoffice import loaders, service
from clerk_console.backoffice.service import accounts
from clerk_console.sync.protocol import Dataset, PushItem, payload_hash

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "审批-pass-2026"
# 开办咖啡店/茶馆 (YZZY-KFD): 食品经营许可, 消防检查, 户外招牌, 行业综合许可证核发
FOOD, FIRE, SIGN, MERGED = ("3706134010020005000", "3706134010040001000",
                            "3706134010090001000", "3706134200010001000")
COFFEE = (FOOD, FIRE, SIGN, MERGED)
DEPTS = {FOOD: "SCJG", FIRE: "XF", SIGN: "CG", MERGED: "XZSP"}
REVIEWERS = {"SCJG": "scjg.li", "XF": "xf.wang", "CG": "cg.zhao", "XZSP": "xzsp.sun"}


def publish_catalogue(engine) -> None:
    with engine.begin() as conn:
        service.put_records(conn, Dataset.CATALOGUE,
                            loaders.catalogue_records(ROOT / "data" / "catalogue"))


def enrol(engine, code: str = "YT0101", *, now: datetime):
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, code, region="370602", now=now)
    with engine.begin() as conn:
        return service.enroll(conn, otc, now=now)


def coffee_case(window_code: str, n: int, *, accepted: datetime, status: str = "accepted",
                version: int = 1, items=COFFEE, token: str | None = None) -> dict:
    return {"id": f"case-{window_code}-{n}",
            "case_no": f"{window_code}-{accepted:%Y%m%d}-{n:04d}",
            "window_code": window_code, "version": version, "status": status,
            "items": list(items), "bundle": "YZZY-KFD", "applicant_kind": "enterprise",
            "applicant_name": "烟台海岸咖啡有限公司", "applicant_id": "91370613MA3CKF011N",
            "accepted_at": accepted.replace(tzinfo=None).isoformat(),
            "progress_token": token or secrets.token_urlsafe(16),
            "materials": [
                {"code": "M1", "name": "营业执照", "main": True, "state": "elicence",
                 "original": False, "reason": "", "elicence_number": "BL-001"},
                {"code": "M2", "name": "员工健康证明", "main": False, "state": "missing",
                 "original": False, "reason": "", "elicence_number": ""}]}


def push_cases(engine, window, payloads, *, now: datetime):
    items = [PushItem(id=f"ev-{p['id']}-{p['version']}", entity="case", entity_id=p["id"],
                      op="save", payload=p, payload_hash=payload_hash(p)) for p in payloads]
    with engine.begin() as conn:
        return service.push(conn, window, items, now=now)


def add_accounts(engine, *, now: datetime) -> None:
    with engine.begin() as conn:
        for dept, who in REVIEWERS.items():
            accounts.add_account(conn, who, name=f"{dept}审批", role="reviewer", dept=dept,
                                 password=PASSWORD, actor="test", now=now)
        accounts.add_account(conn, "boss", name="刘主任", role="supervisor", dept="",
                             password=PASSWORD, actor="test", now=now)
        accounts.add_account(conn, "admin", name="管理员", role="admin", dept="",
                             password=PASSWORD, actor="test", now=now)


def account(engine, who: str, *, now: datetime) -> dict:
    """The signed-in account as the workbench passes it to the services."""
    with engine.begin() as conn:
        token, _ = accounts.open_session(conn, who, now)
        return accounts.session_account(conn, token, now)
