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


def backend_engine(request, tmp_path):
    """A fresh back-office engine on SQLite or on PostgreSQL (a schema of its own, the
    conftest's ``pg_url``), as ``request.param`` says."""
    from clerk_console.backoffice.db import make_engine

    url = (request.getfixturevalue("pg_url") if request.param == "postgres"
           else f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    return make_engine(url)


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


SHOP_ID, SHOP_NAME = "91370613MA3CKF011N", "烟台海岸咖啡有限公司"


def coffee_shop():
    from clerk_console.domain.parties import Applicant, ApplicantKind

    return Applicant(SHOP_ID, "uscc", ApplicantKind.ENTERPRISE, SHOP_NAME,
                     legal_rep_id="370602199203154321", legal_rep_name="李小梅")


def enrolled_window(engine, url: str, folder: Path, *, now: datetime):
    """A window replica (clerk c1, PIN 111111) enrolled with the back office at ``url``, the
    catalogue pulled down, the coffee shop known as an applicant."""
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.storage.replica import Replica

    replica = Replica.open(folder / "replica.sqlite3")
    replica.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    replica.add_clerk("c1", "张敏", "111111", "clerk")
    enroll_replica(engine, replica, url, region="370602")
    sync_round(replica)  # the catalogue comes down
    replica.save_applicant(coffee_shop(), "c1", at=now)
    return replica


def take_coffee_bundle(replica, *, now: datetime):
    """The coffee-shop bundle accepted at the window, every material received."""
    from clerk_console.domain.case import MaterialState, Outcome
    from clerk_console.services import intake

    draft = intake.new_draft(replica, window="YT0101", clerk_id="c1", applicant=coffee_shop(),
                             items=list(COFFEE), bundle="YZZY-KFD", now=now)
    for m in draft.materials:
        if m.state is MaterialState.PENDING:
            draft = intake.set_material(draft, m.code, MaterialState.RECEIVED, original=True)
    return intake.close_intake(replica, draft, Outcome.ACCEPTED, clerk_id="c1", now=now)


def sync_round(replica):
    """One sync round of a window, as its worker runs it; it must reach the back office."""
    from clerk_console.sync.runner import client_for, sync_once

    with client_for(replica) as client:
        report = sync_once(replica, client)
    assert report.online and not report.error, report
    return report


def browser_sign_in(browser, url: str, who: str, password: str = PASSWORD):
    """A 1366x768 page signed in as ``who`` with the keyboard, on its queue."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(url + "/wb/login")
    page.keyboard.type(who)  # the account field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#queue")
    return page


def approve_first_item(page, licence_no: str, valid_until: str = "2031-11-26") -> None:
    """Open the queue's first item with the keyboard and approve it."""
    page.wait_for_selector("a.row-link:focus")  # autofocus: Enter opens it
    page.keyboard.press("Enter")
    page.wait_for_selector("#approve-form")
    page.focus("#licence_no")
    if licence_no:
        page.keyboard.type(licence_no)
    if valid_until:
        page.fill("#valid_until", valid_until)
    page.focus("#licence_no")
    page.keyboard.press("Enter")
    page.wait_for_selector("#notice")


def coffee_back_office(folder: Path, *, now: datetime, accepted: datetime, token: str):
    """A back office on SQLite in ``folder`` with the catalogue, the demo accounts, one window
    and one coffee-shop bundle pushed from it (accepted ``accepted``, progress ``token``):
    (engine, the case's payload). Serve it with ``AppServer(create_app(engine, ...))``."""
    from clerk_console.backoffice.db import make_engine

    engine = make_engine(f"sqlite:///{folder / 'bo.sqlite3'}")
    publish_catalogue(engine)
    add_accounts(engine, now=now)
    window, _ = enrol(engine, now=now)
    case = coffee_case("YT0101", 1, accepted=accepted, token=token)
    push_cases(engine, window, [case], now=now)
    return engine, case
