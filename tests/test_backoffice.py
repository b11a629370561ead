"""Back-office storage and rules on a real SQLite file: enrollment, exactly-once push,
change log in commit order, scopes, compaction, decisions, admin CLI."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from clerk_console.backoffice import cli, service
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.service import BackofficeError
from clerk_console.backoffice.tables import AdminLog, Window
from clerk_console.sync.protocol import Dataset, ItemStatus, PushItem, payload_hash

from support.backoffice import NOW, case_payload, enrolled, item, push


@pytest.fixture()
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'bo.sqlite3'}")


def test_enrollment_code_is_one_time_and_only_hashes_are_kept(engine):
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "yt0101", region="370602", now=NOW)
    with engine.begin() as conn:
        window, token = service.enroll(conn, otc, now=NOW)
    assert window.code == "YT0101" and window.region == "370602"
    with engine.begin() as conn:
        with pytest.raises(BackofficeError, match="注册码无效或已使用"):
            service.enroll(conn, otc, now=NOW)
        row = conn.execute(select(Window.__table__)).mappings().one()
        assert token not in json.dumps(dict(row), default=str)
        assert otc not in json.dumps(dict(row), default=str)
        assert service.authenticate(conn, token).id == window.id


def test_expired_code_and_bad_window_code_are_refused_in_chinese(engine):
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0102", region=None, now=NOW)
        with pytest.raises(BackofficeError, match="窗口编号"):
            service.issue_enrollment_code(conn, "窗口1", region=None, now=NOW)
    with engine.begin() as conn:
        with pytest.raises(BackofficeError, match="已过期"):
            service.enroll(conn, otc, now=NOW + timedelta(days=2))


def test_revoked_window_is_refused(engine):
    window, token = enrolled(engine)
    with engine.begin() as conn:
        service.revoke(conn, "YT0101", now=NOW)
    with engine.begin() as conn:
        with pytest.raises(BackofficeError) as exc:
            service.authenticate(conn, token)
    assert exc.value.status == 401 and "停用" in exc.value.message


def test_same_id_same_payload_same_answer_different_payload_refused(engine):
    window, _ = enrolled(engine)
    p = case_payload("YT0101")
    first = push(engine, window, [item(p)])
    again = push(engine, window, [item(p)])
    changed = push(engine, window, [item({**p, "note": "改过"}, event_id=item(p).id)])
    assert first[0].status is ItemStatus.ACCEPTED
    assert again[0].status is ItemStatus.DUPLICATE
    assert changed[0].status is ItemStatus.CONFLICT and "不同的内容" in changed[0].message
    with reading(engine) as conn:
        assert service.count_cases(conn) == 1


def test_refused_item_does_not_block_the_rest_and_is_refused_again(engine):
    window, _ = enrolled(engine)
    other, _ = enrolled(engine, "YT0202")
    foreign = case_payload("YT0202", 1)
    items = [item(case_payload("YT0101", 1)), item(foreign), item(case_payload("YT0101", 2))]
    results = push(engine, window, items)
    assert [r.status for r in results] == [ItemStatus.ACCEPTED, ItemStatus.REFUSED,
                                           ItemStatus.ACCEPTED]
    assert "不是本窗口" in results[1].message
    again = push(engine, window, [items[1]])
    assert again[0].status is ItemStatus.REFUSED and again[0].message == results[1].message
    # a case id already owned by another window cannot be taken over
    push(engine, other, [item(foreign)])
    hijack = {**foreign, "window_code": "YT0101", "case_no": "YT0101-20261127-0009",
              "version": 5}
    assert push(engine, window, [item(hijack)])[0].status is ItemStatus.REFUSED


def test_reordered_and_duplicated_events_keep_the_newest_version(engine):
    window, _ = enrolled(engine)
    v1, v2, v3 = (case_payload("YT0101", 1, version=v, status=s) for v, s in
                  ((1, "deferred"), (2, "deferred"), (3, "completed")))
    results = push(engine, window, [item(v3), item(v1), item(v3), item(v2)])
    assert [r.status for r in results] == [ItemStatus.ACCEPTED, ItemStatus.ACCEPTED,
                                           ItemStatus.DUPLICATE, ItemStatus.ACCEPTED]
    with reading(engine) as conn:
        rows = service.list_cases(conn)
    assert [(r["version"], r["status"]) for r in rows] == [(3, "completed")]


def test_malformed_case_is_refused_with_a_reason(engine):
    window, _ = enrolled(engine)
    bad = {"id": "x", "case_no": "YT0101-20261127-0001", "window_code": "YT0101",
           "status": "accepted"}
    results = push(engine, window, [item({**bad, "version": "one"}),
                                    item({**case_payload("YT0101"), "status": "lost"})])
    assert all(r.status is ItemStatus.REFUSED for r in results)
    assert "版本" in results[0].message and "状态" in results[1].message


def _pull(engine, window, cursors=None, limits=None):
    with reading(engine) as conn:
        return service.pull(conn, window, cursors or {}, limits)


def test_pull_pages_tombstones_and_unchanged_records(engine):
    window, _ = enrolled(engine)
    with engine.begin() as conn:
        counts = service.put_records(conn, Dataset.BLACKLIST, {
            ("", f"ID{i}"): {"subject_id": f"ID{i}", "name": "某", "reason": "失信"}
            for i in range(5)}, replace_scopes=[""])
    assert counts == {"changed": 5, "deleted": 0, "unchanged": 0}
    first = _pull(engine, window, limits={Dataset.BLACKLIST: 3})[Dataset.BLACKLIST]
    assert len(first.rows) == 3 and first.more
    rest = _pull(engine, window, {Dataset.BLACKLIST: first.cursor})[Dataset.BLACKLIST]
    assert len(rest.rows) == 2 and not rest.more
    with engine.begin() as conn:  # ID0 removed, ID1 changed, others unchanged
        counts = service.put_records(conn, Dataset.BLACKLIST, {
            ("", f"ID{i}"): {"subject_id": f"ID{i}", "name": "某",
                             "reason": "已变更" if i == 1 else "失信"}
            for i in range(1, 5)}, replace_scopes=[""])
    assert counts == {"changed": 1, "deleted": 1, "unchanged": 3}
    delta = _pull(engine, window, {Dataset.BLACKLIST: rest.cursor})[Dataset.BLACKLIST]
    assert [r[0] for r in delta.rows] == ["ID1"] and delta.tombstones == ["ID0"]


def test_window_reads_only_its_region_and_its_own_decisions(engine):
    a, _ = enrolled(engine, "YT0101", "370602")
    b, _ = enrolled(engine, "YT0202", "370211")
    with engine.begin() as conn:
        service.put_records(conn, Dataset.ELICENCE, {
            ("370602", "A|yyzz|1"): {"holder_id": "A"}, ("370211", "B|yyzz|2"): {"holder_id": "B"}})
    push(engine, a, [item(case_payload("YT0101", 1))])
    push(engine, b, [item(case_payload("YT0202", 1))])
    with engine.begin() as conn:
        service.decide(conn, "YT0101-20261127-0001", service.Decision.APPROVE, actor="t", now=NOW)
    pa, pb = _pull(engine, a), _pull(engine, b)
    assert [r[0] for r in pa[Dataset.ELICENCE].rows] == ["A|yyzz|1"]
    assert [r[0] for r in pb[Dataset.ELICENCE].rows] == ["B|yyzz|2"]
    assert [r[0] for r in pa[Dataset.DECISIONS].rows] == ["case-YT0101-1"]
    assert pb[Dataset.DECISIONS].rows == []


def test_decide_only_once_and_only_decidable_cases(engine):
    window, _ = enrolled(engine)
    push(engine, window, [item(case_payload("YT0101", 1)),
                          item(case_payload("YT0101", 2, status="notified"))])
    with engine.begin() as conn:
        service.decide(conn, "YT0101-20261127-0001", service.Decision.READY, actor="t", now=NOW)
    with engine.begin() as conn:
        with pytest.raises(BackofficeError, match="已有决定"):
            service.decide(conn, "YT0101-20261127-0001", service.Decision.REJECT, actor="t",
                           now=NOW)
        with pytest.raises(BackofficeError, match="不能作出决定"):
            service.decide(conn, "YT0101-20261127-0002", service.Decision.APPROVE, actor="t",
                           now=NOW)
        with pytest.raises(BackofficeError, match="没有办件"):
            service.decide(conn, "YT0101-20261127-0099", service.Decision.APPROVE, actor="t",
                           now=NOW)


def test_compaction_sends_old_cursors_to_a_full_download(engine):
    window, _ = enrolled(engine)
    with engine.begin() as conn:
        service.put_records(conn, Dataset.BLACKLIST, {("", "X"): {"subject_id": "X"},
                                                      ("", "Y"): {"subject_id": "Y"}})
    old = _pull(engine, window)[Dataset.BLACKLIST].cursor
    with engine.begin() as conn:
        service.put_records(conn, Dataset.BLACKLIST, {("", "Y"): {"subject_id": "Y"}},
                            replace_scopes=[""])
        assert service.compact(conn, Dataset.BLACKLIST, keep=0) == 1
    page = _pull(engine, window, {Dataset.BLACKLIST: old})[Dataset.BLACKLIST]
    assert page.reset and page.cursor == 0
    full = _pull(engine, window, {Dataset.BLACKLIST: 0})[Dataset.BLACKLIST]
    assert [r[0] for r in full.rows] == ["Y"] and not full.reset


def test_sequences_follow_commit_order(engine):
    """Each writer takes its range under the counter row's lock: no reader can skip one."""
    seen = []
    with engine.begin() as conn:
        seen.append(service.allocate_seq(conn, 3))
        seen.append(service.allocate_seq(conn, 2))
    with engine.begin() as conn:
        seen.append(service.allocate_seq(conn, 1))
    assert seen == [1, 4, 6]


def test_admin_cli_logs_every_action_and_explains_bad_input(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    assert cli.main(["--db", db, "enrollment-code", "YT0101", "--region", "370602"]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 14
    bad = tmp_path / "bl.csv"
    bad.write_text("subject_id,name\nX,张三\n", encoding="utf-8")
    assert cli.main(["--db", db, "import-blacklist", str(bad)]) == 1
    assert "缺少列" in capsys.readouterr().err
    good = tmp_path / "bl2.csv"
    good.write_text("subject_id,name,reason,listed_on\n91370600MA3C00000X,某公司,严重失信,"
                    "2025-01-02\n", encoding="utf-8")
    assert cli.main(["--db", db, "import-blacklist", str(good)]) == 0
    lic = tmp_path / "el.csv"
    lic.write_text("holder_id,type_code,name,number,issued,expires,region\n"
                   "370602199001011234,yyzz,营业执照,N1,2020-01-01,,3706\n", encoding="utf-8")
    assert cli.main(["--db", db, "import-elicenses", str(lic)]) == 1
    assert "第2行" in capsys.readouterr().err
    assert cli.main(["--db", db, "decide", "YT0101-20261127-0001", "approve"]) == 1
    assert cli.main(["--db", db, "cases", "--json"]) == 0
    assert cli.main(["--db", db, "revoke", "YT0101"]) == 0
    engine = make_engine(db)
    with reading(engine) as conn:
        actions = [r.action for r in conn.execute(select(AdminLog.__table__))]
        text = json.dumps([dict(r) for r in conn.execute(select(AdminLog.__table__)).mappings()],
                          default=str, ensure_ascii=False)
    assert actions == ["enrollment-code", "import-blacklist", "cases", "revoke"]
    assert "张三" not in text and "某公司" not in text


def test_whole_download_after_compaction_is_not_reset_again(engine):
    """A download started under the current floor has missed nothing: no reset loop."""
    window, _ = enrolled(engine)
    with engine.begin() as conn:
        service.put_records(conn, Dataset.BLACKLIST, {("", f"K{i}"): {"subject_id": f"K{i}"}
                                                      for i in range(6)})
        service.put_records(conn, Dataset.BLACKLIST, {("", f"K{i}"): {"subject_id": f"K{i}"}
                                                      for i in range(3)}, replace_scopes=[""])
        service.put_records(conn, Dataset.BLACKLIST, {("", f"K{i}"): {"subject_id": f"K{i}",
                                                                      "v": 2} for i in range(3)})
        service.compact(conn, Dataset.BLACKLIST, keep=0)
    first = _pull(engine, window, {Dataset.BLACKLIST: 0}, {Dataset.BLACKLIST: 1})
    page = first[Dataset.BLACKLIST]
    assert page.floor > page.cursor > 0 and not page.reset
    keys = [page.rows[0][0]]
    while page.more:
        with reading(engine) as conn:
            page = service.pull(conn, window, {Dataset.BLACKLIST: page.cursor},
                                {Dataset.BLACKLIST: 1},
                                {Dataset.BLACKLIST: page.floor})[Dataset.BLACKLIST]
        assert not page.reset
        keys += [k for k, _v in page.rows]
    assert sorted(keys) == ["K0", "K1", "K2"]
    # the same position without the floor it was staged under is an old cursor: reset
    stale = _pull(engine, window, {Dataset.BLACKLIST: first[Dataset.BLACKLIST].cursor})
    assert stale[Dataset.BLACKLIST].reset


def test_ratings_are_stored_once_and_checked(engine):
    from clerk_console.backoffice.tables import ServerRating

    window, _ = enrolled(engine)
    push(engine, window, [item(case_payload("YT0101", 1))])  # a rating needs its case
    good = {"id": "r1", "case_no": "YT0101-20261127-0001", "level": 4, "comment": "",
            "clerk_id": "c1", "at": "2026-11-27T10:00:00"}
    def rating(p, eid):
        return PushItem(id=eid, entity="rating", entity_id=p["id"], op="save", payload=p,
                        payload_hash=payload_hash(p))
    results = push(engine, window, [
        rating(good, "e1"), rating(good, "e1"),
        rating({**good, "id": "r2", "level": 9}, "e2"),
        rating({**good, "id": "r3", "case_no": "YT0202-20261127-0001"}, "e3"),
        PushItem(id="e4", entity="photo", entity_id="p", op="save", payload={},
                 payload_hash=""),
        rating({**good, "id": "r5", "level": True}, "e5")])  # JSON true is no level
    assert [r.status for r in results] == [ItemStatus.ACCEPTED, ItemStatus.DUPLICATE,
                                           ItemStatus.REFUSED, ItemStatus.REFUSED,
                                           ItemStatus.REFUSED, ItemStatus.REFUSED]
    assert "等级" in results[2].message and "不是本窗口" in results[3].message
    assert "不支持的记录类型" in results[4].message
    with reading(engine) as conn:
        rows = conn.execute(select(ServerRating.__table__)).mappings().all()
    assert [(r["id"], r["level"]) for r in rows] == [("r1", 4)]


def test_load_catalog_and_calendar_validate_with_the_consoles_loaders(tmp_path, capsys):
    from clerk_console.config import data_root

    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    bad = tmp_path / "2031.toml"
    bad.write_text("year = 2031\n[holidays]\n2031-13-01 = \"元旦\"\n", encoding="utf-8")
    assert cli.main(["--db", db, "load-calendar", str(bad)]) == 1
    assert "日历数据 2031.toml" in capsys.readouterr().err
    assert cli.main(["--db", db, "load-catalog", str(tmp_path / "none")]) == 1
    assert "目录不存在" in capsys.readouterr().err
    calendar = data_root() / "calendar" / "2026.toml"
    assert cli.main(["--db", db, "load-calendar", str(calendar)]) == 0
    assert cli.main(["--db", db, "load-calendar", str(calendar)]) == 0
    assert "未变1条" in capsys.readouterr().out.splitlines()[-1]
