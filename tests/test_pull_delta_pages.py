"""A large incremental e-licence page goes in short transactions in key order (issue #17) and
ends where applying its rows one by one, in the page's order, does: updates, inserts, deletes,
one number under two keys (two holders of one certificate, within the page too), a malformed
row skipped and reported."""
from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from clerk_console.storage.replica import Replica
from clerk_console.storage.replica import pull as pull_mod
from clerk_console.sync import apply
from clerk_console.sync.protocol import Dataset, Page


def lic(key: str, number: str, issued: str = "2024-01-02") -> tuple[str, str]:
    return key, json.dumps({"holder_id": key.split("|")[0], "type_code": "yyzz", "name": "营业执照",
                            "number": number, "issued": issued, "expires": ""})


def live(replica) -> list[tuple]:
    with replica.tx.read() as s:
        return s.execute(text("SELECT key, holder_id, type_code, number, issued, expires "
                              "FROM elicence ORDER BY key")).all()


BEFORE = [lic(f"H{i:02d}|yyzz|{i}", f"N{i}") for i in range(20)]
ROWS = [
    lic("H05|yyzz|5", "N5", "2025-03-04"),  # updated
    lic("H30|yyzz|30", "N30"),  # inserted
    lic("H31|yyzz|31", "N31", "2025-13-01"),  # malformed: skipped, reported
    lic("H32|yyzz|32", "N7"),  # N7 under a new key too: H07's row stays
    lic("H99|yyzz|99", "N40"),  # N40 under a later row's key of the page (a lower key) too
    lic("H02|yyzz|2", "N2-new"),  # updated
    lic("H08|yyzz|8", "N8"),  # unchanged
    lic("H40|yyzz|40", "N40"),  # … here: both rows written
    lic("H12|yyzz|12", "N3"),  # N3 under an existing key too: H03's row stays
    lic("H33|yyzz|33", "N33"),  # inserted, also tombstoned: tombstones come first
]
TOMBSTONES = ["H10|yyzz|10", "H11|yyzz|11", "H33|yyzz|33", "H77|yyzz|77"]


def one_by_one(replica, rows, tombstones, cursor: int) -> None:
    """The page applied a row a page, in its order, tombstones first."""
    for key in tombstones:
        apply.apply(replica, Dataset.ELICENCE, Page(rows=[], tombstones=[key], cursor=cursor),
                    staging=False)
    for row in rows:
        apply.apply(replica, Dataset.ELICENCE, Page(rows=[row], cursor=cursor), staging=False)


@pytest.fixture
def two(replica, tmp_path):
    other = Replica.open(tmp_path / "other.sqlite3")
    for r in (replica, other):
        apply.apply(r, Dataset.ELICENCE, Page(rows=BEFORE, cursor=5), staging=False)
    yield replica, other
    other.close()


def test_a_page_in_short_transactions_ends_where_one_row_at_a_time_does(two, monkeypatch,
                                                                        caplog) -> None:
    replica, reference = two
    one_by_one(reference, ROWS, TOMBSTONES, 9)
    monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 3)  # 12 writes: 4 transactions
    monkeypatch.setattr(pull_mod, "DELTA_CHUNK", 3)
    writes = {"n": 0}
    real = pull_mod.Pull.background_write

    def counted(self):
        writes["n"] += 1
        return real(self)

    monkeypatch.setattr(pull_mod.Pull, "background_write", counted)
    with caplog.at_level(logging.WARNING, logger="clerk_console.sync.apply"):
        skipped = apply.apply(replica, Dataset.ELICENCE,
                              Page(rows=ROWS, tombstones=TOMBSTONES, cursor=9), staging=False)
    assert skipped == 1 and "1 malformed row(s) skipped (签发日期不是有效日期)" in caplog.text
    assert writes["n"] == 4
    assert live(replica) == live(reference)
    got = {k: n for k, _h, _t, n, *_ in live(replica)}
    assert got["H05|yyzz|5"] == "N5" and got["H40|yyzz|40"] == "N40" and got["H12|yyzz|12"] == "N3"
    assert {"H10|yyzz|10", "H11|yyzz|11", "H31|yyzz|31"}.isdisjoint(got)
    assert got["H03|yyzz|3"] == "N3" and got["H07|yyzz|7"] == got["H32|yyzz|32"] == "N7"
    assert got["H99|yyzz|99"] == "N40" and got["H33|yyzz|33"] == "N33"
    assert ("H05|yyzz|5", "H05", "yyzz", "N5", "2025-03-04", None) in live(replica)
    assert replica.cursor("elicence") == reference.cursor("elicence") == 9


def test_the_same_page_in_one_transaction_ends_there_too(two) -> None:
    replica, reference = two
    one_by_one(reference, ROWS, TOMBSTONES, 9)
    with replica.write():  # inside a caller's transaction: one transaction, the same writes
        apply.apply(replica, Dataset.ELICENCE, Page(rows=ROWS, tombstones=TOMBSTONES, cursor=9),
                    staging=False)
    assert live(replica) == live(reference)


def test_a_page_stopped_half_way_is_applied_again_to_the_same_end(two, monkeypatch) -> None:
    replica, reference = two
    one_by_one(reference, ROWS, TOMBSTONES, 9)
    monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 3)
    monkeypatch.setattr(pull_mod, "DELTA_CHUNK", 3)
    calls = {"n": 0}
    real = pull_mod.Pull.background_write

    def failing(self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("killed (test)")
        return real(self)

    page = Page(rows=ROWS, tombstones=TOMBSTONES, cursor=9)
    monkeypatch.setattr(pull_mod.Pull, "background_write", failing)
    with pytest.raises(OSError):
        apply.apply(replica, Dataset.ELICENCE, page, staging=False)
    monkeypatch.setattr(pull_mod.Pull, "background_write", real)
    assert replica.cursor("elicence") == 5  # the cursor moves with the last transaction only
    assert live(replica) != live(reference)  # two of four transactions written
    apply.apply(replica, Dataset.ELICENCE, page, staging=False)  # fetched again
    assert live(replica) == live(reference) and replica.cursor("elicence") == 9


def test_a_malformed_date_left_to_the_replica_refuses_the_page_before_any_write(
        replica, monkeypatch) -> None:
    monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 3)
    monkeypatch.setattr(pull_mod, "DELTA_CHUNK", 3)
    apply.apply(replica, Dataset.ELICENCE, Page(rows=BEFORE, cursor=5), staging=False)
    pages = [{"key": k, "payload": json.loads(p)} for k, p in ROWS if "H31" not in k]
    pages.append({"key": "H31|yyzz|31", "payload": json.loads(ROWS[2][1])})
    with pytest.raises(ValueError):
        replica.apply_page("elicence", pages, TOMBSTONES, 9)
    assert live(replica) == sorted((k, k.split("|")[0], "yyzz", json.loads(p)["number"], "2024-01-02",
                                    None) for k, p in BEFORE)
    assert replica.cursor("elicence") == 5
