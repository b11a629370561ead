"""Window folders ("homes") the app benches run on.

- ``demo_home``: what a clerk gets from ``clerk-console --data-dir X demo --init-only``.
- ``scratch_home``: a writable copy of the small generated replica (bench/gen_replica.py)
  plus one clean coffee-shop company with no history, so every bench run starts the same.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import benchlib
import gen_replica

VENV_BIN = Path(sys.executable).parent
CAFE_BUNDLE = "B_CAFE"


def console_cmd() -> list[str]:
    exe = VENV_BIN / "clerk-console"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "clerk_console"]


def demo_home(home: Path) -> tuple[Path | None, str]:
    """(a fresh demo window folder, "") or (None, why it could not be made)."""
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    cmd = console_cmd() + ["--data-dir", str(home), "demo", "--init-only"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=benchlib.ROOT, timeout=600)
    if proc.returncode != 0:
        why = (proc.stderr or proc.stdout).strip().splitlines()
        return None, f"`demo --init-only` failed ({proc.returncode}): {why[-1] if why else ''}"
    return home, ""


@dataclass(frozen=True)
class Scratch:
    home: Path
    company: str  # USCC of the clean coffee-shop company
    company_name: str
    clerk: tuple[str, str]  # (clerk id, PIN)


def scratch_home(name: str) -> Scratch:
    """A fresh copy of the small generated replica under bench/out/<name>-home."""
    from datetime import date

    from clerk_console.domain.calendar import default_calendar
    from clerk_console.domain.parties import Applicant, ApplicantKind, ELicence
    from clerk_console.storage.replica import Replica

    source = gen_replica.ensure(gen_replica.QUICK, quiet=True)
    home = benchlib.OUT_DIR / f"{name}-home"
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    from support.replica_files import copy_replica

    copy_replica(source, home / source.name)  # the replica and the id naming its key
    (home / "settings.toml").write_text(
        f'printer = "pdf"\npdf_folder = "{home / "notices"}"\n', encoding="utf-8")
    rnd = random.Random(2026)
    replica = Replica.open(home / source.name)
    try:
        while True:
            company, rep = gen_replica.credit_code(rnd), gen_replica.person_id(rnd)
            if replica.find_applicant(company) is None and replica.find_applicant(rep) is None:
                break
        company_name = "烟台海风咖啡有限公司"
        replica.save_applicant(Applicant(rep, "resident_id", ApplicantKind.PERSON, "林海风"), "bench")
        replica.save_applicant(Applicant(company, "uscc", ApplicantKind.ENTERPRISE, company_name,
                                         legal_rep_id=rep, legal_rep_name="林海风"), "bench")
        replica.save_elicences([ELicence(company, "BL", "营业执照", company,
                                         issued=date(2025, 6, 1))])
        replica.store_calendar(default_calendar())
    finally:
        replica.close()
    clerk_id, _, pin, _ = gen_replica.CLERKS[0]
    return Scratch(home, company, company_name, (clerk_id, pin))
