"""监管评价 shows a day of the demo: the demo window's cases of one day (its examples and
synthetic cases, made through the services), synced by the real sync to the embedded back
office, give the dashboard the figures the window itself holds."""
from __future__ import annotations

from datetime import datetime

from clerk_console.backoffice.dashboard.service import TAKEN, dashboard
from clerk_console.backoffice.db import make_engine, reading
from clerk_console.commands import demo
from clerk_console.commands.embedded import start_embedded
from clerk_console.storage.replica import Replica
from clerk_console.sync.runner import client_for, sync_once

DAY = datetime(2026, 11, 27, 9, 30)  # the demo's day (a Friday), the window's local time


def test_the_dashboard_shows_a_day_of_the_demo(tmp_path):
    report = demo.build_demo(tmp_path, now=DAY, cases=30)
    with Replica.open(tmp_path / "replica.sqlite3") as replica:
        cases = replica.list_cases(limit=1000)
        office = start_embedded(tmp_path, replica)
        try:
            while sync_once(replica, client_for(replica), batch=50).pushed:
                pass
            engine = make_engine(office.db_url)
            with reading(engine) as conn:
                d = dashboard(conn, DAY.date(), DAY.date(), today=DAY.date())
            engine.dispose()
        finally:
            office.stop()
    taken = [c for c in cases if c.outcome is not None and c.outcome.value in TAKEN
             and c.accepted_at.date() == DAY.date()]  # the synthetic ones span earlier days
    assert report.total == len(cases) and taken
    assert [r.key for r in d.windows] == [demo.WINDOW_CODE]
    assert d.total.taken == len(taken)
    assert d.total.items == sum(len(c.items) for c in taken)
    deferred = [c for c in taken if c.outcome.value == "deferred"]
    assert (d.total.deferrals_open + d.total.deferrals_supplied + d.total.deferrals_voided
            == len(deferred))
    assert sum(r.figures.items for r in d.departments) == d.total.items
