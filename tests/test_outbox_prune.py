"""The outbox's maintained counters (the status bar reads them, not a COUNT every 2 s) and the
pruning of acknowledged events older than ``outbox_retention_days`` (issue #17)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from clerk_console.config import Settings, SettingsError
from clerk_console.storage.replica import outbox
from clerk_console.sync.protocol import ItemStatus, PushResult

from conftest import NOW
from support.cases import make_case


def save(replica, n: int, at=NOW) -> list:
    for i in range(n):
        case = make_case(f"YT0101-{at:%Y%m%d}-{i + 1:04d}", created=at)
        replica.save_case(case, clerk_id="c1", action="x", at=at)
    return replica.outbox_pending(10_000)


def counted(replica) -> dict[str, int]:
    got = replica.outbox_counts()
    return {s: got.get(s, 0) for s in outbox.COUNTED}


def test_counters_follow_saves_answers_and_repeated_answers(replica) -> None:
    assert replica.outbox_queue() == counted(replica)  # counted once, then kept
    events = save(replica, 4)
    assert replica.outbox_queue() == {"pending": 4, "refused": 0} == counted(replica)
    answers = [PushResult(id=events[0].id, status=ItemStatus.ACCEPTED),
               PushResult(id=events[1].id, status=ItemStatus.DUPLICATE),
               PushResult(id=events[2].id, status=ItemStatus.REFUSED, message="不属于本窗口")]
    replica.mark_pushed(answers)
    assert replica.outbox_queue() == {"pending": 1, "refused": 1} == counted(replica)
    replica.mark_pushed(answers)  # the same answers again (a retried push): nothing moves twice
    replica.mark_failed([events[3].id], "timeout")
    assert replica.outbox_queue() == {"pending": 1, "refused": 1} == counted(replica)


def test_the_queue_is_read_from_the_counters_not_counted(replica) -> None:
    save(replica, 2)
    replica.outbox_queue()
    with replica.write() as s:  # a row the counters do not know of: proves no COUNT is made
        s.execute(text("UPDATE outbox SET status = 'refused' WHERE rowid = "
                       "(SELECT min(rowid) FROM outbox)"))
    assert replica.outbox_queue() == {"pending": 2, "refused": 0}
    with replica.write() as s:  # counters gone (an older file): counted again, once
        s.execute(text("DELETE FROM kv WHERE key LIKE 'outbox_count_%'"))
    assert replica.outbox_queue() == {"pending": 1, "refused": 1} == counted(replica)


def test_prune_drops_only_acknowledged_events_past_the_retention(replica, monkeypatch) -> None:
    monkeypatch.setattr(outbox, "PRUNE_BATCH", 3)  # several batches
    old = NOW - timedelta(days=200)
    events = save(replica, 8, at=old)
    replica.mark_pushed([PushResult(id=e.id, status=ItemStatus.ACCEPTED) for e in events[:6]],
                        at=old + timedelta(minutes=5))
    replica.mark_pushed([PushResult(id=events[6].id, status=ItemStatus.REFUSED, message="x")],
                        at=old)
    recent = save(replica, 2)[-2:]  # the two new ones (the old eighth is still pending)
    replica.mark_pushed([PushResult(id=e.id, status=ItemStatus.ACCEPTED) for e in recent], at=NOW)
    assert replica.prune_outbox(NOW - timedelta(days=90)) == 6
    assert replica.outbox_counts() == {"pushed": 2, "refused": 1, "pending": 1}
    assert replica.outbox_queue() == counted(replica)
    assert replica.prune_outbox(NOW - timedelta(days=90)) == 0


def test_retention_is_a_validated_setting(tmp_path) -> None:
    assert Settings().outbox_retention_days == 90
    (tmp_path / "settings.toml").write_text("outbox_retention_days = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="outbox_retention_days"):
        Settings.load(tmp_path)


def test_the_sync_worker_prunes_at_most_every_few_hours(tmp_path, monkeypatch) -> None:
    from clerk_console.sync import worker as worker_mod

    class Replica:
        cutoffs: list = []

        def prune_outbox(self, before):
            self.cutoffs.append(before)
            return 0

    (tmp_path / "settings.toml").write_text("outbox_retention_days = 30\n", encoding="utf-8")
    w = worker_mod.SyncWorker(tmp_path)
    clock = [1000.0]
    monkeypatch.setattr(worker_mod.time, "monotonic", lambda: clock[0])
    r = Replica()
    w._prune(r)
    w._prune(r)  # moments later: not again
    clock[0] += worker_mod.PRUNE_EVERY_SECONDS
    w._prune(r)
    assert len(r.cutoffs) == 2 and w.retention == timedelta(days=30)
