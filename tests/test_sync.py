"""Console <-> back office over real HTTP on loopback: enrollment, push, pull, decisions back
to the window, staged full downloads that resume, clock offset, the background worker."""
from __future__ import annotations

import json
import time
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from support.wait import wait_for
from clerk_console import cli as console_cli
from clerk_console.backoffice import service
from clerk_console.backoffice.db import reading
from clerk_console.domain.case import Decision, Status
from clerk_console.storage.replica import Replica
from clerk_console.sync import apply
from clerk_console.sync.client import SyncClient, SyncOffline, SyncRefused
from clerk_console.sync.token_store import window_token
from clerk_console.sync.protocol import Dataset, Page
from clerk_console.sync.runner import client_for, sync_once
from support.synthetic import add_cases
from clerk_console.sync.worker import SyncWorker

DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)


@pytest.fixture()
def replica(enrolled_replica):
    return enrolled_replica


def round_(replica, **kw):
    with client_for(replica) as client:
        return sync_once(replica, client, **kw)


def test_enroll_command_then_sync_once_json(tmp_path, bo, engine, capsys):
    # The back office checks the code's expiry on its own (real) clock: issue it on that clock.
    home = tmp_path / "cli-window"
    with engine.begin() as conn:
        code = service.issue_enrollment_code(conn, "YT0303", region="370602",
                                             now=datetime.now(timezone.utc))
    assert console_cli.main(["--data-dir", str(home), "enroll", bo.url, code]) == 0
    assert "YT0303" in capsys.readouterr().out
    # the same window may ask again (its answer may have been lost); any other may not
    assert console_cli.main(["--data-dir", str(home), "enroll", bo.url, code]) == 0
    capsys.readouterr()
    other = tmp_path / "another-window"
    assert console_cli.main(["--data-dir", str(other), "enroll", bo.url, code]) == 1
    assert "注册码无效或已使用" in capsys.readouterr().err
    with Replica.open(home / "replica.sqlite3") as r:
        assert r.window().code == "YT0303"
        add_cases(r, 3, window_code="YT0303", day=DAY)
    assert console_cli.main(["--data-dir", str(home), "sync", "--once", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pushed"] == 3 and report["queued"] == 0 and report["online"]
    with reading(engine) as conn:
        assert service.count_cases(conn) == 3
    assert console_cli.main(["--data-dir", str(home), "sync", "--once"]) == 0
    assert capsys.readouterr().out.startswith("同步完成：上传0条")


def test_enroll_refuses_a_bad_url(tmp_path, capsys):
    assert console_cli.main(["--data-dir", str(tmp_path), "enroll", "backoffice:8700", "X"]) == 2
    assert "https://" in capsys.readouterr().err


def test_decision_comes_back_and_the_decided_case_goes_up_again(replica, engine):
    cases = add_cases(replica, 2, window_code="YT0101", day=DAY)
    assert round_(replica).pushed == 2
    with engine.begin() as conn:
        service.decide(conn, cases[0].case_no, Decision.APPROVE, actor="审批员", now=NOW)
    report = round_(replica)
    assert report.pulled.get("decisions") == 1 and report.pushed == 1
    local = replica.get_case(cases[0].case_no)
    assert local.status is Status.DECIDED and local.decision is Decision.APPROVE
    with reading(engine) as conn:
        rows = {r["case_no"]: r for r in service.list_cases(conn)}
    assert rows[cases[0].case_no]["status"] == "decided"
    assert rows[cases[0].case_no]["decision"] == "approve"
    assert rows[cases[1].case_no]["status"] == "accepted"
    # pulling the same decision again (cursor reset) changes nothing
    apply.restart(replica, Dataset.DECISIONS)
    assert round_(replica).pushed == 0


def test_nothing_new_costs_one_small_request(replica):
    round_(replica)
    report = round_(replica)
    assert report.requests == 1
    assert report.bytes_sent + report.bytes_received <= 2048


def test_first_download_is_staged_and_resumes_after_interruption(replica, engine):
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, {
            ("370602", f"H{i}|yyzz|N{i}"): {"holder_id": f"H{i}", "type_code": "yyzz",
                                             "name": "营业执照", "number": f"N{i}",
                                             "issued": "2024-01-02", "expires": ""}
            for i in range(50)})
        service.put_records(conn, Dataset.ELICENCE, {("370211", "other|yyzz|1"): {
            "holder_id": "other", "type_code": "yyzz", "name": "营业执照", "number": "1"}})

    class Flaky(SyncClient):
        pulls = 0

        def pull(self, *args):
            Flaky.pulls += 1
            if Flaky.pulls == 3:
                raise SyncOffline("网络中断（测试）")
            return super().pull(*args)

    limits = {Dataset.ELICENCE: 10}
    with Flaky(replica.get_kv("sync_url"), window_token(replica)) as client:
        report = sync_once(replica, client, limits=limits)
    assert not report.online and "网络中断" in report.error
    with replica.tx.read() as s:
        live = s.execute(text("SELECT count(*) FROM elicence")).scalar()
        staged = s.execute(text("SELECT count(*) FROM sync_stage")).scalar()
    assert live == 0 and staged == 20  # two pages staged, nothing half-applied
    cursors, staging = apply.positions(replica)
    assert Dataset.ELICENCE in staging and cursors[Dataset.ELICENCE] > 0
    assert round_(replica, limits=limits).online
    assert len(replica.elicences("H7")) == 1 and replica.elicences("other") == []
    assert replica.elicences("H7")[0].issued == date(2024, 1, 2)
    with replica.tx.read() as s:
        assert s.execute(text("SELECT count(*) FROM elicence")).scalar() == 50
        assert s.execute(text("SELECT count(*) FROM sync_stage")).scalar() == 0
    assert Dataset.ELICENCE not in apply.positions(replica)[1]
    # later changes arrive incrementally, deletions as tombstones
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, {
            ("370602", f"H{i}|yyzz|N{i}"): {"holder_id": f"H{i}", "type_code": "yyzz",
                                             "name": "营业执照", "number": f"N{i}"}
            for i in range(1, 50)}, replace_scopes=["370602"])
    report = round_(replica)
    assert report.deleted == {"elicence": 1} and replica.elicences("H0") == []


def _lic(key: str, number: str) -> tuple[str, str]:
    return key, json.dumps({"holder_id": key.split("|")[0], "type_code": "yyzz",
                            "name": "营业执照", "number": number, "issued": "2024-01-02",
                            "expires": ""})


def test_staged_download_keeps_the_newest_of_each_key(replica):
    """Keys changed or deleted while a whole download is staged: the newest entry wins, a
    tombstone removes an earlier row and a later row brings the key back."""
    pages = [
        Page(rows=[_lic("A|yyzz|1", "1"), _lic("B|yyzz|2", "2"), _lic("C|yyzz|3", "3")],
             cursor=3, more=True),
        Page(rows=[_lic("A|yyzz|1", "1-new")], tombstones=["B|yyzz|2", "C|yyzz|3"], cursor=6,
             more=True),
        Page(rows=[_lic("B|yyzz|2", "2-back")], tombstones=["D|yyzz|4"], cursor=8),
    ]
    for page in pages:
        apply.apply(replica, Dataset.ELICENCE, page, staging=True)
    assert [lic.number for h in "ABC" for lic in replica.elicences(h)] == ["1-new", "2-back"]
    assert replica.cursor("elicence") == 8 and Dataset.ELICENCE not in apply.positions(replica)[1]
    # the same through the Python swap of the small datasets
    entry = {"name": "某", "reason": "失信"}
    apply.apply(replica, Dataset.BLACKLIST, Page(rows=[
        (k, json.dumps({"subject_id": k, **entry})) for k in "XYZ"], cursor=3, more=True),
        staging=True)
    apply.apply(replica, Dataset.BLACKLIST, Page(tombstones=["Y"], cursor=4), staging=True)
    with replica.tx.read() as s:
        assert [r[0] for r in s.execute(text("SELECT subject_id FROM blacklist"))] == ["X", "Z"]
        assert s.execute(text("SELECT count(*) FROM sync_stage")).scalar() == 0


def test_reset_after_compaction_replaces_the_local_copy(replica, engine):
    with engine.begin() as conn:
        service.put_records(conn, Dataset.BLACKLIST, {
            ("", s): {"subject_id": s, "name": "某", "reason": "失信"} for s in ("A", "B")})
    round_(replica)
    with engine.begin() as conn:
        service.put_records(conn, Dataset.BLACKLIST, {
            ("", "B"): {"subject_id": "B", "name": "某", "reason": "失信"}}, replace_scopes=[""])
        service.put_records(conn, Dataset.CALENDAR, {})  # no-op
        service.compact(conn, Dataset.BLACKLIST, keep=0)
    report = round_(replica)
    assert report.resets == ["blacklist"]
    with replica.tx.read() as s:
        assert [r[0] for r in s.execute(text("SELECT subject_id FROM blacklist"))] == ["B"]


def test_revoked_window_gets_a_clear_message_and_keeps_its_queue(replica, engine):
    add_cases(replica, 1, window_code="YT0101", day=DAY)
    with engine.begin() as conn:
        service.revoke(conn, "YT0101", now=NOW)
    report = round_(replica)
    assert "重新注册" in report.error or "停用" in report.error
    assert report.queued == 1


def test_clock_hours_off_is_measured_and_warned(replica):
    skew = -3 * 3600  # the window's clock is three hours behind (days: test_security_clock)
    with SyncClient(replica.get_kv("sync_url"), window_token(replica),
                    clock=lambda: time.time() + skew) as client:
        report = sync_once(replica, client)
    assert abs(report.clock_offset - 3 * 3600) < 60
    assert "慢3.0小时" in report.clock_warning
    assert abs(replica.clock_offset - 3 * 3600) < 60


def test_shipped_catalogue_reaches_the_window(replica):
    from clerk_console.config import data_root
    from clerk_console.datafiles.catalogue import load_catalogue

    if not (data_root() / "catalogue").is_dir():
        pytest.skip("no data/catalogue in this checkout")
    round_(replica)
    assert replica.catalogue().version == load_catalogue(data_root() / "catalogue").version


def test_worker_syncs_in_the_background(tmp_path, replica):
    worker = SyncWorker(tmp_path, replica.path, interval=0.2).start()
    try:
        add_cases(replica, 2, window_code="YT0101", day=DAY)
        worker.nudge()
        wait_for(lambda: (st := worker.status()).online and st.queued == 0
                 and worker.rounds >= 1 and st.last_sync, "a round synced", seconds=30)
        st = worker.status()
        assert st.online and st.queued == 0 and st.clock_warning == ""
        assert st.label.startswith("在线 · 待同步 0")
    finally:
        worker.stop()


def test_worker_reports_offline_without_blocking(tmp_path, replica):
    replica.set_kv("sync_url", "http://127.0.0.1:9")  # nothing listens there
    add_cases(replica, 1, window_code="YT0101", day=DAY)
    worker = SyncWorker(tmp_path, replica.path, interval=60).start()
    try:
        wait_for(lambda: worker.rounds or "无法连接" in worker.status().message,
                 "the first round", seconds=60)
        st = worker.status()
        assert not st.online and st.queued == 1 and "无法连接后台" in st.message
        assert st.label.startswith("离线")
    finally:
        worker.stop()


def test_worker_accepts_the_consoles_open_replica_and_settings(tmp_path, replica):
    from clerk_console.config import Settings

    worker = SyncWorker(replica, Settings(sync_interval_seconds=7), home=tmp_path)
    assert worker.replica_path == replica.path and worker.interval == 7
    assert worker.home == tmp_path and not worker.status().online


def test_tls_through_uvicorn_certificate_options(tmp_path):
    import shutil
    import subprocess

    from support.loopback import BackofficeProcess

    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed: cannot make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    with BackofficeProcess(db, home=tmp_path, certfile=cert, keyfile=key) as server:
        assert server.url.startswith("https://")
        with SyncClient(server.url, verify=str(cert)) as client:
            assert client.ping().tzinfo is not None
        with SyncClient(server.url, attempts=1) as client:  # an unknown certificate is refused
            with pytest.raises(SyncRefused, match="证书无法验证"):
                client.ping()


def test_no_personal_data_in_logs(replica, engine, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    cases = add_cases(replica, 2, window_code="YT0101", day=DAY)
    with engine.begin() as conn:
        service.put_records(conn, Dataset.BLACKLIST, {("", "370602199001011237"): {
            "subject_id": "370602199001011237", "name": "失信人甲", "reason": "失信"}})
    round_(replica)
    with engine.begin() as conn:
        service.decide(conn, cases[0].case_no, Decision.REJECT, actor="审批员", now=NOW)
    round_(replica)
    logged = caplog.text
    assert "push from YT0101" in logged  # the log does say what happened
    for secret in (cases[0].applicant_id, cases[0].applicant_name, "失信人甲",
                   "370602199001011237", window_token(replica)):
        assert secret not in logged


def test_a_page_the_replica_refuses_stops_the_round_cleanly(replica, engine):
    with engine.begin() as conn:
        service.put_records(conn, Dataset.CALENDAR, {("", "2031"): {"year": 2031,
                                                                    "holidays": "none"}})
    report = round_(replica)
    assert "后台数据未能应用" in report.error and report.online
    assert Dataset.CALENDAR in apply.positions(replica)[1]  # still waiting for a good copy


def test_a_not_accepted_case_goes_up_and_cannot_be_decided(replica, engine):
    """不予受理 is a sixth outcome (issue #12): the back office takes the case as the window
    reports it and never decides it (it is closed at the window)."""
    from clerk_console.domain.case import Case, Outcome
    from clerk_console.domain.ids import new_id

    case = add_cases(replica, 1, window_code="YT0101", day=DAY)[0]
    with replica.write():
        refused = replica.save_case(Case(
            id=new_id(), case_no=replica.next_case_no("YT0101", DAY), window_code="YT0101",
            clerk_id="demo", applicant_id=case.applicant_id, applicant_name=case.applicant_name,
            applicant_kind="person", items=case.items, created_at=NOW.replace(tzinfo=None),
            status=Status.NOT_ACCEPTED, outcome=Outcome.NOT_ACCEPTED, version=1,
            note="申请事项依法不属于本机关职权范围"),
            clerk_id="demo", action="intake.not_accepted", at=NOW.replace(tzinfo=None))
    report = round_(replica)
    assert report.pushed >= 2 and not report.refused
    with reading(engine) as conn:
        rows = {r["case_no"]: r for r in service.list_cases(conn)}
    assert rows[refused.case_no]["status"] == "not_accepted"
    assert rows[case.case_no]["status"] == "accepted"
    with engine.begin() as conn, pytest.raises(service.BackofficeError):
        service.decide(conn, refused.case_no, Decision.APPROVE, actor="审批员", now=NOW)


def _licence(i: int, **over) -> dict:
    return {"holder_id": f"H{i}", "type_code": "yyzz", "name": "营业执照", "number": f"N{i}",
            "issued": "2024-01-02", "expires": "", **over}


@pytest.mark.parametrize("first_download", [True, False])
def test_a_malformed_elicence_row_is_skipped_and_never_blocks_the_channel(
        replica, engine, caplog, first_download):
    """#10: one bad row used to refuse its page on every round, so no later e-licence (nor the
    rest of that page) ever reached the window."""
    if not first_download:
        with engine.begin() as conn:
            service.put_records(conn, Dataset.ELICENCE, {("370602", "H0|yyzz|N0"): _licence(0)})
        assert round_(replica).online and len(replica.elicences("H0")) == 1
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, {
            ("370602", "H1|yyzz|N1"): _licence(1, issued="2024-02-30"),  # no such day
            ("370602", "H2|yyzz|N2"): _licence(2, holder_id=""),
            ("370602", "H3|yyzz|N3"): _licence(3)})
    report = round_(replica)
    assert report.online and not report.error
    assert report.skipped == {"elicence": 2}
    assert "电子证照2条记录格式有误，已跳过" in report.skipped_warning
    assert len(replica.elicences("H3")) == 1 and replica.elicences("H1") == []
    # the channel moves on: a later change arrives, and the bad rows are not fetched again
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, {("370602", "H4|yyzz|N4"): _licence(4)})
    report = round_(replica)
    assert report.skipped == {} and len(replica.elicences("H4")) == 1
    assert "2024-02-30" not in caplog.text and "H1" not in caplog.text  # no row contents logged
