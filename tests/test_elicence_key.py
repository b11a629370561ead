"""One e-licence identity key (domain.parties.elicence_key): the back office's loader, the
replica's own rows and the sync pages all use it, so a licence saved at the window and the same
licence pulled from the back office are one row, and the back office's tombstone removes it.
It is the only identity: a certificate two holders hold under one number (a 结婚证) is two
rows, one a holder, however it arrives (migration 0015 dropped the (type, number) constraint)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from clerk_console.backoffice.loaders import elicence_records
from clerk_console.domain.parties import ELicence, elicence_key
from clerk_console.storage.replica import pull as pull_mod
from clerk_console.sync import apply
from clerk_console.sync.protocol import Dataset, Page

LIC = ELicence("91370600MA3C0000x", "yyzz", "营业执照", "N1")


def test_the_key_is_the_same_for_the_loader_and_the_domain(tmp_path):
    csv = tmp_path / "lic.csv"
    csv.write_text("holder_id,type_code,name,number,issued,expires,region\n"
                   "91370600ma3c0000x,yyzz,营业执照,N1,2020-01-01,,370602\n", encoding="utf-8")
    [(region, key)] = elicence_records(csv)
    assert (region, key) == ("370602", LIC.key) == ("370602", "91370600MA3C0000X|yyzz|N1")
    assert elicence_key(" 91370600ma3c0000x", "yyzz", "N1") == LIC.key


def live_keys(replica) -> list[str]:
    with replica.tx.read() as s:
        return [r[0] for r in s.execute(text("SELECT key FROM elicence ORDER BY key"))]


def test_a_saved_licence_is_the_row_a_pull_replaces_and_deletes(replica):
    replica.save_elicences([LIC])
    assert live_keys(replica) == [LIC.key]
    replica.apply_page("elicence", [], [LIC.key], 3)  # the back office's tombstone
    assert replica.elicences(LIC.holder_id) == [] and live_keys(replica) == []


# ------------------------------------------------------------ two holders of one certificate

WIFE = ELicence("37061319950303128X", "JHZ", "结婚证", "J370613-2021-008812", date(2021, 5, 20))
HUSBAND = ELicence("370613199311111330", "JHZ", "结婚证", "J370613-2021-008812",
                   date(2021, 5, 20))


def wire(lic: ELicence) -> tuple[str, str]:
    """A pulled row: the back office's key and payload."""
    return lic.key, json.dumps({"holder_id": lic.holder_id, "type_code": lic.type_code,
                                "name": lic.name, "number": lic.number,
                                "issued": lic.issued.isoformat() if lic.issued else "",
                                "expires": ""})


def pull(replica, rows: list[tuple[str, str]], tombstones: list[str], how: str,
         monkeypatch) -> None:
    """Apply a pulled page the way ``how`` names: a small incremental page (one transaction),
    a large one (short transactions by key), a whole download merged by key, or swapped in
    inside a caller's transaction."""
    if how == "delta":  # "large": more writes than SWAP_CHUNK (an unrelated licence's too)
        monkeypatch.setattr(pull_mod, "SWAP_CHUNK", 1)
        monkeypatch.setattr(pull_mod, "DELTA_CHUNK", 1)
        rows = [*rows, wire(LIC)]
        by_key = pull_mod.Pull._apply_by_key
        taken = []
        monkeypatch.setattr(pull_mod.Pull, "_apply_by_key",
                            lambda *a: (taken.append(1), by_key(*a))[1])
    if how in ("page", "delta"):
        apply.apply(replica, Dataset.ELICENCE,
                    Page(rows=rows, tombstones=tombstones, cursor=replica.cursor("elicence") + 1),
                    staging=False)
        assert how == "page" or taken
        return
    replica.restart_pull("elicence")
    page = Page(rows=rows, tombstones=tombstones, cursor=replica.cursor("elicence") + 1)
    if how == "merge":
        apply.apply(replica, Dataset.ELICENCE, page, staging=True)
    else:
        with replica.write():
            apply.apply(replica, Dataset.ELICENCE, page, staging=True)


HOW = ["page", "delta", "merge", "swap"]


def test_two_holders_of_one_certificate_saved_at_the_window_are_two_rows(replica):
    replica.save_elicences([WIFE, HUSBAND])
    assert replica.elicences(WIFE.holder_id) == [WIFE]
    assert replica.elicences(HUSBAND.holder_id) == [HUSBAND]
    assert live_keys(replica) == sorted([WIFE.key, HUSBAND.key])


@pytest.mark.parametrize("how", HOW)
def test_two_holders_of_one_certificate_pulled_are_two_rows(replica, how, monkeypatch):
    pull(replica, [wire(WIFE), wire(HUSBAND)], [], how, monkeypatch)
    assert replica.elicences(WIFE.holder_id) == [WIFE]
    assert replica.elicences(HUSBAND.holder_id) == [HUSBAND]


@pytest.mark.parametrize("how", ["page", "delta"])
def test_a_tombstone_for_one_holder_removes_only_that_holders_row(replica, how, monkeypatch):
    replica.save_elicences([WIFE])  # one saved at the window, the other pulled
    pull(replica, [wire(HUSBAND)], [], "page", monkeypatch)
    pull(replica, [], [HUSBAND.key], how, monkeypatch)
    assert replica.elicences(HUSBAND.holder_id) == []
    assert replica.elicences(WIFE.holder_id) == [WIFE]
    pull(replica, [wire(HUSBAND)], [WIFE.key], how, monkeypatch)  # and the other way round
    assert replica.elicences(WIFE.holder_id) == []
    assert replica.elicences(HUSBAND.holder_id) == [HUSBAND]


def test_a_download_without_one_holder_keeps_the_other(replica, monkeypatch):
    replica.save_elicences([WIFE, HUSBAND])
    pull(replica, [wire(WIFE)], [], "merge", monkeypatch)  # the husband's is no longer published
    assert replica.elicences(WIFE.holder_id) == [WIFE]
    assert replica.elicences(HUSBAND.holder_id) == []
