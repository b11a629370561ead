"""One e-licence identity key (domain.parties.elicence_key): the back office's loader, the
replica's own rows and the sync pages all use it, so a licence saved at the window and the same
licence pulled from the back office are one row, and the back office's tombstone removes it."""
from __future__ import annotations

from sqlalchemy import text

from clerk_console.backoffice.loaders import elicence_records
from clerk_console.domain.parties import ELicence, elicence_key

LIC = ELicence("91370600MA3C0000x", "yyzz", "营业执照", "N1")


def test_the_key_is_the_same_for_the_loader_and_the_domain(tmp_path):
    csv = tmp_path / "lic.csv"
    csv.write_text("holder_id,type_code,name,number,issued,expires,region\n"
                   "91370600ma3c0000x,yyzz,营业执照,N1,2020-01-01,,370602\n", encoding="utf-8")
    [(region, key)] = elicence_records(csv)
    assert (region, key) == ("370602", LIC.key) == ("370602", "91370600MA3C0000X|yyzz|N1")
    assert elicence_key(" 91370600ma3c0000x", "yyzz", "N1") == LIC.key


def test_a_saved_licence_is_the_row_a_pull_replaces_and_deletes(replica):
    replica.save_elicences([LIC])
    keys = lambda: [r[0] for r in replica.tx.engine.connect().execute(  # noqa: E731
        text("SELECT key FROM elicence"))]
    assert keys() == [LIC.key]
    replica.apply_page("elicence", [], [LIC.key], 3)  # the back office's tombstone
    assert replica.elicences(LIC.holder_id) == [] and keys() == []


def test_a_row_kept_under_an_older_key_is_replaced_not_refused(replica):
    with replica.tx.engine.begin() as c:
        c.execute(text("INSERT INTO elicence (key, holder_id, type_code, name, number) "
                       "VALUES ('yyzz:N1', :h, 'yyzz', '营业执照', 'N1')"), {"h": LIC.holder_id})
    replica.save_elicences([LIC])
    assert replica.elicences(LIC.holder_id) == [LIC]


def test_two_holders_of_one_certificate_save_as_before_without_an_error(replica):
    """A 结婚证 is held by both spouses under one number; the replica keeps one row per
    (type, number), the last saved, as it did under the older key (the demo data has one)."""
    wife = ELicence("37061319950303128X", "JHZ", "结婚证", "J370613-2021-008812")
    husband = ELicence("370613199311111330", "JHZ", "结婚证", "J370613-2021-008812")
    replica.save_elicences([wife, husband])
    assert replica.elicences(husband.holder_id) == [husband]
