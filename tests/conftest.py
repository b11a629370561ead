"""Shared fixtures: a small catalogue and a migrated replica file per test.

``replica`` copies a replica migrated once per session (alembic runs once), then stores the
``small_catalogue``, a window ``YT0101`` and two clerks: ``c1`` (PIN 111111) and supervisor
``boss`` (PIN 654321). ``NOW`` is a fixed Friday morning; tests never read the real clock.
"""
from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from support.replica_files import copy_replica
from support.services import shop  # noqa: F401 (both stores, for the service tests)
from support.tty import console  # noqa: F401 (the demo window in tmux, for the tty tests)
from support.ui import home, template_home  # noqa: F401 (the window's fixtures, for the UI tests)
from clerk_console.domain.catalogue import (Bundle, CaseType, Catalogue, Department,
                                            ItemMaterial, Level, MaterialSpec, Item, Target)
from clerk_console.domain.parties import Applicant, ApplicantKind

NOW = datetime(2026, 11, 27, 9, 30)  # a Friday


@pytest.fixture()
def pg_url():
    """A schema of its own on this machine's PostgreSQL (support/postgres.py), dropped after."""
    import uuid

    import psycopg

    from support.postgres import server_url

    base = server_url()
    schema = f"bo_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{base}?options=-csearch_path%3D{schema}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

# The CLI writes a log file; tests (and the processes they start) write theirs in a scratch
# folder, never in the user's log folder.
os.environ.setdefault("CLERK_CONSOLE_LOG_DIR", tempfile.mkdtemp(prefix="clerk-test-logs-"))
# Notices use the fonts a test gives them (tests/test_printing_fonts.py), not whatever fonts this
# machine has: by default the CID fallback, the same on every machine.
os.environ.setdefault("CLERK_CONSOLE_FONT_DIRS", tempfile.mkdtemp(prefix="clerk-test-fonts-"))
# the sync token's key files (sync/token_store.py) of test windows stay out of ~/.config
os.environ.setdefault("CLERK_CONSOLE_KEY_DIR", tempfile.mkdtemp(prefix="clerk-test-keys-"))
# a demo made by a test never lands in the user's own demo folder (commands/demo.py)
os.environ.setdefault("CLERK_CONSOLE_DEMO_HOME", tempfile.mkdtemp(prefix="clerk-test-demo-"))
# never the developer's own OS keystore: the file fallback (test_security_token sets a memory one)
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

ENTERPRISE = Applicant(id_number="91370600MA3C000001", id_kind="uscc",
                       kind=ApplicantKind.ENTERPRISE, name="烟台海风咖啡有限公司",
                       phone="05356000001", legal_rep_id="370602199001011234",
                       legal_rep_name="王海", related_ids=("370602198502023456",))
PERSON = Applicant(id_number="370602199203154321", id_kind="resident_id",
                   kind=ApplicantKind.PERSON, name="李小梅", phone="13800000000")


def _item(code, name, dept, target, promised, materials, *, deferral=True, commitment=False,
          in_hall=True, level=Level.CITY):
    return Item(code=code, base_code="B" + code, name=name, dept=dept, item_type="01",
                level=level, target=target, legal_days=20, promised_days=promised,
                case_type=CaseType.PROMISED if promised else CaseType.IMMEDIATE,
                deferral=deferral, commitment=commitment, instant=not promised,
                in_hall=in_hall, materials=tuple(materials))


def small_catalogue() -> Catalogue:
    dept = dict(hall="烟台市政务服务中心", address="港城东大街1000号", phone="0535-12345",
                hours="工作日 9:00-17:00")
    departments = {
        "SCJG": Department("SCJG", "烟台市市场监督管理局", "市场监管", **dept),
        "CG": Department("CG", "烟台市城市管理局", "城管", **dept),
        "GA": Department("GA", "烟台市公安局", "公安", hall="烟台市公安局治安支队",
                         address="迎春大街1号", phone="0535-110", hours="工作日"),
    }
    materials = {
        "licence": MaterialSpec("licence", "营业执照", source="government", elicence_type="BL"),
        "form": MaterialSpec("form", "申请书"),
        "lease": MaterialSpec("lease", "经营场所使用证明"),
        "plan": MaterialSpec("plan", "设施布局平面图"),
        "idcard": MaterialSpec("idcard", "居民身份证", source="government",
                               elicence_type="ID"),
    }
    items = {
        "FOOD": _item("FOOD", "食品经营许可", "SCJG", Target.ENTERPRISE, 10,
                      [ItemMaterial("licence", True), ItemMaterial("form", True),
                       ItemMaterial("lease", False), ItemMaterial("plan", False)],
                      commitment=True),
        "SIGN": _item("SIGN", "户外招牌设置", "CG", Target.BOTH, 5,
                      [ItemMaterial("form", True), ItemMaterial("plan", False)]),
        "HOTEL": _item("HOTEL", "旅馆业特种行业许可", "GA", Target.ENTERPRISE, 15,
                       [ItemMaterial("licence", True)], in_hall=False),
        "CERT": _item("CERT", "个人证明开具", "SCJG", Target.PERSON, 0,
                      [ItemMaterial("idcard", True), ItemMaterial("form", False)],
                      deferral=False),
    }
    bundles = {"CAFE": Bundle("CAFE", "开办咖啡店", "industry", ("FOOD", "SIGN"))}
    return Catalogue(version="test-1", departments=departments, materials=materials,
                     items=items, bundles=bundles, elicence_types={"BL": "营业执照",
                                                                   "ID": "居民身份证"})


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    from clerk_console.storage import migrations

    path = tmp_path_factory.mktemp("template") / "replica.sqlite3"
    migrations.upgrade(path)
    return path


@pytest.fixture
def catalogue() -> Catalogue:
    return small_catalogue()


@pytest.fixture
def replica(tmp_path, migrated_template, catalogue):
    from clerk_console.storage.replica import Replica

    path = tmp_path / "replica.sqlite3"
    copy_replica(migrated_template, path)
    rep = Replica.open(path)
    with rep.write():
        rep.store_catalogue(catalogue, at=NOW)
        rep.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
        rep.add_clerk("c1", "张敏", "111111", "clerk")
        rep.add_clerk("boss", "刘主任", "654321", "supervisor")
    yield rep
    rep.close()


@pytest.fixture()
def bo(tmp_path):
    """The real back-office app served by uvicorn on loopback (its own SQLite file)."""
    from clerk_console.commands.embedded import start_embedded

    server = start_embedded(tmp_path / "bo-home")
    yield server
    server.stop()


@pytest.fixture()
def engine(bo):
    """An engine on ``bo``'s database."""
    from clerk_console.backoffice.db import make_engine

    return make_engine(bo.db_url)


@pytest.fixture()
def enrolled_replica(tmp_path, bo, engine):
    """A window's replica (YT0101, region 370602) enrolled with ``bo``."""
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.storage.replica import Replica

    r = Replica.open(tmp_path / "window" / "replica.sqlite3")
    r.set_window("YT0101", "综合受理1号窗口", "烟台市政务服务中心")
    enroll_replica(engine, r, bo.url, region="370602")
    yield r
    r.close()


# Tests that need a POSIX terminal or process model skip on Windows, each with its reason.
POSIX_ONLY_TESTS = {
    "test_tty_scanner.py": "needs tmux and a pseudo-terminal (POSIX only)",
    "test_faults.py": "kill -9 drills assume POSIX process semantics (SIGKILL mid-write)",
    "test_bench_smoke.py": "the bench scripts drive the console in a pty (POSIX only)",
}


def pytest_collection_modifyitems(config, items):
    import sys

    if sys.platform != "win32":
        return
    for item in items:
        reason = POSIX_ONLY_TESTS.get(Path(str(item.fspath)).name)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
