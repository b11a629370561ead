"""Pulled reference data and decisions: one handler per dataset, registered by name.

Incremental pages go through :meth:`Pull.apply_page`, each with its cursor in one transaction;
a large e-licence page (``KeyedDelta``) goes in transactions of ``DELTA_CHUNK`` writes in key
order instead, the cursor with the last (its writes end where the page's rows applied one by
one do, in whatever chunks). A first download, or a reset (the cursor is older than the server
keeps), is staged page by page in ``sync_stage`` inside the replica file, with its progress in
``kv`` in the same transaction (so a killed console resumes where it stopped); the last page
swaps the staged copy in for the live one.

``sync_stage`` is append-only (migration 0004): rows and tombstones of a page are appended
sorted by key, whatever order their keys come in, and the swap takes the newest row of each
key (the small datasets: one sort; the e-licences: the pages merged as sorted runs, see
``newest_staged``). Keeping the staged copy sorted by key instead costs a random B-tree insert
per row, which made a shuffled million-row download several times slower.

Sync never holds the write lock for long while the clerk works (a case save waits on it):
a page is staged in transactions of ``STAGE_CHUNK`` rows, and a large dataset with a keyed
swap (e-licences) is merged into the live table in transactions of ``SWAP_CHUNK`` keys, read
in key order from a snapshot that takes no lock. During such a merge a holder's e-licences may
be the old or the new ones for a few seconds; the cursor moves only when the merge is done,
so a console stopped half-way merges again from its last staged page (idempotent).

A dataset is added with :func:`dataset` (see docs/howto.md): its name (the wire's
``sync.protocol.Dataset`` value), how a page is applied, whether a first download is staged,
and optionally a bulk swap of the staged copy or a keyed merge (``KeyedSwap``), and large
incremental pages by key (``KeyedDelta``).
"""
from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeAlias, TypeVar, cast

from sqlalchemy import CursorResult, delete, func, select, text
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session, col

from clerk_console.sync.protocol import CaseDecisionsWire, decisions_problem

from ..db import ReplicaError, no_pause, pausing
from ..sqltext import local
from ..tables import (BlacklistRow, CalendarYearRow, CatalogueSnapshotRow, ItemDecisionRow, KvRow,
                      MergedLicenceRow, SyncCursorRow, SyncStageRow)
from . import kv
from .base import ReplicaBase
from .cases import Cases
from .codecs import parse_date, upsert
from .decisions import forget_decisions, store_decisions

Pairs: TypeAlias = list[tuple[str, Any]]  # (key, parsed payload) of each row of a page
ApplyFn: TypeAlias = Callable[["Pull", Session, Pairs, list[str], bool], None]
SwapFn: TypeAlias = Callable[[Session, str], None]

# kv: "<last staged sequence>:<server floor it is consistent with>" of a download in progress
STAGE_KEY = "sync_stage_{}"
STAGE_CHUNK = 2_000  # staged rows per transaction (the write lock is held ~10 ms each)
SWAP_CHUNK = 2_000  # keys merged per transaction in a keyed swap
# writes per transaction of an incremental page: its keys are spread over the whole table, so
# each write dirties pages of its own, and a commit encrypts and writes every one (a save that
# arrives mid-transaction waits for that commit: ~2,000 pages at 2,000 writes)
DELTA_CHUNK = 200
MAX_RUNS = 2_000  # staged runs merged at once (newest_staged); more are sorted by SQLite
TURN = 100  # writes between two looks for a waiting clerk's save (~2-4 ms of the lock)
Op = TypeVar("Op")

# the newest staged row of each key (SQLite takes a bare column from the max() row), key order
_NEWEST = ("SELECT key, payload, max(id) FROM sync_stage WHERE dataset = :d GROUP BY key "
           "ORDER BY key")


@dataclass(frozen=True, slots=True)
class KeyedSwap:
    """A staged copy merged into the live table in short transactions, by key: ``live_keys``
    lists the live keys in key order; ``run`` (the dataset and an id range its parameters)
    reads staged rows in id order as ``put``'s parameters (the key first), whether the row is
    a tombstone, then its id; ``put`` writes such a row live; ``drop`` (one key) deletes a
    live row. See ``newest_staged`` for how the runs become the newest row of each key."""

    live_keys: str
    run: str
    put: str
    drop: str


@dataclass(frozen=True, slots=True)
class KeyedDelta:
    """An incremental page applied in short transactions of ``DELTA_CHUNK`` writes: ``ops``
    turns the page into writes in key order that end where applying it in one transaction
    does, whatever chunks they go in (so a page fetched again after a stop is applied again
    to the same end); ``put`` writes one row (its parameters), ``drop`` deletes one key."""

    ops: Callable[[Pairs, list[str], Callable[[], None]], list[tuple[str, tuple | None]]]
    put: str
    drop: str


@dataclass(frozen=True, slots=True)
class PullDataset:
    """How the replica applies one pull dataset."""

    name: str
    apply: ApplyFn  # (replica, session, rows, tombstones, replace_all) in the page's transaction
    staged: bool = True  # a first download is staged whole, then swapped in
    swap: SwapFn | None = None  # bulk swap of the staged copy (default: apply with replace_all)
    keyed: KeyedSwap | None = None  # merge by key in short transactions (large datasets)
    delta: KeyedDelta | None = None  # incremental pages in short transactions (large pages)


DATASETS: dict[str, PullDataset] = {}


def dataset(name: str, *, staged: bool = True, swap: SwapFn | None = None,
            keyed: KeyedSwap | None = None,
            delta: KeyedDelta | None = None) -> Callable[[ApplyFn], ApplyFn]:
    """Register the decorated function as the page handler of dataset ``name``."""
    if not name.isidentifier():  # it is spliced into the staging INSERT
        raise ValueError(f"dataset name {name!r} must be an identifier")

    def register(fn: ApplyFn) -> ApplyFn:
        DATASETS[name] = PullDataset(name, fn, staged, swap, keyed, delta)
        return fn
    return register


def _known(name: str) -> PullDataset:
    name = str(getattr(name, "value", name))
    found = DATASETS.get(name)
    if found is None:
        raise ReplicaError(f"未知的同步数据集“{name}”")
    return found


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _first(row: Sequence[Any]) -> Any:
    return row[0]


# ---------------------------------------------------------------------------- the datasets


@dataset("catalogue")
def _apply_catalogue(replica: Pull, s: Session, pairs: Pairs, keys: list[str],
                     replace_all: bool) -> None:
    from clerk_console.datafiles.catalogue import catalogue_from_dict

    if replace_all:
        s.execute(delete(CatalogueSnapshotRow))
    for key, payload in pairs:
        catalogue_from_dict(payload)  # validate before storing
        s.execute(delete(CatalogueSnapshotRow).where(col(CatalogueSnapshotRow.version) == key))
        s.execute(insert(CatalogueSnapshotRow).values(version=key, data=payload,
                                                      stored_at=datetime.now()))
    replica._catalogue = None


@dataset("calendar")
def _apply_calendar(replica: Pull, s: Session, pairs: Pairs, keys: list[str],
                    replace_all: bool) -> None:
    from clerk_console.datafiles.calendar import schedule_from_dict

    if replace_all:
        s.execute(delete(CalendarYearRow))
    for key, payload in pairs:
        sched = schedule_from_dict(payload, f"同步日历 {key}")
        upsert(s, CalendarYearRow, {"year": sched.year, "data": payload}, ["year"])
    if keys:
        s.execute(delete(CalendarYearRow).where(col(CalendarYearRow.year).in_(
            [int(k) for k in keys])))
    replica._calendar = None


@dataset("blacklist")
def _apply_blacklist(replica: Pull, s: Session, pairs: Pairs, keys: list[str],
                     replace_all: bool) -> None:
    if replace_all:
        s.execute(delete(BlacklistRow))
    upsert(s, BlacklistRow, [
        {"subject_id": p.get("subject_id") or k, "name": p.get("name", ""),
         "reason": p.get("reason", ""), "listed_on": parse_date(p.get("listed_on"))}
        for k, p in pairs], ["subject_id"])
    if keys:
        s.execute(delete(BlacklistRow).where(col(BlacklistRow.subject_id).in_(keys)))


# the e-licence's columns, and a staged payload's values for them; a row is its key's
# (elicence_key: holder, type, number), the only identity: two holders of one number are two
# rows (migration 0015), and a write replaces the live row of its key alone
_ELICENCE_COLUMNS = "key, holder_id, type_code, name, number, issued, expires"
_ELICENCE_STAGED = """key, json_extract(payload, '$.holder_id'), json_extract(payload, '$.type_code'),
       json_extract(payload, '$.name'), json_extract(payload, '$.number'),
       NULLIF(json_extract(payload, '$.issued'), ''), NULLIF(json_extract(payload, '$.expires'), '')"""
_ELICENCE_UPSERT = (" ON CONFLICT (key) DO UPDATE SET holder_id = excluded.holder_id, "
                    "type_code = excluded.type_code, name = excluded.name, "
                    "number = excluded.number, issued = excluded.issued, "
                    "expires = excluded.expires")

# one INSERT … SELECT swaps a million e-licences in without loading them into Python (into an
# emptied table, one staged row a key: no conflict)
_ELICENCE_SWAP = f"""
INSERT INTO elicence ({_ELICENCE_COLUMNS})
SELECT {_ELICENCE_STAGED}
FROM ({_NEWEST}) WHERE payload IS NOT NULL
"""


def _swap_elicence(s: Session, name: str) -> None:
    s.execute(text("DELETE FROM elicence"))
    s.execute(text(_ELICENCE_SWAP), {"d": name})


_ELICENCE_PUT = (f"INSERT INTO elicence ({_ELICENCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                 f"{_ELICENCE_UPSERT}")
_ELICENCE_MERGE = KeyedSwap(
    live_keys="SELECT key FROM elicence ORDER BY key",
    run=f"SELECT {_ELICENCE_STAGED}, payload IS NULL, id FROM sync_stage "
        "WHERE dataset = ? AND id BETWEEN ? AND ? ORDER BY id",
    put=_ELICENCE_PUT,
    drop="DELETE FROM elicence WHERE key = ?")


def _elicence_ops(pairs: Pairs, keys: list[str],
                  give_way: Callable[[], None] = no_pause) -> list[tuple[str, tuple | None]]:
    """An incremental page as writes in key order: (key, row) to write live, (key, None) to
    delete. It ends where applying the page in its order does (tombstones first, then each row
    replacing the live row of its key): a key the page writes twice is its last row; a
    tombstone of a key the page also writes is that write. With no order left between them,
    the writes go in key order (a shuffled page touches each B-tree page once per chunk, not
    once per row)."""
    dates: dict[str, str | None] = {"": None}

    def day(v: str | None) -> str | None:  # a malformed date refuses the page (ValueError)
        if v is None:
            return None
        if v not in dates:
            dates[v] = date.fromisoformat(v).isoformat()
        return dates[v]

    written: dict[str, tuple] = {}
    for k, p in pausing(pairs, give_way):  # a clerk's save waiting meanwhile goes first
        written[k] = (k, p["holder_id"], p["type_code"], p["name"], p["number"],
                      day(p.get("issued")), day(p.get("expires")))
    ops: list[tuple[str, tuple | None]] = list(written.items())
    ops += [(k, None) for k in dict.fromkeys(keys) if k not in written]
    give_way()  # the sort holds the interpreter (~5 ms a 20,000-row page)
    ops.sort(key=_first)
    return ops


@dataset("elicence", swap=_swap_elicence, keyed=_ELICENCE_MERGE,
         delta=KeyedDelta(_elicence_ops, put=_ELICENCE_PUT, drop=_ELICENCE_MERGE.drop))
def _apply_elicence(replica: Pull, s: Session, pairs: Pairs, keys: list[str],
                    replace_all: bool) -> None:
    # executemany on the driver's cursor, in the session's transaction (one statement per row
    # through SQLAlchemy took 12 s a page)
    ops = _elicence_ops(pairs, keys)
    cur = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if replace_all:
            cur.execute("DELETE FROM elicence")
        cur.executemany(_ELICENCE_MERGE.drop, [(k,) for k, r in ops if r is None])
        cur.executemany(_ELICENCE_PUT, [r for _, r in ops if r is not None])
    finally:
        cur.close()


@dataset("decisions", staged=False)
def _apply_decisions(replica: Pull, s: Session, pairs: Pairs, keys: list[str],
                     replace_all: bool) -> None:
    """Each record parsed by ``CaseDecisionsWire`` (older records, without items, too): the
    items decided so far replace the earlier ones; a case whose every item is final
    (``decision`` set) moves to DECIDED; ``decision=None`` leaves the case open."""
    records = [_decisions_record(key, p) for key, p in pairs]  # all checked before any stored
    if replace_all:
        s.execute(delete(ItemDecisionRow))
        s.execute(delete(MergedLicenceRow))
    forget_decisions(s, keys)
    for rec in records:
        store_decisions(s, rec.case_id, (d.to_domain() for d in rec.items),
                        rec.merged_licence.to_domain() if rec.merged_licence else None)
        replica.apply_decision(rec.case_id, rec.decision, rec.decided_at,
                               false_commitment=rec.false_commitment)


def _decisions_record(key: str, payload: Any) -> CaseDecisionsWire:
    data = json.loads(payload) if isinstance(payload, (str, bytes)) else dict(payload)
    data["case_id"] = data.get("case_id") or key
    if problem := decisions_problem(data):  # sync skips such rows before they get here
        raise ReplicaError(f"办件 {data.get('case_no') or key} 的{problem}，未予更新；"
                           "请联系后台管理员")
    return CaseDecisionsWire.model_validate(data)


def _key_then_id(row: Sequence[Any]) -> tuple[Any, Any]:
    return row[0], row[-1]


def staged_runs(raw: Any, name: str) -> list[tuple[int, int]]:
    """The id ranges of ``name``'s staged rows whose keys ascend: a page is staged sorted by
    key, so each page is one run (or a few, if a kill cut it and it was staged again)."""
    runs: list[tuple[int, int]] = []
    start = last_id = -1
    last_key: str | None = None
    for sid, key in raw.execute("SELECT id, key FROM sync_stage WHERE dataset = ? ORDER BY id",
                                (name,)):
        if last_key is None or key < last_key:
            if last_key is not None:
                runs.append((start, last_id))
            start = sid
        last_id, last_key = sid, key
    if last_key is not None:
        runs.append((start, last_id))
    return runs


def newest_staged(raw: Any, name: str, run: str) -> Iterator[tuple[Any, ...]]:
    """The newest staged row of each key of ``name``, in key order, as ``run`` reads rows
    (key first, id last). The staged pages are merged, each read in id order, rather than
    sorted by SQLite: the replica's temporary storage is memory (SQLCipher does not encrypt
    temporary files), where sorting a million staged rows took 200 MB, and looking rows up by
    id in key order decrypts a page per row. Rows staged by an older console (pages not
    sorted) are too many runs to merge: those SQLite sorts."""
    runs = staged_runs(raw, name)
    if len(runs) > MAX_RUNS:  # sorted by SQLite: key, then id
        reads: list[Iterable[tuple[Any, ...]]] = [raw.cursor().execute(
            f"SELECT * FROM ({run}) ORDER BY 1, id", (name, runs[0][0], runs[-1][1]))]
    else:
        reads = [raw.cursor().execute(run, (name, lo, hi)) for lo, hi in runs]
    last: tuple[Any, ...] | None = None
    for row in heapq.merge(*reads, key=_key_then_id):
        if last is not None and row[0] != last[0]:
            yield last
        last = row
    if last is not None:
        yield last


# ---------------------------------------------------------------------------- the mixin


class Pull(Cases, ReplicaBase):
    def cursor(self, dataset: str) -> int:
        """Last applied server sequence of a pull dataset (0 = never pulled)."""
        with self.tx.read() as s:
            row = s.get(SyncCursorRow, str(getattr(dataset, "value", dataset)))
            return int(row.cursor) if row else 0

    def apply_page(self, dataset: str, rows: Iterable[Any], tombstones: Iterable[str],
                   new_cursor: int, *, replace_all: bool = False,
                   at: datetime | None = None) -> None:
        """Apply one pulled page and advance the cursor in the SAME transaction.

        ``rows`` are objects or dicts with ``key`` and ``payload``; ``replace_all`` first
        empties the dataset (a reset). Payloads: catalogue = catalogue_to_dict (key: version);
        calendar = schedule_to_dict (key: year); blacklist = BlacklistEntry fields (key:
        subject id); elicence = ELicence fields (key: opaque); decisions =
        ``sync.protocol.CaseDecisionsWire`` (key: case id).
        """
        ds = _known(dataset)
        pairs = [(_get(r, "key"), _get(r, "payload")) for r in pausing(rows, self.tx.give_way)]
        keys = list(tombstones)
        if ds.delta is not None and not replace_all and not self.tx.in_write and \
                len(pairs) + len(keys) > SWAP_CHUNK:
            self._apply_by_key(ds, ds.delta, pairs, keys, new_cursor, at)
            return
        with self.background_write() as s:  # a clerk's waiting save goes first
            ds.apply(self, s, pairs, keys, replace_all)
            self._set_cursor(s, ds.name, new_cursor, at)

    def _apply_by_key(self, ds: PullDataset, delta: KeyedDelta, pairs: Pairs, keys: list[str],
                      cursor: int, at: datetime | None) -> None:
        """A large incremental page in transactions of ``DELTA_CHUNK`` writes in key order, the
        cursor with the last: a console stopped half-way fetches the page again and applies it
        to the same end. Meanwhile a holder's e-licences may be the old or the new ones."""
        ops = delta.ops(pairs, keys, self.tx.give_way)  # all checked first (a malformed row
        # refuses the page), pausing while a clerk's save runs

        def write(cur: Any, batch: Sequence[tuple[str, tuple | None]]) -> None:
            cur.executemany(delta.drop, [(k,) for k, row in batch if row is None])
            cur.executemany(delta.put, [row for _, row in batch if row is not None])

        self._in_turns(ops, write, DELTA_CHUNK,
                       last=lambda s: self._set_cursor(s, ds.name, cursor, at))

    def _in_turns(self, ops: Sequence[Op], write: Callable[[Any, Sequence[Op]], None],
                  most: int, *, last: Callable[[Session], None] | None = None) -> None:
        """``ops`` written in order by ``write`` (a raw cursor and a batch) in background
        transactions of up to ``most`` ops, each committed early, after a batch of ``TURN``,
        when a clerk's save is waiting: a save waits for one batch, never a whole chunk.
        ``last`` runs in the transaction that writes the last op."""
        i = 0
        while i < len(ops):
            with self.background_write() as s:
                cur = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
                try:
                    end = min(len(ops), i + most)
                    while i < end:
                        write(cur, ops[i:min(end, i + TURN)])
                        i = min(end, i + TURN)
                        if self.tx.clerk_waiting():
                            break
                finally:
                    cur.close()
                if i >= len(ops) and last is not None:
                    last(s)

    @staticmethod
    def _set_cursor(s: Session, name: str, cursor: int, at: datetime | None) -> None:
        upsert(s, SyncCursorRow, {"dataset": name, "cursor": str(int(cursor)),
                                  "updated_at": local(at) or datetime.now()}, ["dataset"])

    # ------------------------------------------------------------------ staged downloads

    def pull_positions(self, names: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
        """The position to ask the server for, per dataset, and the datasets being downloaded
        whole with the floor their staged part is consistent with (-1: not known yet)."""
        cursors: dict[str, int] = {}
        staging: dict[str, int] = {}
        with self.tx.read() as s:
            for name in names:
                staged = kv.get(s, STAGE_KEY.format(name))
                if staged is not None:
                    position, _, floor = staged.partition(":")
                    cursors[name] = int(position)
                    staging[name] = int(floor or -1)
                    continue
                row = s.get(SyncCursorRow, name)
                cursors[name] = int(row.cursor) if row is not None else 0
                if row is None and _known(name).staged:
                    staging[name] = -1  # first download: build the whole copy, then swap it in
        return cursors, staging

    def restart_pull(self, dataset: str) -> None:
        """The server no longer keeps our position: download the dataset again from scratch."""
        ds = _known(dataset)
        with self.write() as s:
            s.execute(delete(SyncStageRow).where(col(SyncStageRow.dataset) == ds.name))
            if ds.staged:
                kv.put(s, STAGE_KEY.format(ds.name), "0:-1")
            else:
                self.apply_page(ds.name, [], [], 0)

    def stage_page(self, dataset: str, rows: list[tuple[str, str]], tombstones: list[str],
                   cursor: int, *, floor: int, more: bool, at: datetime | None = None) -> None:
        """One page of a whole download (rows: key and payload JSON text): staged with its
        position in one transaction; the last page (``more`` false) swaps the copy in."""
        ds = _known(dataset)
        if cursor == 0 and not rows and not more:
            return  # the server has never published this dataset: keep the local copy
        # a key occurs once in a page, so rows and tombstones need no order between them; the
        # page goes in short transactions and its position after them: a console stopped
        # half-way fetches the page again, and a key staged twice with the same payload is
        # harmless (the newest of each key wins)
        staged = [*rows, *((k, None) for k in tombstones)]
        staged.sort(key=_first)  # a run in key order (see newest_staged)
        stmt = f"INSERT INTO sync_stage (dataset, key, payload) VALUES ('{ds.name}', ?, ?)"
        self._in_turns(staged, lambda cur, batch: cur.executemany(stmt, batch), STAGE_CHUNK)
        if more:
            with self.write() as s:
                kv.put(s, STAGE_KEY.format(ds.name), f"{cursor}:{floor}")
            return
        if ds.keyed is not None and not self.tx.in_write:
            self._merge(ds, ds.keyed, cursor, at)
            return
        with self.write() as s:
            self._swap(s, ds, cursor, at)

    def _merge(self, ds: PullDataset, keyed: KeyedSwap, cursor: int, at: datetime | None) -> None:
        """Merge the staged copy into the live table by key, ``SWAP_CHUNK`` keys a transaction,
        reading both in key order from one snapshot (no lock); then the cursor, and the staged
        rows deleted in short transactions."""
        width = keyed.put.count("?")  # the put's parameters lead each staged row
        puts: list[tuple[Any, ...]] = []
        drops: list[tuple[str]] = []

        def write(cur: Any, batch: Sequence[tuple[bool, tuple[Any]]]) -> None:
            cur.executemany(keyed.drop, [row for put, row in batch if not put])
            cur.executemany(keyed.put, [row for put, row in batch if put])

        def flush(force: bool = False) -> None:
            if len(puts) + len(drops) < SWAP_CHUNK and not force:
                return
            ops = [*((False, k) for k in drops), *((True, row) for row in puts)]
            self._in_turns(ops, write, SWAP_CHUNK)
            puts.clear()
            drops.clear()

        with self.tx.engine.connect() as rc:
            rc.exec_driver_sql("SELECT 1")  # BEGIN: one snapshot for both readers
            raw: Any = rc.connection.driver_connection  # the driver's (untyped); set while open
            staged_rows = newest_staged(raw, ds.name, keyed.run)
            live = raw.cursor().execute(keyed.live_keys)
            live_key = next(live, (None,))[0]
            for staged in pausing(staged_rows, self.tx.give_way):  # a save waiting goes first
                key, tombstone = staged[0], staged[width]
                while live_key is not None and live_key < key:  # live, no longer published
                    drops.append((live_key,))
                    live_key = next(live, (None,))[0]
                if live_key == key:
                    live_key = next(live, (None,))[0]
                    if tombstone:
                        drops.append((key,))
                if not tombstone:
                    puts.append(staged[:width])
                flush()
            while live_key is not None:
                drops.append((live_key,))
                live_key = next(live, (None,))[0]
                flush()
            flush(force=True)
        with self.write():
            self.apply_page(ds.name, [], [], cursor, at=at)
            with self.write() as s:
                kv.put(s, STAGE_KEY.format(ds.name), None)
        done = text("DELETE FROM sync_stage WHERE id IN (SELECT id FROM sync_stage "
                    "WHERE dataset = :d LIMIT :n)")
        left = True
        while left:
            with self.background_write() as s:
                for _ in range(max(1, SWAP_CHUNK * 5 // TURN)):  # at least one
                    # sqlmodel's Session.execute is typed Result; a DELETE's is a CursorResult
                    gone = cast(CursorResult[Any], s.execute(done, {"d": ds.name, "n": TURN}))
                    left = gone.rowcount > 0
                    if not left or self.tx.clerk_waiting():
                        break

    def _swap(self, s: Session, ds: PullDataset, cursor: int, at: datetime | None) -> None:
        """Replace the live dataset by the staged copy (inside the caller's transaction)."""
        if ds.swap is not None:
            ds.swap(s, ds.name)
            self.apply_page(ds.name, [], [], cursor, at=at)
        else:
            rows = [{"key": k, "payload": json.loads(p)}
                    for k, p, _id in s.execute(text(_NEWEST), {"d": ds.name}) if p is not None]
            self.apply_page(ds.name, rows, [], cursor, replace_all=True, at=at)
        others = [STAGE_KEY.format(o) for o in DATASETS if o != ds.name]
        if s.execute(select(func.count()).select_from(KvRow)
                     .where(col(KvRow.key).in_(others))).scalar():
            s.execute(delete(SyncStageRow).where(col(SyncStageRow.dataset) == ds.name))
        else:
            # staged rows exist only with their kv position, so with no other download in
            # progress every row is this dataset's: an unqualified DELETE empties the table
            s.execute(delete(SyncStageRow))
        kv.put(s, STAGE_KEY.format(ds.name), None)
