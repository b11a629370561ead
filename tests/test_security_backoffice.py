"""Attacks on the back office, each reproduced against a real server on loopback (or the
service on a real SQLite file): oversized and compressed bodies, forged statuses, ratings and
versions, reused case numbers, a second PC, enrollment guessing and retries."""
from __future__ import annotations

import gzip
import json
import shutil
import time
import zlib
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from clerk_console.backoffice import service
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.service import BackofficeError
from clerk_console.backoffice.tables import AdminLog, ServerCase, ServerRating
from clerk_console.domain.case import Decision
from clerk_console.domain.ids import new_id
from clerk_console.storage.replica import Replica
from clerk_console.sync import protocol
from clerk_console.sync.client import SyncClient, SyncRefused
from clerk_console.commands.embedded import enroll_replica
from clerk_console.sync.protocol import (MAX_PUSH_BYTES, BodyTooLarge, CasePayload, ItemStatus,
                                         PushItem, decode_body, payload_hash)
from clerk_console.sync.runner import client_for, sync_once
from support.synthetic import add_cases

NOW = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)


def now():
    return datetime.now(timezone.utc)


def _token(engine, code="YT0101", install=""):
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, code, region="370602", now=now())
    with engine.begin() as conn:
        return service.enroll(conn, otc, now=now(), install_id=install)


def bomb(raw_size: int) -> bytes:
    """A gzip body of ``raw_size`` zero bytes, made without holding them in memory."""
    out = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    parts = [out.compress(b'{"items":[') ]
    for _ in range(raw_size >> 20):
        parts.append(out.compress(block))
    parts.append(out.flush())
    return b"".join(parts)


# ---------------------------------------------------------------- bodies


def test_decompression_stops_at_the_cap():
    body = bomb(64 << 20)  # 64 MB of zeros in ~65 KB
    assert len(body) < 100_000
    with pytest.raises(BodyTooLarge):
        decode_body(body, "gzip", MAX_PUSH_BYTES)
    assert decode_body(gzip.compress(b"{}"), "gzip") == b"{}"
    for bad in (gzip.compress(b"{}")[:-3], gzip.compress(b"{}") + b"junk", b"not gzip"):
        with pytest.raises(ValueError):
            decode_body(bad, "gzip")
    with pytest.raises(ValueError):
        decode_body(b"{}", "br")


def test_no_token_no_body_read_and_bombs_get_413(bo, engine):
    body = bomb(64 << 20)
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    started = time.monotonic()
    r = httpx.post(bo.url + "/v1/push", content=body, headers=headers, timeout=30)
    assert r.status_code == 401 and "令牌" in r.json()["detail"]
    _window, token = _token(engine)
    auth = {**headers, "Authorization": f"Bearer {token}"}
    r = httpx.post(bo.url + "/v1/push", content=body, headers=auth, timeout=30)
    assert r.status_code == 413 and "上限" in r.json()["detail"]
    # a declared size above the wire cap is refused before anything is read
    big = b"x" * (protocol.MAX_WIRE_BYTES + 1)
    r = httpx.post(bo.url + "/v1/push", content=big, headers=auth, timeout=30)
    assert r.status_code == 413
    # pull and enroll take small bodies only
    r = httpx.post(bo.url + "/v1/pull", content=bomb(2 << 20), headers=auth, timeout=30)
    assert r.status_code == 413
    r = httpx.post(bo.url + "/v1/enroll", content=bomb(2 << 20), headers=headers, timeout=30)
    assert r.status_code == 413
    assert time.monotonic() - started < 20
    # the server still answers everybody
    assert httpx.get(bo.url + "/v1/ping", timeout=5).status_code == 200


def test_the_client_caps_an_answer_too():
    answer = bomb(80 << 20)

    def handler(request):
        return httpx.Response(200, stream=httpx.ByteStream(answer),
                              headers={"Content-Encoding": "gzip"})

    client = SyncClient("https://backoffice.test", "t", transport=httpx.MockTransport(handler),
                        attempts=1)
    with pytest.raises(SyncRefused) as exc:
        client.ping()
    assert exc.value.status == 413 and "上限" in str(exc.value)


# ---------------------------------------------------------------- forged payloads


def _item(payload, event_id=None, entity="case"):
    return PushItem(id=event_id or new_id(),
                    entity=entity, entity_id=payload["id"], op="save", payload=payload,
                    payload_hash=payload_hash(payload))


def _case(n=1, version=1, status="accepted", **extra):
    return {"id": f"case-{n}", "case_no": f"YT0101-20261127-{n:04d}", "window_code": "YT0101",
            "version": version, "status": status, "items": ["SCJG-001"], **extra}


def _rating(n, case_no, level=1):
    return {"id": f"rating-{n}", "case_no": case_no, "level": level, "comment": "",
            "clerk_id": "c1", "at": "2026-11-27T10:00:00"}


def test_a_window_cannot_decide_rate_twice_or_rate_what_does_not_exist(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    window, _ = _token(engine)

    def push(items):
        with engine.begin() as conn:
            return service.push(conn, window, items, now=NOW)

    forged = push([_item(_case(1, status="decided", decision="approve"), "ev-forged")])
    assert forged[0].status is ItemStatus.REFUSED and "只能由后台" in forged[0].message
    assert push([_item(_case(2, status="delivered"))])[0].status is ItemStatus.REFUSED
    assert push([_item(_case(1))])[0].status is ItemStatus.ACCEPTED
    skip = push([_item(_case(1, version=2, status="decided", decision="approve"), "ev-skip")])
    assert skip[0].status is ItemStatus.REFUSED
    backwards = push([_item(_case(1, version=3, status="deferred"))])
    assert backwards[0].status is ItemStatus.REFUSED and "不能从" in backwards[0].message
    ghosts = push([_item(_rating(i, f"YT0101-20261127-{100 + i:04d}"), entity="rating")
                   for i in range(200)])
    assert all(r.status is ItemStatus.REFUSED and "不存在" in r.message for r in ghosts)
    five = push([_item(_rating(i, "YT0101-20261127-0001"), f"ev-r{i}", entity="rating")
                 for i in range(5)])
    assert [r.status for r in five] == [ItemStatus.ACCEPTED] + [ItemStatus.REFUSED] * 4
    assert "已评价过" in five[1].message
    # a decision of the back office: the window may report it, and only that decision
    with engine.begin() as conn:
        service.decide(conn, "YT0101-20261127-0001", Decision.REJECT, actor="t", now=NOW)
    other = push([_item(_case(1, version=2, status="decided", decision="approve"))])
    assert other[0].status is ItemStatus.REFUSED
    same = push([_item(_case(1, version=2, status="decided", decision="reject"), "ev-same")])
    assert same[0].status is ItemStatus.ACCEPTED
    done = push([_item(_case(1, version=3, status="delivered", decision="reject"))])
    assert done[0].status is ItemStatus.ACCEPTED
    with reading(engine) as conn:
        assert conn.execute(select(ServerRating.__table__)).all().__len__() == 1
        rows = conn.execute(select(ServerCase.__table__.c.status)).scalars().all()
    assert rows == ["delivered"]


@pytest.mark.parametrize("version", [True, -5, 2**63 - 1, 2**63, 10**30, 1.5, "7"])
def test_versions_out_of_bounds_are_refused_never_a_server_error(bo, engine, version):
    _window, token = _token(engine)
    p = _case(1, version=1)
    raw = json.dumps(p).replace('"version": 1', f'"version": {json.dumps(version)}')
    body = (f'{{"items":[{{"id":"ev1","entity":"case","entity_id":"case-1","op":"save",'
            f'"payload":{raw},"payload_hash":"x"}}]}}')
    r = httpx.post(bo.url + "/v1/push", content=body.encode(),
                   headers={"Authorization": f"Bearer {token}",
                            "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "refused" and "版本" in result["message"]


def test_bounded_pull_cursors(bo, engine):
    _window, token = _token(engine)
    r = httpx.post(bo.url + "/v1/pull", content=b'{"cursors":{"catalogue":9223372036854775808}}',
                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 400


def test_the_consoles_payloads_fit_the_typed_model(replica):
    from clerk_console.storage.replica import case_to_dict

    add_cases(replica, 3, window_code="YT0101", day=date(2026, 11, 27))
    for event in replica.outbox_pending():
        if event.entity == "case":
            CasePayload.model_validate(event.payload)
    assert case_to_dict  # the outbox payload is case_to_dict's output


# ---------------------------------------------------------------- case numbers


def _add(r, n):
    """Cases of today on the real clock: the back office reports numbers on its own clock."""
    return add_cases(r, n, window_code="YT0101", day=date.today())


def _window_replica(tmp_path, name, engine, bo):
    r = Replica.open(tmp_path / name / "replica.sqlite3")
    r.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    enroll_replica(engine, r, bo.url, region="370602")
    return r


def test_a_restored_backup_resumes_after_the_back_offices_numbers(tmp_path, bo, engine):
    r = _window_replica(tmp_path, "w", engine, bo)
    _add(r, 3)
    backup = tmp_path / "backup.sqlite3"
    r.close()
    shutil.copy(tmp_path / "w" / "replica.sqlite3", backup)
    r = Replica.open(tmp_path / "w" / "replica.sqlite3")
    _add(r, 4)
    with client_for(r) as c:
        assert sync_once(r, c).pushed >= 7
    with reading(engine) as conn:
        numbers = conn.execute(select(ServerCase.__table__.c.case_no)).scalars().all()
    r.close()
    shutil.copy(backup, tmp_path / "w" / "replica.sqlite3")  # the PC restored from backup
    for suffix in ("-wal", "-shm"):
        (tmp_path / "w" / f"replica.sqlite3{suffix}").unlink(missing_ok=True)
    r = Replica.open(tmp_path / "w" / "replica.sqlite3")
    # numbers taken before the first sync collide: refused, never doubled on the server
    _add(r, 1)
    with client_for(r) as c:
        report = sync_once(r, c)
    assert report.refused and "已被本窗口的另一个办件使用" in report.refused[0]["message"]
    assert "落后于后台" in report.numbering
    # after the sync the window numbers after the back office's highest
    _add(r, 2)
    with client_for(r) as c:
        report = sync_once(r, c)
    assert not report.refused
    with reading(engine) as conn:
        server = conn.execute(select(ServerCase.__table__.c.case_no)).scalars().all()
    assert len(server) == len(set(server)) == 9
    assert set(numbers) <= set(server)
    r.close()


def test_a_second_pc_is_an_explicit_replacement_and_the_first_is_told(tmp_path, bo, engine):
    from clerk_console.sync.worker import SyncWorker

    first = _window_replica(tmp_path, "pc1", engine, bo)
    _add(first, 2)
    with client_for(first) as c:
        assert sync_once(first, c).online
    with engine.begin() as conn:
        with pytest.raises(BackofficeError, match="--replace") as exc:
            service.issue_enrollment_code(conn, "YT0101", region=None, now=now())
    assert exc.value.status == 409
    second = Replica.open(tmp_path / "pc2" / "replica.sqlite3")
    second.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    enroll_replica(engine, second, bo.url, region="370602")  # replace=True
    # the new PC knows the numbers already used: its first case is the third of the day
    _add(second, 1)
    with client_for(second) as c:
        assert not sync_once(second, c).refused
    _add(first, 1)
    with client_for(first) as c:
        report = sync_once(first, c)
    assert report.disabled and report.error.startswith("已停用") and "另一台电脑" in report.error
    worker = SyncWorker(first, home=tmp_path / "pc1")
    assert worker._round(first) is False
    status = worker.status()
    assert status.disabled and status.label.startswith("已停用") and "另一台电脑" in status.message
    first.close()
    second.close()


# ---------------------------------------------------------------- enrollment


def test_a_lost_enroll_answer_can_be_asked_again_by_the_same_window_only(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0101", region="370602", now=NOW)
    with engine.begin() as conn:
        service.enroll(conn, otc, now=NOW, install_id="install-1")  # answer lost
    with engine.begin() as conn:
        with pytest.raises(BackofficeError, match="已使用"):
            service.enroll(conn, otc, now=NOW, install_id="install-2")
        with pytest.raises(BackofficeError, match="已使用"):
            service.enroll(conn, otc, now=NOW)
    with engine.begin() as conn:
        window, token = service.enroll(conn, otc, now=NOW + timedelta(seconds=5),
                                       install_id="install-1")
    with engine.begin() as conn:
        assert service.authenticate(conn, token).id == window.id
        with pytest.raises(BackofficeError, match="已使用"):
            service.enroll(conn, otc, now=NOW + timedelta(hours=2), install_id="install-1")


def test_guessing_codes_is_throttled_and_logged(bo, engine):
    with engine.begin() as conn:
        good = service.issue_enrollment_code(conn, "YT0101", region="370602", now=now())
    statuses = []
    for i in range(7):
        r = httpx.post(bo.url + "/v1/enroll", json={"code": f"AAAA-BBBB-{i:04d}"}, timeout=10)
        statuses.append(r.status_code)
    assert statuses == [403] * 5 + [429] * 2
    r = httpx.post(bo.url + "/v1/enroll", json={"code": good}, timeout=10)
    assert r.status_code == 429 and "次数过多" in r.json()["detail"]
    with reading(engine) as conn:
        failed = conn.execute(select(AdminLog.__table__).where(
            AdminLog.__table__.c.action == "enroll.failed")).mappings().all()
    assert len(failed) == 5 and all(f["subject"] == "127.0.0.1" for f in failed)
    assert good not in json.dumps([dict(f) for f in failed], default=str)
