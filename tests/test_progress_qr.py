"""The applicant's progress QR: a token made at the window when the case is created (offline),
pushed with the case, and every notice's QR encodes ``<base>/p/<token>`` (the base a setting,
else the back office's address). PDFs are rendered for real and their QR decoded back."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from clerk_console.config import Settings, SettingsError
from clerk_console.printing import pdf
from clerk_console.printing.notices import case_documents
from clerk_console.storage.replica import KV_SYNC_URL

from conftest import NOW, small_catalogue
from support.progress import accept, decode_qr, open_window

BASE = "https://zwfw.example.cn/hall"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


@pytest.fixture
def window(tmp_path):
    replica = open_window(tmp_path / "replica.sqlite3", small_catalogue())
    yield replica
    replica.close()


def test_a_new_case_has_its_own_unguessable_token_pushed_with_it(window):
    first, second = accept(window), accept(window)
    assert TOKEN.match(first.progress_token) and TOKEN.match(second.progress_token)
    assert first.progress_token != second.progress_token
    assert first.case_no not in first.progress_token
    assert window.get_case(first.case_no).progress_token == first.progress_token
    pushed = [e.payload for e in window.outbox_pending() if e.entity_id == first.id]
    assert pushed and pushed[-1]["progress_token"] == first.progress_token
    from clerk_console.sync.protocol import CasePayload

    assert CasePayload.model_validate(pushed[-1]).model_extra["progress_token"] == \
        first.progress_token


def test_the_notice_qr_opens_the_progress_page(window, tmp_path):
    case = accept(window)
    docs = case_documents(window, case, settings=Settings(progress_url=BASE), home=tmp_path,
                          now=NOW)
    url = f"{BASE}/p/{case.progress_token}"
    assert docs and all(d.qr_payload == url for d in docs)
    assert decode_qr(pdf.render(docs[0]).data, tmp_path) == [url]


def test_the_base_defaults_to_the_back_office_address(window, tmp_path):
    case = accept(window)
    window.set_kv(KV_SYNC_URL, "https://backoffice.hall.example:8443")
    docs = case_documents(window, case, settings=Settings(), home=tmp_path, now=NOW)
    assert docs[0].qr_payload == f"https://backoffice.hall.example:8443/p/{case.progress_token}"


def test_before_enrollment_without_a_base_the_qr_keeps_the_case_number(window, tmp_path):
    case = accept(window)
    docs = case_documents(window, case, settings=Settings(), home=tmp_path, now=NOW)
    assert docs[0].qr_payload == case.case_no


def test_an_older_case_gets_a_token_on_first_print_and_pushes_it(window, tmp_path):
    case = accept(window)
    old = replace(case, progress_token="", version=case.version + 1)
    window.save_case(old, clerk_id="c1", action="test.old", at=NOW)  # as an older console left it
    assert window.get_case(case.case_no).progress_token == ""
    settings = Settings(progress_url=BASE)
    first = case_documents(window, old, settings=settings, home=tmp_path, now=NOW)
    token = window.get_case(case.case_no).progress_token
    assert TOKEN.match(token) and first[0].qr_payload == f"{BASE}/p/{token}"
    pushed = [e.payload for e in window.outbox_pending() if e.entity_id == case.id]
    assert pushed[-1]["progress_token"] == token
    assert pushed[-1]["version"] == old.version + 1
    again = case_documents(window, old, settings=settings, home=tmp_path, now=NOW)  # a reprint
    assert again[0].qr_payload == first[0].qr_payload
    assert len([e for e in window.outbox_pending() if e.entity_id == case.id]) == len(pushed)


@pytest.mark.parametrize("bad", ["zwfw.example.cn", "ftp://zwfw.example.cn",
                                 "https://zwfw.example.cn/?case=1", "https:// x"])
def test_a_bad_progress_base_is_refused_in_chinese(tmp_path, bad):
    (tmp_path / "settings.toml").write_text(f'progress_url = "{bad}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="progress_url") as err:
        Settings.load(tmp_path, environ={})
    assert "第 1 行" in str(err.value)
    (tmp_path / "settings.toml").write_text("", encoding="utf-8")
    assert Settings.load(tmp_path, environ={"CLERK_CONSOLE_PROGRESS_URL": BASE}).progress_url == BASE


def test_the_token_reaches_the_back_office_with_the_case(window, bo, engine):
    """Over real HTTP on loopback: the pushed case carries its token to the back office."""
    import json

    from sqlalchemy import select

    from clerk_console.backoffice.db import reading
    from clerk_console.backoffice.service.common import CASE
    from clerk_console.commands.embedded import enroll_replica
    from clerk_console.sync.runner import client_for, sync_once

    enroll_replica(engine, window, bo.url, region="370602")
    case = accept(window)
    with client_for(window) as client:
        assert sync_once(window, client).pushed >= 1
    with reading(engine) as conn:
        payload = conn.execute(select(CASE.c.payload).where(CASE.c.id == case.id)).scalar_one()
    assert json.loads(payload)["progress_token"] == case.progress_token
