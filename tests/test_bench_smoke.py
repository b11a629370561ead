"""The bench scripts run end to end in their small (--quick) sizes, so they do not rot.

Nothing here asserts a time: the benches print their figures; these tests only check that each
script runs, says what it measured in its RESULT lines, and that the data generators produce
what the rest of the project accepts.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import benchlib  # noqa: E402
import gen_catalogue  # noqa: E402
import gen_replica  # noqa: E402
from ptyrun import screen_text  # noqa: E402

pytestmark = pytest.mark.xdist_group("bench")  # one worker: they share the generated replica


@pytest.fixture(scope="module")
def bench_out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench-out")


def run_bench(script: str, out: Path, *args: str, timeout: float = 300) -> list[dict]:
    env = dict(os.environ, CLERK_BENCH_OUT=str(out), CLERK_CONSOLE_HOME=str(out / "home"))
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return [json.loads(line[7:]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")]


def metrics(records: list[dict]) -> dict[str, dict]:
    return {r["metric"]: r for r in records}


# -- the helpers ---------------------------------------------------------------------------------

def test_percentile_and_median() -> None:
    values = [float(v) for v in range(1, 101)]
    assert benchlib.percentile(values, 95) == 95.0
    assert benchlib.percentile(values, 100) == 100.0
    assert benchlib.percentile([3.0], 50) == 3.0
    assert benchlib.median([1.0, 9.0, 2.0]) == 2.0


def test_result_line_carries_the_ratio(capsys) -> None:
    rec = benchlib.result("demo", "latency", 5.0, "ms", 10.0)
    line = capsys.readouterr().out.splitlines()[-1]
    assert json.loads(line[len("RESULT "):]) == rec
    assert rec["ratio"] == 0.5


def test_screen_text_drops_escape_sequences() -> None:
    raw = "\x1b[?1049h\x1b[1;1H\x1b[38;2;255;255;255m政务服务\x1b[0m综合受理\r\n".encode()
    assert screen_text(raw) == "政务服务综合受理"


# -- the generators ------------------------------------------------------------------------------

def test_generated_catalogue_passes_the_catalogue_rules() -> None:
    from clerk_console.datafiles.catalogue import catalogue_from_dict, catalogue_to_dict
    from clerk_console.domain.rules import item_problem

    cat = gen_catalogue.generate(2_000)
    assert len(cat.items) == 2_000 and gen_catalogue.generate(2_000) == cat  # deterministic
    assert [(i.code, item_problem(i)) for i in cat.items.values() if item_problem(i)] == []
    assert catalogue_from_dict(catalogue_to_dict(cat)) == cat
    cafe = cat.bundles["B_CAFE"]
    assert cafe.name == "开办咖啡店/茶馆" and all(cat.items[c].deferral for c in cafe.items)


def test_generated_codes_are_valid() -> None:
    import random

    from clerk_console.domain.codes import identify

    rnd = random.Random(3)
    for _ in range(200):
        for code, kind in ((gen_replica.person_id(rnd), "resident_id"), (gen_replica.credit_code(rnd), "uscc")):
            found = identify(code, date(2026, 11, 27))
            assert found.valid and found.kind == kind, found.describe()


def test_replica_is_built_once_and_reused(bench_out: Path, monkeypatch) -> None:
    monkeypatch.setattr(benchlib, "OUT_DIR", bench_out)
    path = gen_replica.ensure(gen_replica.QUICK, quiet=True)
    stamp = path.stat().st_mtime_ns
    assert gen_replica.ensure(gen_replica.QUICK, quiet=True) == path
    assert path.stat().st_mtime_ns == stamp

    from clerk_console.storage.replica import Replica

    replica = Replica.open(path)
    try:
        assert replica.count_cases() == gen_replica.QUICK.cases
        assert replica.window().code == gen_replica.WINDOW
        assert "B_CAFE" in replica.catalogue().bundles
    finally:
        replica.close()


# -- the bench scripts ---------------------------------------------------------------------------

def test_bench_scan(bench_out: Path) -> None:
    got = metrics(run_bench("bench_scan.py", bench_out, "--quick", "--pilot"))
    assert got["lookup_median"]["target"] == 50.0 and got["lookup_median"]["value"] > 0
    assert got["pilot_panel_median"]["scans"] >= 3 and got["pilot_panel_p95"]["value"] > 0


def test_bench_startup(bench_out: Path) -> None:
    got = metrics(run_bench("bench_startup.py", bench_out, "--quick"))
    assert got["ratio_console_to_bare"]["target"] == 1.5
    assert got["bare_first_paint"]["value"] > 0 and got["console_first_paint"]["value"] > 0
    assert got["ratio_console_to_bare"]["side"] == "demo"  # ready to sign in vs bare first paint
    assert got["console_ready_to_sign_in"]["value"] > 0 and got["rss_at_sign_in_demo"]["value"] > 20


def test_bench_keystrokes(bench_out: Path) -> None:
    got = metrics(run_bench("bench_keystrokes.py", bench_out, "--quick"))
    assert 5 <= got["cafe_deferral_intake"]["value"] <= 25


def test_bench_memory(bench_out: Path) -> None:
    got = metrics(run_bench("bench_memory.py", bench_out, "--quick"))
    assert got["intakes_closed"]["value"] == 10  # every scanned applicant's case was saved
    assert got["rss_end"]["target"] == 150.0 and got["rss_end"]["intakes"] == 10


def test_bench_attacks(bench_out: Path) -> None:
    """Every attack of issue #10 replayed; the script exits 1 if one succeeds."""
    got = metrics(run_bench("bench_attacks.py", bench_out, "--quick", timeout=600))
    assert got["succeeded"]["value"] == 0 and got["succeeded"]["tried"] >= 25
    assert got["oversized_exhausting"]["value"] == 0 and got["pii_exposures"]["value"] == 0
    assert got["enroll_race_tokens"]["SQLite"] == 1 and got["kill9_lost"]["value"] == 0


def test_run_all_runs_the_search_bench_and_summarises(bench_out: Path) -> None:
    env = dict(os.environ, CLERK_BENCH_OUT=str(bench_out))
    proc = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--quick", "--only", "search"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = {line.split()[1]: line.split() for line in proc.stdout.splitlines()
            if line.startswith("search ")}
    assert {"build", "keystroke_median", "keystroke_p95"} <= set(rows)
    assert rows["keystroke_median"][4] == "10" and rows["keystroke_median"][-1] in ("OK", "MISSED")


def test_bench_outbox(bench_out: Path) -> None:
    got = metrics(run_bench("bench_outbox.py", bench_out, "--quick"))
    assert got["queue_by_counter"]["rows"] == 5000 and got["queue_by_count"]["value"] > 0
    assert got["pruned"]["value"] > 0 and got["prune_longest_transaction"]["target"] == 50.0


def test_bench_save_during_pull(bench_out: Path) -> None:
    got = metrics(run_bench("bench_save_during_pull.py", bench_out, "--quick"))
    assert got["save_p99_short"]["target"] == 50.0 and got["save_p99_short"]["rows"] == 20000
    assert got["saves_failed_short"]["value"] == 0 and got["pull_short"]["value"] > 0


def test_bench_delta(bench_out: Path) -> None:
    got = metrics(run_bench("bench_delta.py", bench_out, "--quick"))
    assert got["ratio_delta_to_fresh"]["target"] == 1.5 and got["delta_per_row"]["rows"] == 20000


def test_bench_workbench(bench_out: Path) -> None:
    got = metrics(run_bench("bench_workbench.py", bench_out, "--quick", "--db", "sqlite"))
    assert got["sqlite_first_page_server"]["items"] == 30000
    assert got["sqlite_first_page_server"]["target"] == 200.0
    assert got["sqlite_queue_service"]["value"] > 0 and "sqlite_search_server" in got


@pytest.mark.postgres
def test_bench_backoffice(bench_out: Path) -> None:
    from support.postgres import server_url

    server_url()  # skipped (or failed in CI) without the PostgreSQL server
    got = metrics(run_bench("bench_backoffice.py", bench_out, "--quick"))
    assert got["dashboard_year"]["target"] == 1.0 and got["dashboard_year"]["cases"] == 20000
    assert got["push_lost_or_doubled"]["value"] == 0 and got["push_p99"]["value"] > 0
