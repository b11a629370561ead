"""A back-office database as release 0.1.0 made it, with data: run as a script in a process
of its own (``python legacy_backoffice.py URL``), it creates the tables of
tests/data/backoffice_tables_v0_1_0.py with ``create_all`` (the old back office's way) and
fills them. ``ROWS`` says what it wrote, for the test to find after the upgrade."""
from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

TABLES = Path(__file__).resolve().parent.parent / "data" / "backoffice_tables_v0_1_0.py"
AT = datetime(2026, 11, 27, 2, tzinfo=timezone.utc)
CASE_NO = "YT0101-20261127-0001"
CASE = {"id": "case-1", "case_no": CASE_NO, "window_code": "YT0101", "version": 2,
        "status": "accepted", "outcome": "accepted", "items": ["FOOD", "SIGN"],
        "accepted_at": "2026-11-27T09:30:00", "created_at": "2026-11-27T09:10:00",
        "promised_date": "2026-12-04", "applicant_name": "李小梅"}

COUNTER = 7
ROWS = {"bo_window": 1, "bo_case": 1, "bo_rating": 1, "bo_decision": 1, "bo_change_log": 1,
        "bo_received_event": 2, "bo_admin_log": 1}


def build(url: str) -> None:
    spec = importlib.util.spec_from_file_location("backoffice_tables_v0_1_0", TABLES)
    old = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = old  # its annotations are resolved through the module
    spec.loader.exec_module(old)
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    sys.path.insert(0, str(TABLES.parent.parent))  # tests/: conftest's small catalogue
    from conftest import small_catalogue

    from clerk_console.datafiles.catalogue import catalogue_to_dict

    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    t = {name: table for name, table in SQLModel.metadata.tables.items()}
    with engine.begin() as conn:
        conn.execute(t["bo_window"].insert().values(
            id="w1", code="YT0101", region="370602", token_hash="h" * 64, created_at=AT,
            enrolled_at=AT))
        conn.execute(t["bo_case"].insert().values(
            id="case-1", case_no=CASE_NO, window_id="w1", version=2, status="accepted",
            payload=json.dumps(CASE, ensure_ascii=False), updated_at=AT))
        conn.execute(t["bo_rating"].insert().values(
            id="r-1", window_id="w1", case_no=CASE_NO, level=5, received_at=AT,
            payload=json.dumps({"id": "r-1", "case_no": CASE_NO, "level": 5,
                                "at": "2026-11-27T10:00:00"})))
        conn.execute(t["bo_decision"].insert().values(
            case_id="case-1", case_no=CASE_NO, window_id="w1", decision="approve",
            decided_at=datetime(2026, 12, 1, 2, tzinfo=timezone.utc), decided_by="scjg1"))
        conn.execute(t["bo_counter"].insert().values(name="change_log", value=COUNTER))
        conn.execute(t["bo_change_log"].insert().values(
            dataset="catalogue", scope="", key="catalogue", seq=COUNTER, hash="x",
            payload=json.dumps(catalogue_to_dict(small_catalogue()), ensure_ascii=False)))
        conn.execute(t["bo_received_event"].insert(), [
            dict(window_id="w1", event_id=e, payload_hash="p", status="accepted",
                 received_at=AT) for e in ("ev-1", "ev-2")])
        conn.execute(t["bo_admin_log"].insert().values(
            at=AT, actor="admin", action="enrollment-code", subject="YT0101"))
    engine.dispose()


if __name__ == "__main__":
    build(sys.argv[1])
