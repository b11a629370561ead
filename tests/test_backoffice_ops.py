"""The back office in operation: the health endpoint on a real loopback server, retention of
received events, decisions that read only the keys they change."""
from __future__ import annotations

import httpx

from support.wait import wait_for


def test_health_answers_ok_when_the_database_answers(bo):
    r = httpx.get(bo.url + "/v1/health", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["server_time"]


def _sqlite_engine(tmp_path):
    from clerk_console.backoffice.db import make_engine

    return make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")


def _change_log_reads(engine):
    """Every SELECT on the change log the engine runs, with its parameters."""
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "bo_change_log" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_decide_reads_only_the_decided_key_of_the_change_log(tmp_path):
    from support.backoffice import NOW, case_payload, enrolled, item, push

    from clerk_console.backoffice import service
    from clerk_console.sync.protocol import Dataset

    engine = _sqlite_engine(tmp_path)
    window, _ = enrolled(engine)
    push(engine, window, [item(case_payload("YT0101", 1))])
    others = {(f"W{i}", f"case-{i}"): {"decision": "approve", "n": i} for i in range(300)}
    with engine.begin() as conn:
        service.put_records(conn, Dataset.DECISIONS, others)
    seen = _change_log_reads(engine)
    with engine.begin() as conn:
        service.decide(conn, "YT0101-20261127-0001", service.Decision.APPROVE, actor="t",
                       now=NOW)
    seen = [(st, p) for st, p in seen if Dataset.DECISIONS.value in tuple(p)]
    assert seen, "decide publishes through the change log"
    for statement, params in seen:  # a primary-key lookup, not the dataset's 300 rows
        where = statement.replace('"', "").split("WHERE", 1)[-1]
        assert "bo_change_log.scope = " in where and "bo_change_log.key IN" in where
        assert not any(str(p).startswith("case-") and p != "case-YT0101-1"
                       for p in (params if isinstance(params, (list, tuple)) else ()))
    with engine.begin() as conn:  # the decision is published; the others are untouched
        counts = service.put_records(conn, Dataset.DECISIONS, {**others, (window.id, "case-YT0101-1"): {}})
    assert counts == {"changed": 1, "deleted": 0, "unchanged": 300}


def test_put_records_replace_still_tombstones_the_rest_of_its_scopes(tmp_path):
    from clerk_console.backoffice import service
    from clerk_console.sync.protocol import Dataset

    engine = _sqlite_engine(tmp_path)
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, {
            ("370602", f"A{i}"): {"n": i} for i in range(10)} | {("370211", "A1"): {"n": 1}})
    with engine.begin() as conn:
        counts = service.put_records(
            conn, Dataset.ELICENCE, {("370602", f"A{i}"): {"n": i} for i in range(1, 10)}
            | {("370211", "A1"): {"n": 2}}, replace_scopes=["370602"])
    assert counts == {"changed": 1, "deleted": 1, "unchanged": 9}


def _received(engine, rows):
    """``rows``: (window_id, event_id, received_at) straight into bo_received_event."""
    from clerk_console.backoffice.service.common import EV

    with engine.begin() as conn:
        conn.execute(EV.insert(), [dict(window_id=w, event_id=e, payload_hash="h",
                                        status="accepted", message="", received_at=at)
                                   for w, e, at in rows])


def _event_ids(engine):
    from sqlalchemy import select

    from clerk_console.backoffice.service.common import EV

    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(EV.c.event_id)))


def _retention_rows(now):
    from datetime import timedelta

    return [("A", "a-old", now - timedelta(days=200)), ("A", "a-new", now - timedelta(days=3)),
            ("B", "b-old", now - timedelta(days=200))]  # B silent since: may still retry


def test_prune_events_keeps_recent_ones_and_those_of_silent_windows(tmp_path):
    from datetime import datetime, timezone

    from clerk_console.backoffice import service

    now = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    engine = _sqlite_engine(tmp_path)
    _received(engine, _retention_rows(now))
    with engine.begin() as conn:
        assert service.prune_events(conn, now=now, days=0) == 0  # 0: for ever
        assert service.prune_events(conn, now=now, days=365) == 0
    assert _event_ids(engine) == ["a-new", "a-old", "b-old"]
    with engine.begin() as conn:
        assert service.prune_events(conn, now=now, days=180) == 1
    assert _event_ids(engine) == ["a-new", "b-old"]


def test_retention_setting_is_checked():
    import pytest

    from clerk_console.backoffice import service

    assert service.retention_days({}) == 180
    assert service.retention_days({"CLERK_BACKOFFICE_EVENT_RETENTION_DAYS": "30"}) == 30
    with pytest.raises(service.BackofficeError, match="无效"):
        service.retention_days({"CLERK_BACKOFFICE_EVENT_RETENTION_DAYS": "-1"})


def test_prune_events_command(tmp_path, capsys, monkeypatch):
    from datetime import datetime, timezone

    from clerk_console.backoffice import cli

    url = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    engine = _sqlite_engine(tmp_path)
    _received(engine, _retention_rows(datetime.now(timezone.utc)))
    monkeypatch.setenv("CLERK_BACKOFFICE_HOME", str(tmp_path))
    assert cli.main(["--db", url, "prune-events", "--days", "100"]) == 0
    assert "已清理1条超过100天的推送接收记录" in capsys.readouterr().out
    assert _event_ids(engine) == ["a-new", "b-old"]


def test_a_serving_back_office_prunes_old_events(tmp_path, monkeypatch):
    """The real server process prunes on start (and hourly after) with the setting's days."""
    from datetime import datetime, timezone

    from support.loopback import BackofficeProcess

    url = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    engine = _sqlite_engine(tmp_path)
    _received(engine, _retention_rows(datetime.now(timezone.utc)))
    monkeypatch.setenv("CLERK_BACKOFFICE_EVENT_RETENTION_DAYS", "100")  # the child's setting
    with BackofficeProcess(url, home=tmp_path):
        wait_for(lambda: _event_ids(engine) == ["a-new", "b-old"], "the old events pruned",
                 seconds=20, step=0.1)
