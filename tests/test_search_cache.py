"""The search index on disk (storage/search_cache.py) and the desk opening in two steps: sign-in
goes ahead once the replica is open, the catalogue and the index load behind it."""
from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from clerk_console.domain.rules import CITY_SCOPE, TOWNSHIP_SCOPE
from clerk_console.domain.search import SearchIndex
from clerk_console.storage import search_cache
from clerk_console.datafiles.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["kfd", "kafei", "咖啡", "食品", "spjy", "gg", "许可", "370", "xk", ""]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(ROOT / "data" / "catalogue")


def answers(index: SearchIndex) -> list[list[tuple]]:
    return [[(h.kind, h.code, h.score, h.signpost, h.detail) for h in index.search(q, 20)]
            for q in QUERIES]


def test_state_round_trip_searches_the_same(catalogue) -> None:
    built = SearchIndex.build(catalogue, scope=TOWNSHIP_SCOPE)
    again = SearchIndex.from_state(built.state())
    assert answers(again) == answers(built)
    assert any(answers(built))  # the queries do find things
    usage = {built.search("kfd", 1)[0].code: (9, 0.0)}
    assert answers(again.with_usage(usage)) == answers(built.with_usage(usage))


@pytest.mark.parametrize("state", [(), ("x",), (999, [], [], [], [], [], {}, {}, {}),
                                   (1, [], ["a"], [], [], [], {}, {}, {})])
def test_a_foreign_state_is_refused(state) -> None:
    with pytest.raises(ValueError):
        SearchIndex.from_state(state)


def test_cache_is_written_once_and_read_back_without_building(catalogue, tmp_path, monkeypatch) -> None:
    first = search_cache.build(tmp_path, catalogue, CITY_SCOPE)
    path = tmp_path / search_cache.CACHE_FILE
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600

    def no_build(*_a, **_k):
        raise AssertionError("built again although the cache fits")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    cached = search_cache.build(tmp_path, catalogue, CITY_SCOPE)
    assert answers(cached) == answers(first)


def test_another_scope_or_catalogue_or_a_broken_file_rebuilds(catalogue, tmp_path) -> None:
    search_cache.build(tmp_path, catalogue, CITY_SCOPE)
    assert search_cache.load(tmp_path, catalogue, TOWNSHIP_SCOPE) is None  # signposts differ
    from dataclasses import replace

    assert search_cache.load(tmp_path, replace(catalogue, version="other"), CITY_SCOPE) is None
    path = tmp_path / search_cache.CACHE_FILE
    path.write_bytes(path.read_bytes()[:1000])  # cut short
    assert search_cache.load(tmp_path, catalogue, CITY_SCOPE) is None
    rebuilt = search_cache.build(tmp_path, catalogue, CITY_SCOPE)
    assert answers(rebuilt) == answers(SearchIndex.build(catalogue, scope=CITY_SCOPE))
    assert search_cache.load(tmp_path, catalogue, CITY_SCOPE) is not None  # rewritten whole


def test_sign_in_is_possible_before_the_catalogue_is_loaded(tmp_path) -> None:
    from support.ui import make_home

    from clerk_console.ui.desk import Desk

    desk = Desk(make_home(tmp_path))
    seen: dict[str, object] = {}
    go_on = threading.Event()

    def signin_ready() -> None:  # the sign-in gate is open (storage/gate.py)
        seen.update(can_sign_in=desk.can_sign_in, ready=desk.ready, catalogue=desk.catalogue)
        seen["clerk"] = desk.sign_in("1001", "123412").name

    def replica_open() -> None:  # what the app waits for before the intake screen
        seen["replica"] = desk.replica is not None and desk.catalogue is None
        go_on.wait(10)

    desk.on_replica_open = replica_open
    opener = threading.Thread(target=desk.open, args=(signin_ready,))
    opener.start()
    try:
        for _ in range(500):
            if "replica" in seen:
                break
            go_on.wait(0.02)
        assert seen == {"can_sign_in": True, "ready": False, "catalogue": None, "clerk": "王芳",
                        "replica": True}
        desk.use_clerk_usage("1001")  # at sign-in, before the index exists
        go_on.set()
        assert desk.search("kfd", 1)[0].name.startswith("开办咖啡店")  # waits for the index
        assert desk.ready
    finally:
        go_on.set()
        opener.join(10)
        desk.close()
    assert (desk.home / search_cache.CACHE_FILE).exists()


def test_printing_is_warmed_after_sign_in_not_before(tmp_path) -> None:
    """reportlab and the notice font load in a worker after sign-in (the first notice of a
    session took 181-205 ms); a receipt printer needs neither."""
    import subprocess
    import sys

    from support.ui import make_home

    home = make_home(tmp_path)
    probe = ("import sys; from pathlib import Path; from clerk_console.ui.desk import Desk;"
             "from clerk_console.config import Settings;"
             f"d = Desk(Path({str(home)!r})); d.open(); before = 'reportlab' in sys.modules;"
             "Desk(d.home, Settings(printer='escpos')).warm_printing();"
             "receipt = 'reportlab' in sys.modules;"
             "d.warm_printing(); from clerk_console.printing import pdf;"
             "print(before, receipt, 'reportlab' in sys.modules, pdf.pick_font.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "True", "1"]
