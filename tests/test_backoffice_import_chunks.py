"""An e-licence import takes the change-log counter one chunk at a time: a decision made
while the import is under way goes through between two chunks (proved by the order of the
sequences, never by a clock), on SQLite and on PostgreSQL."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from clerk_console.backoffice import cli, service
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.backoffice.service.common import LOG
from clerk_console.domain.case import Decision
from clerk_console.sync.protocol import Dataset, PushItem, payload_hash

NOW = datetime(2026, 11, 27, 1, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    url = (request.getfixturevalue("pg_url") if request.param == "postgres"
           else f"sqlite:///{tmp_path / 'bo.sqlite3'}")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _licences(n: int) -> dict:
    return {("370602", f"H{i:05d}|BL|N{i}"): {"holder_id": f"H{i:05d}", "type_code": "BL",
                                              "name": "营业执照", "number": f"N{i}",
                                              "issued": "", "expires": ""} for i in range(n)}


def _case(engine) -> str:
    with engine.begin() as conn:
        otc = service.issue_enrollment_code(conn, "YT0101", region="370602", now=NOW)
    with engine.begin() as conn:
        window = service.enroll(conn, otc, now=NOW)[0]
    p = {"id": "case-1", "case_no": "YT0101-20261127-0001", "window_code": "YT0101",
         "version": 1, "status": "accepted", "items": ["FOOD"]}
    with engine.begin() as conn:
        service.push(conn, window, [PushItem(id="ev-1", entity="case", entity_id="case-1",
                                             op="save", payload=p, payload_hash=payload_hash(p))],
                     now=NOW)
    return p["case_no"]


def _seqs(engine, dataset: Dataset) -> list[int]:
    with reading(engine) as conn:
        return sorted(s for (s,) in conn.execute(select(LOG.c.seq)
                                                 .where(LOG.c.dataset == dataset.value)))


def test_a_decision_goes_through_between_two_chunks_of_an_import(engine):
    case_no = _case(engine)
    first_chunk = threading.Event()
    decided = threading.Event()
    waited: list[bool] = []

    def after_chunk(_rows: int) -> None:
        if not first_chunk.is_set():
            first_chunk.set()
            # the import stays under way until the decision is made (a failure, not a
            # hang, if the decision could not go through before the import ends)
            waited.append(decided.wait(60))

    result: dict = {}
    importer = threading.Thread(target=lambda: result.update(service.import_records(
        engine, Dataset.ELICENCE, _licences(1_000), chunk=200, on_chunk=after_chunk)))
    importer.start()
    assert first_chunk.wait(60)
    with engine.begin() as conn:  # while the import has 800 rows still to write
        service.decide(conn, case_no, Decision.APPROVE, actor="scjg1", now=NOW)
    decided.set()
    importer.join(120)
    assert waited == [True] and result == {"changed": 1_000, "deleted": 0, "unchanged": 0}
    licences, [decision] = _seqs(engine, Dataset.ELICENCE), _seqs(engine, Dataset.DECISIONS)
    assert len(licences) == 1_000
    assert licences[199] < decision < licences[200]  # after the first chunk, before the rest


def test_a_refused_replace_writes_nothing_and_a_rerun_skips_what_is_written(engine):
    records = _licences(300)
    assert service.import_records(engine, Dataset.ELICENCE, records, chunk=100) == \
        {"changed": 300, "deleted": 0, "unchanged": 0}
    before = _seqs(engine, Dataset.ELICENCE)
    with pytest.raises(service.BackofficeError, match="未做任何修改"):
        service.import_records(engine, Dataset.ELICENCE, dict(list(records.items())[:10]),
                               replace_scopes=["370602"], max_delete_share=0.2, chunk=100)
    assert _seqs(engine, Dataset.ELICENCE) == before
    assert service.import_records(engine, Dataset.ELICENCE, records, chunk=100) == \
        {"changed": 0, "deleted": 0, "unchanged": 300}


def test_the_import_command_publishes_and_logs(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'bo.sqlite3'}"
    lic = tmp_path / "licences.csv"
    lic.write_text("holder_id,type_code,name,number,issued,expires,region\n"
                   + "".join(f"H{i},BL,营业执照,N{i},2020-01-01,,370602\n" for i in range(12)),
                   encoding="utf-8")
    assert cli.main(["--db", db, "import-elicenses", str(lic)]) == 0
    assert "新增或更新12条" in capsys.readouterr().out
    assert cli.main(["--db", db, "admin-log"]) == 0
    assert "import-elicenses\tlicences.csv" in capsys.readouterr().out
