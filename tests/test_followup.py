"""The 差评 loop: 核实 -> 整改 -> 反馈, 申诉复核, deadlines per step in working days per hall,
every step audited and synced, on the SQLite replica and on the in-memory fake."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from clerk_console.config import Settings, SettingsError, data_root
from clerk_console.domain import followup as loop
from clerk_console.domain.accounts import Clerk
from clerk_console.domain.calendar import default_calendar
from clerk_console.domain.errors import RuleError
from clerk_console.domain.followup import FollowupRules, Step
from clerk_console.domain.case import Outcome
from clerk_console.domain.parties import ELicence
from clerk_console.services import ServiceError, followup, intake, rating
from clerk_console.datafiles.followup import FollowupFileError, load_followup_rules

from conftest import NOW
from support.services import draft_for, memory_replica

CAL = default_calendar({})
RULES = FollowupRules(verify_days=1, fix_days=3, answer_days=1, appeal_days=3)
CLERK = Clerk("c1", "张敏", "clerk")
BOSS = Clerk("boss", "刘主任", "supervisor")
OTHER_BOSS = Clerk("boss2", "王科长", "supervisor")
FRIDAY = datetime(2026, 11, 27, 9, 30)


def opened():
    return loop.open_followup("f1", "YT0101-20261127-0001", "c1", FRIDAY, CAL, RULES)


# ---------------------------------------------------------------- domain

def test_each_step_has_its_own_deadline_counted_from_its_start():
    f = opened()
    assert (f.step, f.due) == (Step.VERIFY, date(2026, 11, 30))  # Fri + 1 working day = Mon
    f = loop.verify(f, founded=True, note="电话回访，排队叫号失误属实", actor=BOSS,
                    at=datetime(2026, 11, 30, 10), cal=CAL, rules=RULES)
    assert (f.step, f.due) == (Step.FIX, date(2026, 12, 3))  # Mon + 3
    f = loop.fix(f, note="调整叫号规则，增开午间窗口", actor=CLERK,
                 at=datetime(2026, 12, 2, 15), cal=CAL, rules=RULES)
    assert (f.step, f.due) == (Step.ANSWER, date(2026, 12, 3))  # Wed + 1
    f = loop.answer(f, channel="电话", note="已致电告知整改情况，申请人表示认可", actor=CLERK,
                    at=datetime(2026, 12, 3, 9), cal=CAL, rules=RULES)
    assert f.status == "closed" and f.step is Step.CLOSED and f.outcome == "answered"
    assert f.answer.startswith("已致电") and f.version == 3
    assert [(r.step, r.result, r.late) for r in f.history] == [
        (Step.VERIFY, "founded", False), (Step.FIX, "fixed", False),
        (Step.ANSWER, "answered", False)]
    assert f.history[-1].channel == "电话"


def test_deadlines_skip_holidays_and_late_steps_are_marked():
    # rated on the eve of National Day 2026: 核实 due after the holiday week
    f = loop.open_followup("f1", "X", "c1", datetime(2026, 9, 30, 16), CAL, RULES)
    assert f.due == date(2026, 10, 8)  # 10-01..10-07 off: 10-08 is the first working day
    late = loop.verify(f, founded=False, note="系政策规定，非服务原因", actor=BOSS,
                       at=datetime(2026, 10, 12, 9), cal=CAL, rules=RULES)
    assert late.history[-1].late and late.step is Step.ANSWER  # unfounded: explain, then answer


def test_verify_needs_a_supervisor_other_than_the_rated_clerk():
    f = opened()
    with pytest.raises(RuleError, match="负责人"):
        loop.verify(f, founded=True, note="属实", actor=CLERK, at=FRIDAY, cal=CAL, rules=RULES)
    rated_boss = replace(f, rated_clerk="boss")
    with pytest.raises(RuleError, match="本人"):
        loop.verify(rated_boss, founded=True, note="属实", actor=BOSS, at=FRIDAY, cal=CAL,
                    rules=RULES)
    with pytest.raises(RuleError, match="核实情况"):
        loop.verify(f, founded=True, note="  ", actor=BOSS, at=FRIDAY, cal=CAL, rules=RULES)


def test_steps_only_in_order():
    f = opened()
    with pytest.raises(RuleError, match="当前为“核实”"):
        loop.fix(f, note="x", actor=CLERK, at=FRIDAY, cal=CAL, rules=RULES)
    with pytest.raises(RuleError, match="当前为“核实”"):
        loop.answer(f, channel="电话", note="x", actor=CLERK, at=FRIDAY, cal=CAL, rules=RULES)
    f = loop.verify(f, founded=False, note="非服务原因", actor=BOSS, at=FRIDAY, cal=CAL,
                    rules=RULES)
    with pytest.raises(RuleError, match="反馈方式"):
        loop.answer(f, channel="微信", note="x", actor=CLERK, at=FRIDAY, cal=CAL, rules=RULES)
    with pytest.raises(RuleError, match="当前为“反馈”"):
        loop.appeal(f, kind="malicious", grounds="x", actor=CLERK, at=FRIDAY, cal=CAL,
                    rules=RULES)


def test_appeal_upheld_excludes_the_rating():
    f = loop.appeal(opened(), kind="malicious", grounds="申请人因未获批准报复性差评，有录像",
                    actor=CLERK, at=FRIDAY, cal=CAL, rules=RULES)
    assert (f.step, f.due, f.resume) == (Step.APPEAL, date(2026, 12, 2), Step.VERIFY)
    with pytest.raises(RuleError, match="负责人"):
        loop.decide_appeal(f, upheld=True, reason="x", actor=CLERK, at=FRIDAY, cal=CAL,
                           rules=RULES)
    with pytest.raises(RuleError, match="复核理由"):
        loop.decide_appeal(f, upheld=True, reason="", actor=BOSS, at=FRIDAY, cal=CAL,
                           rules=RULES)
    done = loop.decide_appeal(f, upheld=True, reason="调阅录像，服务规范，属恶意差评",
                              actor=BOSS, at=datetime(2026, 12, 1, 9), cal=CAL, rules=RULES)
    assert done.status == "closed" and done.excluded and done.resume is None
    assert [r.result for r in done.history] == ["appealed", "upheld"]
    assert done.history[0].channel == "malicious"


def test_appeal_rejected_returns_to_its_step_with_fresh_time():
    f = loop.verify(opened(), founded=True, note="属实", actor=BOSS, at=FRIDAY, cal=CAL,
                    rules=RULES)
    f = loop.appeal(f, kind="mistaken", grounds="申请人评错了窗口", actor=CLERK,
                    at=datetime(2026, 11, 30, 9), cal=CAL, rules=RULES)
    back = loop.decide_appeal(f, upheld=False, reason="评价对象无误", actor=OTHER_BOSS,
                              at=datetime(2026, 12, 2, 9), cal=CAL, rules=RULES)
    assert (back.step, back.due, back.excluded) == (Step.FIX, date(2026, 12, 7), False)


def test_overdue_lists_open_steps_past_their_deadline():
    f = opened()  # due Monday 11-30
    assert loop.overdue([f], date(2026, 11, 30)) == []
    assert loop.overdue([f], date(2026, 12, 1)) == [f]
    closed = replace(f, status="closed")
    assert loop.overdue([closed], date(2026, 12, 31)) == []


def test_rules_checked():
    with pytest.raises(RuleError, match="1-30"):
        loop.check_rules(replace(RULES, fix_days=0))


# ---------------------------------------------------------------- data file and settings

def test_province_rule_file_is_cited_and_sums_to_five_days():
    rules = load_followup_rules(data_root() / "followup")
    assert "鲁政办发〔2020〕10号" in rules.source
    assert rules.verify_days + rules.fix_days + rules.answer_days == 5


def test_bad_rule_file_refused(tmp_path):
    (tmp_path / "rules.toml").write_text("verify_days = 1\nfix_days = 3\n", encoding="utf-8")
    with pytest.raises(FollowupFileError, match="缺少 answer_days"):
        load_followup_rules(tmp_path)
    (tmp_path / "rules.toml").write_text("verify_days = 1\nfix_days = 99\nanswer_days = 1\n"
                                         "appeal_days = 1\n", encoding="utf-8")
    with pytest.raises(FollowupFileError, match="1-30"):
        load_followup_rules(tmp_path)


def test_hall_settings_override_the_province(tmp_path):
    rep = memory_replica()
    assert followup.rules_of(rep, Settings()).fix_days == 3
    local = followup.rules_of(rep, Settings(followup_fix_days=10))
    assert (local.verify_days, local.fix_days) == (1, 10) and "settings.toml" in local.source


def test_old_followup_key_is_refused_naming_the_new_ones(tmp_path):
    (tmp_path / "settings.toml").write_text("bad_rating_followup_days = 5\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="followup_fix_days"):
        Settings.load(tmp_path)


# ---------------------------------------------------------------- services, both stores

@pytest.fixture(params=["sqlite", "memory"])
def rep(request):
    return request.getfixturevalue("replica") if request.param == "sqlite" else memory_replica()


def bad_rating(rep):
    from conftest import ENTERPRISE

    rep.save_applicant(ENTERPRISE, "c1", at=NOW)
    rep.save_elicences([ELicence(ENTERPRISE.id_number, "BL", "营业执照", "BL-001")])
    case = intake.close_intake(rep, draft_for(rep, received=("form", "lease", "plan")),
                               Outcome.ACCEPTED, clerk_id="c1", now=NOW)
    return rating.rate(rep, case, 5, clerk_id="c1", now=NOW, reason="态度生硬")[1]


def events(rep, entity):
    return [e for e in rep.outbox_pending(10_000) if e.entity == entity]


def test_loop_to_answer_audited_and_synced(rep):
    f = bad_rating(rep)
    assert len(events(rep, "followup")) == 1
    with pytest.raises(ServiceError, match="负责人"):
        followup.verify(rep, f.id, supervisor_id="c1", founded=True, note="属实", now=NOW)
    day = NOW + timedelta(hours=2)
    f = followup.verify(rep, f.id, supervisor_id="boss", founded=True,
                        note="回访申请人，服务态度问题属实", now=day)
    f = followup.fix(rep, f.id, clerk_id="c1", note="窗口人员文明用语培训", now=day)
    f = followup.answer(rep, f.id, clerk_id="c1", channel="电话", note="已告知整改情况",
                        now=day)
    stored = rep.get_followup(f.id)
    assert stored == f and stored.status == "closed" and rep.followups() == []
    assert len(events(rep, "followup")) == 4
    actions = [e.action for e in rep.audit_entries(f.case_no)]
    assert actions[:3] == ["followup.answer", "followup.fix", "followup.verify"]
    with pytest.raises(ServiceError, match="当前为“办结”"):
        followup.fix(rep, f.id, clerk_id="c1", note="x", now=day)


def test_stale_copy_refused(rep):
    f = bad_rating(rep)
    followup.appeal(rep, f.id, clerk_id="c1", kind="mistaken", grounds="评错窗口", now=NOW)
    moved = loop.verify(f, founded=True, note="属实", actor=BOSS, at=NOW, cal=CAL, rules=RULES)
    with pytest.raises(Exception, match="已被他人办理"):
        rep.save_followup(moved)


def test_appeal_decided_by_a_supervisor_and_overdue_listed(rep):
    f = bad_rating(rep)
    f = followup.appeal(rep, f.id, clerk_id="c1", kind="malicious", grounds="有录像为证",
                        now=NOW)
    assert followup.overdue(rep, date(2026, 12, 2)) == []
    assert followup.overdue(rep, date(2026, 12, 3)) == [f]  # 3 working days from Friday
    done = followup.decide_appeal(rep, f.id, supervisor_id="boss", upheld=True,
                                  reason="录像显示服务规范", now=NOW + timedelta(days=3))
    assert done.excluded and followup.overdue(rep, date(2026, 12, 31)) == []
    entry = rep.audit_entries(f.case_no)[0]
    assert entry.action == "followup.decide_appeal"


def test_followups_of_older_consoles_migrate(tmp_path):
    """0002-era follow-ups: open ones start at 核实 with the rated clerk, closed ones stay
    closed with their answer."""
    from clerk_console.storage import migrations
    from clerk_console.storage.db import connect
    from clerk_console.storage.replica import Replica

    path = tmp_path / "replica.sqlite3"
    migrations.upgrade(path, target="0002")
    with connect(path) as conn:
        conn.execute("INSERT INTO rating VALUES ('r1', 'YT0101-20261127-0001', 4, '慢', 'c7', "
                     "'2026-11-27 09:40:00.000000')")
        conn.executemany("INSERT INTO followup VALUES (?, ?, ?, 0, ?, '2026-11-27 09:40:00.000000',"
                         " ?, ?)",
                         [("f1", "YT0101-20261127-0001", "2026-12-04", "open", None, ""),
                          ("f2", "YT0101-20261126-0001", "2026-12-03", "closed",
                           "2026-11-28 10:00:00.000000", "已回访致歉")])
    conn.close()
    with Replica.open(path) as rep:
        old_open, old_closed = rep.get_followup("f1"), rep.get_followup("f2")
    assert (old_open.step, old_open.rated_clerk, old_open.history) == (Step.VERIFY, "c7", ())
    assert (old_closed.step, old_closed.outcome, old_closed.answer) == (
        Step.CLOSED, "answered", "已回访致歉")


# ---------------------------------------------------------------- synced to the back office

def test_each_step_reaches_the_back_office(replica, bo, engine):
    from sqlalchemy import select

    from clerk_console.backoffice.db import reading
    from clerk_console.backoffice.tables import ServerFollowup
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.sync.runner import client_for, sync_once

    enroll_replica(engine, replica, bo.url, region="370602")
    f = bad_rating(replica)
    f = followup.verify(replica, f.id, supervisor_id="boss", founded=True, note="属实", now=NOW)
    with client_for(replica) as client:
        first = sync_once(replica, client)
    assert not first.refused
    f = followup.fix(replica, f.id, clerk_id="c1", note="增开窗口", now=NOW)
    f = followup.answer(replica, f.id, clerk_id="c1", channel="短信", note="已告知", now=NOW)
    with client_for(replica) as client:
        second = sync_once(replica, client)
    assert not second.refused and replica.outbox_counts().get("pending", 0) == 0
    t = ServerFollowup.__table__
    with reading(engine) as conn:
        rows = conn.execute(select(t.c.id, t.c.step, t.c.status, t.c.version)).all()
    assert rows == [(f.id, "closed", "closed", 3)]


def test_back_office_lists_open_followups_overdue_first(replica, bo, engine, capsys):
    from clerk_console.backoffice import service
    from clerk_console.backoffice.cli import main as backoffice
    from clerk_console.backoffice.db import reading
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.sync.runner import client_for, sync_once

    enroll_replica(engine, replica, bo.url, region="370602")
    late = bad_rating(replica)  # 核实 due Monday 11-30
    fresh = bad_rating(replica)
    fresh = followup.verify(replica, fresh.id, supervisor_id="boss", founded=True, note="属实",
                            now=datetime(2026, 11, 30, 9))  # 整改 due 12-03
    with client_for(replica) as client:
        assert not sync_once(replica, client).refused
    with reading(engine) as conn:
        rows = service.open_followups(conn, date(2026, 12, 2), CAL)
    assert [(r["case_no"], r["step_label"], r["overdue"], r["late_workdays"]) for r in rows] == [
        (late.case_no, "核实", True, 2), (fresh.case_no, "整改", False, 0)]
    assert backoffice(["--db", bo.db_url, "followups"]) == 0
    out = capsys.readouterr().out
    assert late.case_no in out and fresh.case_no in out and "未办结差评回访2件" in out


def test_back_office_refuses_forged_followups(tmp_path):
    from clerk_console.backoffice import service
    from clerk_console.backoffice.db import make_engine
    from clerk_console.domain.ids import new_id
    from clerk_console.storage.replica.codecs import followup_to_dict
    from clerk_console.sync.protocol import ItemStatus, PushItem, payload_hash

    bo_now = NOW.replace(tzinfo=timezone.utc)
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0101", region="370602", now=bo_now)
    with engine.begin() as conn:
        window, _token = service.enroll(conn, otc, now=bo_now)

    def push(entity, payload):
        with engine.begin() as conn:
            return service.push(conn, window, [PushItem(
                id=new_id(), entity=entity, entity_id=payload["id"], op="save", payload=payload,
                payload_hash=payload_hash(payload))], now=bo_now)[0]

    number = "YT0101-20261127-0001"
    case = {"id": "case-1", "case_no": number, "window_code": "YT0101", "version": 1,
            "status": "accepted", "items": ["SCJG-001"]}
    assert push("case", case).status is ItemStatus.ACCEPTED
    f = loop.open_followup("f-1", number, "c1", FRIDAY, CAL, RULES)
    no_bad = push("followup", followup_to_dict(f))
    assert no_bad.status is ItemStatus.REFUSED and "没有差评" in no_bad.message
    rating = {"id": "r-1", "case_no": number, "level": 5, "comment": "慢", "clerk_id": "c1",
              "at": "2026-11-27T10:00:00"}
    assert push("rating", rating).status is ItemStatus.ACCEPTED
    assert push("followup", followup_to_dict(f)).status is ItemStatus.ACCEPTED
    moved = loop.verify(f, founded=True, note="属实", actor=BOSS, at=FRIDAY, cal=CAL,
                        rules=RULES)
    lying = {**followup_to_dict(moved), "history": []}  # version 1 without its step
    assert push("followup", lying).status is ItemStatus.REFUSED
    other = {**followup_to_dict(moved), "case_no": "YT0102-20261127-0001"}
    assert "不是本窗口" in push("followup", other).message
    huge = {**followup_to_dict(moved), "version": 10**6}
    assert push("followup", huge).status is ItemStatus.REFUSED
    # a step arriving after a later one (another event id) never undoes it
    assert push("followup", followup_to_dict(moved)).status is ItemStatus.ACCEPTED
    assert push("followup", {**followup_to_dict(f), "answer": ""}).status is ItemStatus.ACCEPTED
    from sqlalchemy import select

    from clerk_console.backoffice.tables import ServerFollowup

    t = ServerFollowup.__table__
    with engine.connect() as conn:
        assert conn.execute(select(t.c.step, t.c.version)).all() == [("fix", 1)]


# ---------------------------------------------------------------- day view and handover

def test_overdue_steps_in_the_day_view_and_the_handover_report(replica, tmp_path):
    from clerk_console.printing import text as plain
    from clerk_console.printing.notices import handover_document
    from clerk_console.services import stats
    from clerk_console.ui.screens.day import day_text

    f = bad_rating(replica)  # 核实 due Monday 11-30
    on_time = stats.stats(replica, date(2026, 11, 30))
    assert on_time.overdue_followups == () and ("逾期差评回访", "0") in on_time.lines
    later = stats.stats(replica, date(2026, 12, 2))
    assert later.overdue_followups == ((f, 2),)
    assert f"{f.case_no} 核实 期限2026-11-30 已逾期2个工作日" in day_text(later)
    doc = handover_document(replica, date(2026, 12, 2), settings=Settings(), home=tmp_path,
                            now=datetime(2026, 12, 2, 17, 30), clerk_name="张敏")
    report = plain.render(doc)
    assert "逾期差评回访" in report and f.case_no in report and "2个工作日" in report


def test_a_rating_excluded_on_appeal_is_not_counted(rep):
    from clerk_console.services import stats

    f = bad_rating(rep)
    assert stats.stats(rep, NOW.date()).satisfaction_rate == 0.0
    followup.appeal(rep, f.id, clerk_id="c1", kind="malicious", grounds="有录像", now=NOW)
    followup.decide_appeal(rep, f.id, supervisor_id="boss", upheld=True, reason="属恶意差评",
                           now=NOW)
    day = stats.stats(rep, NOW.date())
    assert day.ratings == 0 and day.satisfaction_rate is None


# ---------------------------------------------------------------- the CLI

def test_cli_runs_the_loop_signed_by_each_clerk(replica, tmp_path, monkeypatch, capsys):
    import io
    import json

    from clerk_console.cli import main

    f = bad_rating(replica)
    monkeypatch.setenv("CLERK_CONSOLE_HOME", str(tmp_path))

    def cli(*argv, pin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
        return main(["followup", *argv])

    assert cli("list", "--json") == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (row["id"], row["step_label"]) == (f.id, "核实")
    assert cli("verify", f.id, "--founded", "属实", "--as", "c1", pin="111111") == 1
    assert "负责人" in capsys.readouterr().err
    assert cli("verify", f.id, "--founded", "属实", "--as", "boss", pin="000000") == 1
    assert cli("verify", f.id, "--founded", "回访属实", "--as", "boss", pin="654321") == 0
    assert "下一步：整改" in capsys.readouterr().out
    assert cli("fix", f.id, "增开窗口", "--as", "c1", pin="111111") == 0
    assert cli("answer", f.id, "--channel", "电话", "已告知", "--as", "c1", pin="111111") == 0
    assert "已办结" in capsys.readouterr().out
    assert cli("list") == 0 and "没有待办" in capsys.readouterr().out
    entries = [e.action for e in replica.audit_entries(f.case_no)]
    assert entries[:3] == ["followup.answer", "followup.fix", "followup.verify"]
