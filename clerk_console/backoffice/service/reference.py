"""Publishing reference data and decisions: the change log every pull reads from.

Each record is ``(dataset, scope, key)`` with the sequence of its last change; a deletion is
a tombstone (kept until compacted, then the dataset's floor rises above it).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from clerk_console.sync.protocol import Dataset, canonical_json, payload_hash

from .common import COUNTER, FLOOR, LOG, BackofficeError, _chunks, _insert
from .facts import mark_all_dirty


def allocate_seq(conn: Connection, n: int) -> int:
    """Reserve ``n`` sequence numbers; returns the first. The counter row stays locked until
    commit, so change-log sequences become visible strictly in order (no late commits)."""
    last: int = conn.execute(update(COUNTER).where(COUNTER.c.name == "change_log")
                             .values(value=COUNTER.c.value + n)
                             .returning(COUNTER.c.value)).scalar_one()
    return last - n + 1


def _existing(conn: Connection, dataset: Dataset, records: Mapping[tuple[str, str], Any],
              scopes: set[str]) -> dict[tuple[str, str], tuple[str, bool]]:
    """``{(scope, key): (hash, deleted)}`` of the stored records that ``records`` may change:
    every record of the ``scopes`` being replaced, and the given keys of other scopes (a
    decision reads its one key, not every decision ever made)."""
    found: dict[tuple[str, str], tuple[str, bool]] = {}
    cols = select(LOG.c.scope, LOG.c.key, LOG.c.hash, LOG.c.deleted).where(
        LOG.c.dataset == dataset.value)
    for chunk in _chunks(sorted(scopes), 500):
        for r in conn.execute(cols.where(LOG.c.scope.in_(chunk))):
            found[(r[0], r[1])] = (r[2], r[3])
    by_scope: dict[str, list[str]] = {}
    for scope, key in records:
        if scope not in scopes:
            by_scope.setdefault(scope, []).append(key)
    for scope, keys in by_scope.items():  # primary-key lookups (dataset, scope, key)
        for chunk in _chunks(keys, 500):
            for r in conn.execute(cols.where((LOG.c.scope == scope) & LOG.c.key.in_(chunk))):
                found[(r[0], r[1])] = (r[2], r[3])
    return found


MAX_REPLACE_SHARE = 0.2  # a replace may delete at most this share of live records unforced


def put_records(conn: Connection, dataset: Dataset, records: Mapping[tuple[str, str], dict[str, Any]], *,
                replace_scopes: Iterable[str] | None = None,
                max_delete_share: float | None = None) -> dict[str, int]:
    """Upsert ``{(scope, key): payload}``; with ``replace_scopes`` every other live record of
    those scopes becomes a tombstone. Unchanged records keep their sequence (not re-sent).
    With ``max_delete_share`` a replace that would delete more than that share of the live
    records (an empty or truncated file) is refused before anything is written. All in the
    caller's transaction: for a large import use :func:`import_records`."""
    changes, counts = _plan(conn, dataset, records, replace_scopes, max_delete_share)
    _apply(conn, dataset, changes)
    return counts


IMPORT_CHUNK = 5_000  # change-log rows per transaction of an import


def import_records(engine: Engine, dataset: Dataset,
                   records: Mapping[tuple[str, str], dict[str, Any]], *,
                   replace_scopes: Iterable[str] | None = None,
                   max_delete_share: float | None = None, chunk: int = IMPORT_CHUNK,
                   on_chunk: Callable[[int], None] | None = None) -> dict[str, int]:
    """:func:`put_records` for a large import (e-licences): the changes are worked out in a
    read-only snapshot, then written ``chunk`` at a time, each chunk in its own short
    transaction with its own range of sequences, so the change-log counter (locked until
    commit) is held for one chunk, never the whole import, and decisions and pushes go on in
    between. A refused replace writes nothing; an import cut off part-way leaves the chunks
    written so far published (each record is whole) and running it again finishes it (the
    records written already are unchanged and skipped). ``on_chunk(rows)`` runs after each
    commit."""
    from clerk_console.backoffice.db import reading

    with reading(engine) as conn:
        changes, counts = _plan(conn, dataset, records, replace_scopes, max_delete_share)
    for part in _chunks(changes, chunk):
        with engine.begin() as conn:
            _apply(conn, dataset, list(part))
        if on_chunk is not None:
            on_chunk(len(part))
    return counts


def _plan(conn: Connection, dataset: Dataset, records: Mapping[tuple[str, str], dict[str, Any]],
          replace_scopes: Iterable[str] | None,
          max_delete_share: float | None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The change-log rows ``records`` change (without sequences) and the counts."""
    scopes = set(replace_scopes) if replace_scopes is not None else set()
    existing = _existing(conn, dataset, records, scopes)
    changes: list[dict[str, Any]] = []
    for (scope, key), payload in records.items():
        h = payload_hash(payload)
        old = existing.get((scope, key))
        if old is not None and old[0] == h and not old[1]:
            continue
        changes.append(dict(scope=scope, key=key, deleted=False, hash=h,
                            payload=canonical_json(payload)))
    deleted = 0
    if replace_scopes is not None:
        live = 0
        for (scope, key), (_h, dead) in existing.items():
            if not dead and scope in scopes:
                live += 1
                if (scope, key) not in records:
                    changes.append(dict(scope=scope, key=key, deleted=True, hash="",
                                        payload="{}"))
                    deleted += 1
        if max_delete_share is not None and live and deleted > live * max_delete_share:
            raise BackofficeError(
                f"本次导入将删除现有{live}条中的{deleted}条（超过{max_delete_share:.0%}），"
                "文件可能为空或不完整，未做任何修改；确认无误请加 --force 重新导入")
    return changes, {"changed": len(changes) - deleted, "deleted": deleted,
                     "unchanged": len(records) - (len(changes) - deleted)}


def _apply(conn: Connection, dataset: Dataset, changes: list[dict[str, Any]]) -> None:
    """Write ``changes`` with fresh sequences taken from the counter (locked until commit)."""
    if not changes:
        return
    if dataset is Dataset.CATALOGUE:  # the dashboard counts cases for their items' departments
        mark_all_dirty(conn)  # before the counter, as every writer marks and then publishes
    first = allocate_seq(conn, len(changes))
    rows = [dict(ch, seq=first + i, dataset=dataset.value) for i, ch in enumerate(changes)]
    for chunk in _chunks(rows, 5_000):
        stmt = _insert(conn, LOG)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dataset", "scope", "key"],
            set_=dict(seq=stmt.excluded.seq, deleted=stmt.excluded.deleted,
                      hash=stmt.excluded.hash, payload=stmt.excluded.payload))
        conn.execute(stmt, list(chunk))


def compact(conn: Connection, dataset: Dataset, *, keep: int) -> int:
    """Drop tombstones except the newest ``keep`` sequences of the log; raise the floor."""
    top = conn.execute(select(func.max(LOG.c.seq))).scalar() or 0
    limit = top - keep
    if limit <= 0:
        return 0
    n: int = conn.execute(LOG.delete().where((LOG.c.dataset == dataset.value) & LOG.c.deleted
                                             & (LOG.c.seq <= limit))).rowcount
    current = conn.execute(select(FLOOR.c.floor).where(FLOOR.c.dataset == dataset.value)).scalar()
    if current is None:
        conn.execute(FLOOR.insert().values(dataset=dataset.value, floor=limit))
    elif current < limit:
        conn.execute(FLOOR.update().where(FLOOR.c.dataset == dataset.value).values(floor=limit))
    return n
