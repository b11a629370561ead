"""Applying pulled pages to the replica, each page and its cursor in ONE transaction.

Incremental pages go through ``Replica.apply_page``. A first download, or a reset (the cursor
is older than the server keeps), is staged page by page in ``sync_stage`` inside the replica
file, with its progress in ``kv`` in the same transaction (so a killed console resumes where
it stopped); the last page swaps the staged copy in for the live one in one transaction.

``sync_stage`` is append-only (migration 0004): rows and tombstones of a page are appended in
the page's order, whatever order their keys come in, and the swap takes the newest row of
each key (one sort). Keeping the staged copy sorted by key instead costs a random B-tree
insert per row, which made a shuffled million-row download several times slower.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, text

from clerk_console.storage.replica import Replica
from clerk_console.sync.protocol import Dataset, Page

# kv: "<last staged sequence>:<server floor it is consistent with>" of a download in progress
STAGE_KEY = "sync_stage_{}"
STAGED = frozenset({Dataset.CATALOGUE, Dataset.CALENDAR, Dataset.BLACKLIST, Dataset.ELICENCE})

# the newest staged row of each key (SQLite takes a bare column from the max() row), key order
_NEWEST = ("SELECT key, payload, max(id) FROM sync_stage WHERE dataset = :d GROUP BY key "
           "ORDER BY key")

# one INSERT … SELECT swaps a million e-licences in without loading them into Python
_ELICENCE_SWAP = f"""
INSERT OR REPLACE INTO elicence (key, holder_id, type_code, name, number, issued, expires)
SELECT key, json_extract(payload, '$.holder_id'), json_extract(payload, '$.type_code'),
       json_extract(payload, '$.name'), json_extract(payload, '$.number'),
       NULLIF(json_extract(payload, '$.issued'), ''), NULLIF(json_extract(payload, '$.expires'), '')
FROM ({_NEWEST}) WHERE payload IS NOT NULL
"""


def _kv(s, key: str) -> str | None:
    return s.execute(text("SELECT value FROM kv WHERE key = :k"), {"k": key}).scalar()


def _set_kv(s, key: str, value: str | None) -> None:
    if value is None:
        s.execute(text("DELETE FROM kv WHERE key = :k"), {"k": key})
    else:
        s.execute(text("INSERT INTO kv (key, value) VALUES (:k, :v) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                  {"k": key, "v": value})


def positions(replica: Replica) -> tuple[dict[Dataset, int], dict[Dataset, int]]:
    """The position to ask the server for, per dataset, and the datasets being downloaded
    whole with the floor their staged part is consistent with (-1: not known yet)."""
    cursors: dict[Dataset, int] = {}
    staging: dict[Dataset, int] = {}
    with replica.tx.read() as s:
        for ds in Dataset:
            staged = _kv(s, STAGE_KEY.format(ds.value))
            if staged is not None:
                position, _, floor = staged.partition(":")
                cursors[ds] = int(position)
                staging[ds] = int(floor or -1)
                continue
            cur = s.execute(text("SELECT cursor FROM sync_cursor WHERE dataset = :d"),
                            {"d": ds.value}).scalar()
            cursors[ds] = int(cur) if cur is not None else 0
            if cur is None and ds in STAGED:
                staging[ds] = -1  # first download: build the whole copy, then swap it in
    return cursors, staging


def restart(replica: Replica, ds: Dataset) -> None:
    """The server no longer keeps our position: download the dataset again from scratch."""
    with replica.write() as s:
        s.execute(text("DELETE FROM sync_stage WHERE dataset = :d"), {"d": ds.value})
        if ds in STAGED:
            _set_kv(s, STAGE_KEY.format(ds.value), "0:-1")
        else:
            replica.apply_page(ds.value, [], [], 0)


def apply(replica: Replica, ds: Dataset, page: Page, *, staging: bool,
          at: datetime | None = None) -> None:
    """Apply one page (rows, tombstones, cursor) atomically."""
    if not staging:
        rows = [{"key": k, "payload": json.loads(p)} for k, p in page.rows]
        replica.apply_page(ds.value, rows, page.tombstones, page.cursor, at=at)
        return
    if page.cursor == 0 and not page.rows and not page.more:
        return  # the server has never published this dataset: keep the local copy
    with replica.write() as s:
        # the raw driver cursor inside the same transaction: tens of thousands of rows a page;
        # a key occurs once in a page, so rows and tombstones need no order between them
        cur = s.connection().connection.driver_connection.cursor()
        insert = f"INSERT INTO sync_stage (dataset, key, payload) VALUES ('{Dataset(ds).value}', ?, ?)"
        cur.executemany(insert, page.rows)
        if page.tombstones:
            cur.executemany(insert, ((k, None) for k in page.tombstones))
        cur.close()
        if page.more:
            _set_kv(s, STAGE_KEY.format(ds.value), f"{page.cursor}:{page.floor}")
            return
        _swap(replica, s, ds, page.cursor, at)


def _swap(replica: Replica, s, ds: Dataset, cursor: int, at: datetime | None) -> None:
    """Replace the live dataset by the staged copy (inside the caller's transaction)."""
    if ds is Dataset.ELICENCE:
        s.execute(text("DELETE FROM elicence"))
        s.execute(text(_ELICENCE_SWAP), {"d": ds.value})
        replica.apply_page(ds.value, [], [], cursor, at=at)
    else:
        rows = [{"key": k, "payload": json.loads(p)}
                for k, p, _id in s.execute(text(_NEWEST), {"d": ds.value}) if p is not None]
        replica.apply_page(ds.value, rows, [], cursor, replace_all=True, at=at)
    others = [STAGE_KEY.format(o.value) for o in STAGED if o is not ds]
    if s.execute(text("SELECT count(*) FROM kv WHERE key IN :keys")
                 .bindparams(bindparam("keys", expanding=True)), {"keys": others}).scalar():
        s.execute(text("DELETE FROM sync_stage WHERE dataset = :d"), {"d": ds.value})
    else:
        # staged rows exist only with their kv position, so with no other download in progress
        # every row is this dataset's: an unqualified DELETE empties the table at once
        s.execute(text("DELETE FROM sync_stage"))
    _set_kv(s, STAGE_KEY.format(ds.value), None)
