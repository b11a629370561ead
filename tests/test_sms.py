"""Messages to applicants: a real console syncing to a real back office on loopback, and a
fake SMS gateway on loopback (a real HTTP server) that records every request it got,
including an outage. Each message reaches it exactly once; opt-outs, the daily cap and the
scrubbing of ID numbers hold."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from clerk_console.backoffice import service, sms
from clerk_console.backoffice.db import reading
from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.case import Decision, Outcome
from clerk_console.domain.messages import MessageKind, message, remind_now, scrub
from clerk_console.domain.parties import ELicence
from clerk_console.services import ServiceError, intake, messages, returns

from conftest import ENTERPRISE, NOW, PERSON
from support import sms as sms_support
from support.services import draft_for
from support.sms import MOBILE, SHOP, at, sync, accepted, decided, outbox

window = sms_support.window  # the enrolled window (a fixture)

class FakeGateway:
    """An SMS provider's HTTP API on loopback: records each request; ``down`` answers 503."""

    def __init__(self):
        self.received: list[dict] = []
        self.refused = 0
        self.down = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if gateway.down:
                    gateway.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                gateway.received.append({"body": json.loads(body), "raw": body.decode(),
                                         "auth": self.headers.get("authorization", "")})
                answer = json.dumps({"Code": "OK", "BizId": f"biz{len(gateway.received)}"})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def kinds(self) -> list[str]:
        codes = {"T-READY": "result_ready", "T-DEADLINE": "deadline", "T-VOID": "voided"}
        return [codes[r["body"]["TemplateCode"]] for r in self.received]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = FakeGateway()
    yield g
    g.stop()


def config(url, **kw):
    return sms.check_config({"url": url, "sign_name": "烟台政务服务", "hall": "烟台市政务服务中心",
                             "token_env": "CLERK_TEST_SMS_TOKEN", "retry_wait_seconds": 0.01,
                             "templates": {"result_ready": "T-READY", "deadline": "T-DEADLINE",
                                           "voided": "T-VOID"}, **kw})


# ---------------------------------------------------------------- end to end


def test_result_ready_deadline_and_voided_each_reach_the_gateway_once(window, engine, gateway,
                                                                       monkeypatch):
    monkeypatch.setenv("CLERK_TEST_SMS_TOKEN", "s3cret")
    gw = sms.Gateway(config(gateway.url))
    done = accepted(window)
    owing = intake.close_intake(window, draft_for(window, applicant=SHOP), Outcome.DEFERRED,
                                clerk_id="c1", now=NOW)
    assert owing.deadline == date(2026, 12, 3)  # Thursday
    sync(window)
    with engine.begin() as conn:  # the existing ``decide ... ready`` path of the back office
        service.decide(conn, done.case_no, Decision.READY, actor="审批科", now=at(NOW.date()))
    # Monday 11-30: 3 working days before the deadline, no reminder yet
    assert sms.run_round(engine, gw, at(date(2026, 11, 30))).sent == 1
    assert gateway.kinds() == ["result_ready"]
    # Tuesday 12-01: 2 working days left -> the reminder, once, however often it runs
    assert sms.run_round(engine, gw, at(date(2026, 12, 1))).sent == 1
    assert sms.run_round(engine, gw, at(date(2026, 12, 1), 15)).sent == 0
    assert sms.run_round(engine, gw, at(date(2026, 12, 2))).sent == 0
    # the deadline passes; the window voids the deferral and syncs it
    returns.void(window, owing, clerk_id="c1", supervisor_id="boss",
                 now=datetime(2026, 12, 7, 9), reason="逾期未补正平面图")
    # the back office receives the void on the same (fixed) clock as the rest of the test: the
    # message is queued at receipt, and a real-clock receipt would lie in the round's future
    from clerk_console.backoffice import app as backoffice_app
    monkeypatch.setattr(backoffice_app, "utcnow", lambda: at(date(2026, 12, 7), 9))
    sync(window)
    sync(window)  # pushed again: nothing new
    with engine.begin() as conn:
        assert not sms.queue_result_ready(conn, conn.execute(
            select(sms.CASE).where(sms.CASE.c.case_no == done.case_no)).mappings().first(),
            at(date(2026, 12, 7)))  # a second trigger of the same event adds nothing
    assert sms.run_round(engine, gw, at(date(2026, 12, 7), 11)).sent == 1
    assert sms.run_round(engine, gw, at(date(2026, 12, 8))).sent == 0
    assert gateway.kinds() == ["result_ready", "deadline", "voided"]
    first, reminder, voided = (r["body"] for r in gateway.received)
    assert first["PhoneNumbers"] == MOBILE and first["SignName"] == "烟台政务服务"
    assert json.loads(first["TemplateParam"]) == {
        "case_no": done.case_no, "item": "所办事项", "hall": "烟台市政务服务中心"}
    assert json.loads(reminder["TemplateParam"])["deadline"] == "2026年12月03日"
    assert json.loads(voided["TemplateParam"])["case_no"] == owing.case_no
    assert {r["body"]["OutId"] for r in gateway.received} == {m["id"] for m in outbox(engine)}
    assert all(r["auth"] == "Bearer s3cret" for r in gateway.received)
    assert [m["status"] for m in outbox(engine)] == ["sent"] * 3


def test_an_outage_loses_nothing_and_sends_once_after(window, engine, gateway):
    gw = sms.Gateway(config(gateway.url, attempts=2))
    decided(window, engine, Decision.APPROVE)
    gateway.down = True
    t0 = at(date(2026, 11, 30))
    first = sms.deliver(engine, gw, t0)
    assert (first.sent, first.waiting) == (0, 1) and gateway.refused == 2  # retried, then waits
    [row] = outbox(engine)
    assert row["status"] == "pending" and row["attempts"] == 1 and "503" in row["last_error"]
    assert sms.deliver(engine, gw, t0 + timedelta(seconds=30)).waiting == 0  # backing off
    assert gateway.refused == 2
    second = sms.deliver(engine, gw, t0 + timedelta(minutes=2))
    assert second.waiting == 1 and gateway.refused == 4  # still down: still kept
    gateway.down = False
    assert sms.deliver(engine, gw, t0 + timedelta(minutes=10)).sent == 1
    assert sms.deliver(engine, gw, t0 + timedelta(hours=3)).sent == 0
    assert gateway.kinds() == ["result_ready"]


def test_a_gateway_that_is_not_listening_at_all_keeps_the_message(window, engine):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    gw = sms.Gateway(config(f"http://127.0.0.1:{port}/send", attempts=1))
    decided(window, engine, Decision.READY)
    assert sms.deliver(engine, gw, at(date(2026, 11, 30))).waiting == 1
    assert outbox(engine)[0]["status"] == "pending"


def test_opt_out_at_the_window_holds_even_after_the_event(window, engine, gateway):
    gw = sms.Gateway(config(gateway.url))
    case = decided(window, engine, Decision.READY)
    shown = messages.record_choice(window, case.case_no, clerk_id="c1", opt_out=True,
                                   now=NOW + timedelta(hours=1))
    assert shown == "139****5678"
    entry = window.audit_entries(case.case_no)[0]
    assert entry.action == "case.sms_opt_out" and MOBILE not in json.dumps(entry.detail)
    sync(window)
    assert sms.deliver(engine, gw, at(date(2026, 11, 30))).skipped == 1
    assert gateway.received == [] and outbox(engine)[0]["status"] == "opted_out"


def test_no_mobile_phone_no_message(window, engine, gateway):
    gw = sms.Gateway(config(gateway.url))
    landline = replace(ENTERPRISE, id_number="91370600MA3C000002", phone="05356000001")
    window.save_applicant(landline, "c1", at=NOW)
    window.save_elicences([ELicence(landline.id_number, "BL", "营业执照", "BL-002")])
    case = intake.close_intake(window, draft_for(window, received=("form", "lease", "plan"),
                                                 applicant=landline),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    with pytest.raises(ServiceError, match="不是手机号码"):
        messages.record_choice(window, case, clerk_id="c1", opt_out=False, now=NOW)
    sync(window)
    with engine.begin() as conn:
        service.decide(conn, case.case_no, Decision.READY, actor="审批科", now=at(NOW.date()))
    assert sms.deliver(engine, gw, at(date(2026, 11, 30))).skipped == 1
    assert gateway.received == [] and outbox(engine)[0]["status"] == "no_phone"


def test_daily_cap_per_phone_waits_for_the_next_morning(window, engine, gateway):
    gw = sms.Gateway(config(gateway.url, daily_cap=1))
    cases = [accepted(window) for _ in range(2)]
    sync(window)
    with engine.begin() as conn:
        for c in cases:
            service.decide(conn, c.case_no, Decision.READY, actor="审批科", now=at(NOW.date()))
    day = at(date(2026, 11, 30), 9)
    r = sms.deliver(engine, gw, day)
    assert (r.sent, r.waiting) == (1, 1)
    assert sms.deliver(engine, gw, day + timedelta(hours=8)).sent == 0  # same day: capped
    assert sms.deliver(engine, gw, at(date(2026, 12, 1), 8)).sent == 1  # next morning
    assert len(gateway.received) == 2


def test_a_refusing_gateway_fails_the_message_for_good(window, engine):
    class Refusing(sms.Gateway):
        def send(self, phone, msg, out_id):
            raise sms.GatewayError("短信网关拒绝（模板未审核）", transient=False)

    decided(window, engine, Decision.READY)
    gw = Refusing(config("http://127.0.0.1:9/"))
    assert sms.deliver(engine, gw, at(date(2026, 11, 30))).failed == 1
    assert sms.deliver(engine, gw, at(date(2026, 12, 30))).failed == 0
    assert outbox(engine)[0]["status"] == "failed"


def test_the_back_office_refuses_a_contact_for_a_case_it_does_not_hold(tmp_path):
    from clerk_console.backoffice.db import make_engine
    from clerk_console.domain.ids import new_id
    from clerk_console.sync.protocol import ItemStatus, PushItem, payload_hash

    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0101", region="370602", now=at(NOW.date()))
    with engine.begin() as conn:
        w, _token = service.enroll(conn, otc, now=at(NOW.date()))
    payload = {"id": "contact:YT0101-20261127-0099", "case_no": "YT0101-20261127-0099",
               "phone": MOBILE, "opt_out": False, "at": "2026-11-27T10:00:00"}
    bad_phone = {**payload, "phone": "370602199203154321"}
    for p, why in ((payload, "不存在"), (bad_phone, "11位")):
        with engine.begin() as conn:
            [r] = service.push(conn, w, [PushItem(id=new_id(), entity="contact",
                                                  entity_id=p["id"], op="save", payload=p,
                                                  payload_hash=payload_hash(p))],
                               now=at(NOW.date()))
        assert r.status is ItemStatus.REFUSED and why in r.message


# ---------------------------------------------------------------- pure rules and config


def test_no_full_id_number_in_any_parameter():
    assert scrub("申请人370602199203154321") == "申请人3706**********4321"  # masking.mask_id
    assert scrub("旧证370602920315432") != "旧证370602920315432"  # 15 digits too
    m = message(MessageKind.RESULT_READY, case_no="YT0101-20261127-0001",
                item=f"{PERSON.id_number}的证明")
    assert PERSON.id_number not in json.dumps(m.params, ensure_ascii=False)
    assert m.params["case_no"] == "YT0101-20261127-0001"  # case numbers stay whole
    assert len(scrub("长" * 100)) == 35


def test_reminder_due_two_working_days_before_across_a_weekend():
    cal = default_calendar({})
    deadline = date(2026, 12, 7)  # a Monday
    assert not remind_now(cal, date(2026, 12, 2), deadline)  # Wed: 3 working days left
    assert remind_now(cal, date(2026, 12, 3), deadline)  # Thu: Fri + Mon
    assert remind_now(cal, date(2026, 12, 7), deadline)  # missed days: still, until it passes
    assert not remind_now(cal, date(2026, 12, 8), deadline)


def test_config_is_checked(tmp_path):
    with pytest.raises(sms.SmsConfigError, match="voided"):
        sms.check_config({"url": "https://x", "sign_name": "s",
                          "templates": {"result_ready": "a", "deadline": "b"}})
    with pytest.raises(sms.SmsConfigError, match="url"):
        sms.check_config({"url": "ftp://x", "sign_name": "s", "templates": {"x": "1"}})
    with pytest.raises(sms.SmsConfigError, match="daily_cap"):
        config("https://x", daily_cap=0)
    with pytest.raises(sms.SmsConfigError, match="没有设置项"):
        config("https://x", signature="x")
    path = tmp_path / "sms.toml"
    path.write_text('url = "https://sms.example/send"\nsign_name = "烟台政务服务"\n'
                    '[templates]\nresult_ready = "1"\ndeadline = "2"\nvoided = "3"\n',
                    encoding="utf-8")
    assert sms.load_config(path).templates["voided"] == "3"


# ---------------------------------------------------------------- the command lines


def test_opt_out_and_send_from_the_command_lines(window, bo, engine, gateway, tmp_path,
                                                 monkeypatch, capsys):
    import io

    from clerk_console.backoffice.cli import main as backoffice
    from clerk_console.cli import main as console

    case = accepted(window)
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(window.path.parent))
    monkeypatch.setattr("sys.stdin", io.StringIO("111111\n"))
    assert console(["sms", case.case_no, "--opt-in", "--phone", "13700001111", "--as", "c1"]) == 0
    assert "137****1111" in capsys.readouterr().out
    sync(window)
    with engine.begin() as conn:
        # the command sends by the real clock, so the decision is made by it too
        service.decide(conn, case.case_no, Decision.READY, actor="审批科",
                       now=datetime.now(timezone.utc))
    conf = tmp_path / "sms.toml"
    conf.write_text(f'url = "{gateway.url}"\nsign_name = "烟台政务服务"\nretry_wait_seconds = 0.01\n'
                    '[templates]\nresult_ready = "T-READY"\ndeadline = "T-DEADLINE"\n'
                    'voided = "T-VOID"\n', encoding="utf-8")
    assert backoffice(["--db", bo.db_url, "sms-send", str(conf)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["sent"] == 1
    assert [r["body"]["PhoneNumbers"] for r in gateway.received] == ["13700001111"]
    conf.write_text("url = 1\n", encoding="utf-8")
    assert backoffice(["--db", bo.db_url, "sms-send", str(conf)]) == 1


def test_a_decision_recorded_by_another_path_is_found_once(window, engine, gateway):
    """The workbench's item decisions write ``bo_decision`` themselves (not through
    ``decide``): the round finds the ready result all the same, once; old ones are left."""
    from clerk_console.backoffice.tables import DecisionRecord

    gw = sms.Gateway(config(gateway.url))
    recent, old = accepted(window), accepted(window)
    sync(window)
    dec = DecisionRecord.__table__
    t0 = at(date(2026, 11, 30))
    with engine.begin() as conn:
        for case, when in ((recent, t0 - timedelta(hours=1)), (old, t0 - timedelta(days=5))):
            row = conn.execute(select(sms.CASE).where(sms.CASE.c.case_no == case.case_no)
                               ).mappings().first()
            conn.execute(dec.insert().values(case_id=row["id"], case_no=row["case_no"],
                                             window_id=row["window_id"], decision="approve",
                                             decided_at=when, decided_by="workbench"))
    assert sms.run_round(engine, gw, t0).sent == 1
    assert sms.run_round(engine, gw, t0 + timedelta(minutes=5)).sent == 0
    assert [json.loads(r["body"]["TemplateParam"])["case_no"] for r in gateway.received] == [
        recent.case_no]


# ---------------------------------------------------------------- the same on PostgreSQL

from support.postgres import enroll_window as _window  # noqa: E402


def test_followups_contacts_and_messages_on_postgresql(pg_url, gateway):
    from clerk_console.backoffice.db import make_engine
    from clerk_console.backoffice.tables import ServerContact, ServerFollowup
    from clerk_console.domain import followup as loop
    from clerk_console.domain.accounts import Clerk
    from clerk_console.domain.followup import FollowupRules
    from clerk_console.domain.ids import new_id
    from clerk_console.storage.replica.codecs import followup_to_dict
    from clerk_console.sync.protocol import ItemStatus, PushItem, payload_hash

    engine = make_engine(pg_url)
    window = _window(engine, "YT0101")
    now = at(date(2026, 11, 27))

    def push(entity, payload):
        with engine.begin() as conn:
            return service.push(conn, window, [PushItem(
                id=new_id(), entity=entity, entity_id=payload["id"], op="save", payload=payload,
                payload_hash=payload_hash(payload))], now=now)[0].status

    number = "YT0101-20261127-0001"
    case = {"id": "case-1", "case_no": number, "window_code": "YT0101", "version": 1,
            "status": "deferred", "items": ["SCJG-001"], "deadline": "2026-12-03"}
    contact = {"id": f"contact:{number}", "case_no": number, "phone": MOBILE, "opt_out": False,
               "at": "2026-11-27T10:00:00"}
    rating_ = {"id": "r-1", "case_no": number, "level": 4, "comment": "慢", "clerk_id": "c1",
               "at": "2026-11-27T10:00:00"}
    cal = default_calendar({})
    rules = FollowupRules(1, 3, 1, 3)
    f = loop.open_followup("f-1", number, "c1", datetime(2026, 11, 27, 10), cal, rules)
    moved = loop.verify(f, founded=True, note="属实", actor=Clerk("boss", "刘主任", "supervisor"),
                        at=datetime(2026, 11, 27, 11), cal=cal, rules=rules)
    for entity, p in (("case", case), ("contact", contact), ("contact", contact),
                      ("rating", rating_), ("followup", followup_to_dict(moved)),
                      ("followup", followup_to_dict(f))):
        assert push(entity, p) is ItemStatus.ACCEPTED, entity
    with reading(engine) as conn:
        assert conn.execute(select(ServerFollowup.__table__.c.version)).scalars().all() == [1]
        assert conn.execute(select(ServerContact.__table__.c.phone)).scalars().all() == [MOBILE]
    gw = sms.Gateway(config(gateway.url))
    assert sms.run_round(engine, gw, at(date(2026, 12, 1))).sent == 1  # the reminder
    assert push("case", {**case, "version": 2, "status": "voided"}) is ItemStatus.ACCEPTED
    assert sms.run_round(engine, gw, at(date(2026, 12, 7))).sent == 1
    assert sms.run_round(engine, gw, at(date(2026, 12, 7), 12)).sent == 0
    ready = {**case, "id": "case-2", "case_no": "YT0101-20261127-0002", "status": "accepted"}
    assert push("case", ready) is ItemStatus.ACCEPTED
    assert push("contact", {**contact, "id": "contact:YT0101-20261127-0002",
                            "case_no": "YT0101-20261127-0002"}) is ItemStatus.ACCEPTED
    with engine.begin() as conn:
        service.decide(conn, ready["case_no"], Decision.READY, actor="审批科",
                       now=at(date(2026, 12, 8)))
    assert sms.run_round(engine, gw, at(date(2026, 12, 8), 10)).sent == 1
    assert gateway.kinds() == ["deadline", "voided", "result_ready"]
