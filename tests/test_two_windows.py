"""Two consoles and a back office on one machine, all as real processes on loopback: cases flow
up exactly once, a decision flows down to the window that took the case and to no other."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from clerk_console.storage.replica import Replica
from clerk_console.domain.case import Status
from support.loopback import BackofficeProcess
from support.synthetic import add_cases

DAY = date(2026, 11, 27)
WINDOWS = {"YT0101": 2, "YT0202": 3}  # window code -> cases it takes offline


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture()
def backoffice(tmp_path):
    db = f"sqlite:///{tmp_path / 'backoffice.sqlite3'}"
    with BackofficeProcess(db, home=tmp_path / "bo-home") as bo:
        yield bo, db


def admin(db: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run("clerk_console.backoffice.cli", "--db", db, *args, check=check)


def console(home, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run("clerk_console", "--data-dir", str(home), *args, check=check)


def test_two_consoles_cases_up_decisions_down(tmp_path, backoffice):
    bo, db = backoffice
    homes = {code: tmp_path / code for code in WINDOWS}
    taken: dict[str, list[str]] = {}
    for code, n in WINDOWS.items():
        enroll = admin(db, "enrollment-code", code, "--region", "370602").stdout.strip()
        console(homes[code], "enroll", bo.url, enroll.split()[-1])
        with Replica.open(homes[code] / "replica.sqlite3") as r:  # offline work at the window
            taken[code] = [c.case_no for c in add_cases(r, n, window_code=code, day=DAY)]
    for code, n in WINDOWS.items():
        report = json.loads(console(homes[code], "sync", "--once", "--json").stdout)
        assert report["online"] and report["pushed"] == n and report["queued"] == 0
        # a second round pushes nothing again
        again = json.loads(console(homes[code], "sync", "--once", "--json").stdout)
        assert again["pushed"] == 0

    received = json.loads(admin(db, "cases", "--json").stdout)
    numbers = [c["case_no"] for c in received]
    assert sorted(numbers) == sorted(sum(taken.values(), []))  # every case exactly once

    decided = taken["YT0101"][0]
    admin(db, "decide", decided, "approve")
    for code in WINDOWS:
        console(homes[code], "sync", "--once", "--json")
    with Replica.open(homes["YT0101"] / "replica.sqlite3") as r:
        assert r.get_case(decided).status is Status.DECIDED  # ready to hand out (出件)
        assert [c.case_no for c in r.ready_for_delivery()] == [decided]
    with Replica.open(homes["YT0202"] / "replica.sqlite3") as r:
        assert r.get_case(decided) is None  # a window sees only its own cases
        assert r.ready_for_delivery() == []

    # the back office refuses a decision on a case it never received, in Chinese
    refused = admin(db, "decide", "YT0101-20261127-0999", "approve", check=False)
    assert refused.returncode == 1 and "没有办件" in refused.stderr
