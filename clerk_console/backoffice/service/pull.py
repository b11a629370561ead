"""Pull: one page per dataset after each of the window's cursors, its own scope only."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from clerk_console.sync.protocol import DEFAULT_PAGE_LIMIT, PAGE_LIMITS, PULL_DATASETS, Dataset

from .common import FLOOR, WindowRow, _driver_rows

MAX_PAGE = 50_000

# one page of a dataset's change log after a cursor (index ix_change_log_read)
_PAGE_SQL = ("SELECT seq, key, deleted, payload FROM bo_change_log WHERE dataset = ? AND "
             "scope = ? AND seq > ? ORDER BY seq LIMIT ?")


def scope_of(dataset: Dataset, window: WindowRow) -> str:
    if dataset is Dataset.ELICENCE:
        return window.region
    if dataset is Dataset.DECISIONS:
        return window.id
    return ""


@dataclass
class RawPage:
    rows: list[tuple[str, str]]  # (key, payload JSON text)
    tombstones: list[str]
    cursor: int
    more: bool = False
    reset: bool = False
    floor: int = 0


def pull(conn: Connection, window: WindowRow, cursors: Mapping[Dataset, int],
         limits: Mapping[Dataset, int] | None = None,
         stage_floors: Mapping[Dataset, int] | None = None) -> dict[Dataset, RawPage]:
    """One page per dataset after each cursor, only the window's own scope.

    A cursor below the dataset's floor has missed compacted tombstones: the page says
    ``reset``. A whole-dataset download that started under the current floor (its
    ``stage_floors`` entry equals the floor) has missed nothing and goes on.
    """
    limits = limits or {}
    stage_floors = stage_floors or {}
    floors = {d: f for d, f in conn.execute(select(FLOOR.c.dataset, FLOOR.c.floor))}
    pages: dict[Dataset, RawPage] = {}
    for ds in PULL_DATASETS:
        cursor = max(0, int(cursors.get(ds, 0)))
        floor = floors.get(ds.value, 0)
        if 0 < cursor < floor and stage_floors.get(ds) != floor:
            pages[ds] = RawPage([], [], 0, more=True, reset=True, floor=floor)
            continue
        limit = min(MAX_PAGE, max(1, limits.get(ds) or PAGE_LIMITS.get(ds, DEFAULT_PAGE_LIMIT)))
        got = _driver_rows(conn, _PAGE_SQL, (ds.value, scope_of(ds, window), cursor, limit + 1))
        more = len(got) > limit
        got = got[:limit]
        page = RawPage([], [], got[-1][0] if got else cursor, more=more, floor=floor)
        for _seq, key, dead, payload in got:
            if dead:
                page.tombstones.append(key)
            else:
                page.rows.append((key, payload))
        pages[ds] = page
    return pages


def render_pull(pages: Mapping[Dataset, RawPage], server_time: datetime, *,
                case_seq: Mapping[str, int] | None = None) -> bytes:
    """PullResponse JSON; stored payload texts go out as strings, never re-parsed (one C-encoder
    call for the whole answer). ASCII output (non-ASCII as \\u escapes): the encoder is about
    twice as fast that way and gzip makes the sizes equal."""
    body = {"pages": {ds.value: {"rows": p.rows,
                                 "tombstones": p.tombstones, "cursor": p.cursor,
                                 "more": p.more, "reset": p.reset, "floor": p.floor}
                      for ds, p in pages.items()},
            "server_time": server_time.isoformat(), "case_seq": dict(case_seq or {})}
    return json.dumps(body, separators=(",", ":")).encode()
