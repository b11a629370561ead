"""``clerk-console demo --init-only`` twice, then ``cases --json``, on the shipped data/."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime

import pytest

from conftest import NOW
from clerk_console import cli
from clerk_console.commands import demo
from clerk_console.domain.case import Outcome, Status
from clerk_console.storage.replica import Replica

FROZEN = datetime(2026, 11, 27, 15, 0)


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(demo, "datetime", FrozenClock)


def test_demo_twice_then_cases_json(tmp_path, frozen, capsys, monkeypatch):
    home = tmp_path / "home"
    assert cli.main(["--data-dir", str(home), "demo", "--init-only"]) == 0
    first = capsys.readouterr().out
    assert "本次新建" in first and "YT0101-20261127-0001" in first
    assert cli.main(["--data-dir", str(home), "demo", "--init-only"]) == 0
    second = capsys.readouterr().out
    assert "沿用已有" in second and "今日示例办件" not in second

    monkeypatch.setattr("sys.stdin", io.StringIO("123456\n"))  # the demo clerk's PIN
    assert cli.main(["--data-dir", str(home), "cases", "--json", "--limit", "50",
                     "--as", "demo"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    outcomes = {r["outcome"] for r in rows}
    assert outcomes == {o.value for o in Outcome}  # an example of every outcome
    statuses = {r["status"] for r in rows}
    assert {"completed", "voided", "delivered", "decided", "deferred"} <= statuses
    assert len({r["case_no"] for r in rows}) == len(rows)
    for r in rows:
        assert "*" in r["applicant_id"] or not r["applicant_id"][:17].isdigit()

    with Replica.open(home / "replica.sqlite3") as rep:
        assert rep.count_cases() == len(rows)
        assert rep.verify_pin("demo", "123456", NOW).role == "clerk"
        assert rep.verify_pin("boss", "654321", NOW).is_supervisor
        assert len(rep.followups()) == 1  # the bad rating of the example notice
        deferred = rep.list_cases(status=Status.DEFERRED)
        assert deferred and all(c.deadline for c in deferred)
        assert len(rep.outbox_pending(10_000)) >= len(rows)
        # the voided example never bars the coffee-shop deferral scenario's applicant
        coffee = rep.find_applicant("91370613MA3CKF011N")
        assert not rep.credit(coffee).broken_deferral


def test_demo_synthetic_cases_go_through_services(tmp_path):
    report = demo.build_demo(tmp_path, now=FROZEN, cases=40)
    # an intake mixing items taken here and elsewhere also saves its signpost (一窗受理)
    assert report.synthetic == 40 and report.total >= 40 + len(report.examples)
    with Replica.open(tmp_path / "replica.sqlite3") as rep:
        cases = rep.list_cases(limit=1000)
        assert len(cases) == report.total
        # every case has its outbox event and its audit entry
        events = rep.outbox_pending(10_000)
        assert len({e.entity_id for e in events if e.entity == "case"}) == report.total
        assert all(rep.audit_entries(c.case_no) for c in cases[:10])
        assert sum(rep.item_usage("demo").values()) >= 40


def test_cases_without_replica_says_what_to_do(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path), "cases"]) == 1
    assert "clerk-console demo" in capsys.readouterr().err


def test_coffee_shop_checklist_takes_the_representatives_id_from_the_library(tmp_path, frozen):
    """一证通办 (seed article: what is in the e-licence library is never asked for on paper):
    the legal representative's e-ID covers the 居民身份证 the bundle's items ask for."""
    from clerk_console.services import intake
    from clerk_console.domain.case import MaterialState
    home = tmp_path / "home"
    assert cli.main(["--data-dir", str(home), "demo", "--init-only", "--no-backoffice"]) == 0
    with Replica.open(home / "replica.sqlite3") as rep:
        coffee = rep.find_applicant("91370613MA3CKF011N")
        cat = rep.catalogue()
        bundle = next(b for b in cat.bundles.values() if b.name == "开办咖啡店/茶馆")
        draft = intake.new_draft(rep, window="YT0101", clerk_id="demo", applicant=coffee,
                                 items=(), bundle=bundle.code, now=FROZEN)
        ids = [m for m in draft.materials if m.code == "id_card"]
        assert ids and all(m.state is MaterialState.ELICENCE for m in ids)
        assert ids[0].elicence_number == coffee.legal_rep_id
        # a person's agent never stands for the person's own ID card
        person = rep.find_applicant("370611197911230315")
        item = next(i for i in cat.items.values() if i.name == "居住证申领")
        other = rep.find_applicant(coffee.legal_rep_id)
        bare = intake.new_draft(rep, window="YT0101", clerk_id="demo", applicant=replace(
            person, id_number="370602199105150268"), items=(item.code,), agent=other, now=FROZEN)
        assert next(m for m in bare.materials if m.code == "id_card").state is MaterialState.PENDING
