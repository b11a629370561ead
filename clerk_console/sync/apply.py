"""Applying pulled pages to the replica, each page and its cursor in ONE transaction.

The wire side of pulling: protocol ``Page`` objects go to the replica's pull methods
(``clerk_console.storage.replica.pull``), which own the tables, the staging of whole downloads
and one registered handler per dataset. Incremental pages are parsed and applied; a first
download or a reset is staged page by page and swapped in with its last page.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from clerk_console.storage.db import no_pause, pausing
from clerk_console.storage.replica import Replica
from clerk_console.sync.protocol import Dataset, Page, row_problem

log = logging.getLogger(__name__)
# rows that stand alone: skipped one by one
ROW_CHECKED = (Dataset.ELICENCE, Dataset.BLACKLIST, Dataset.DECISIONS)


def positions(replica: Replica) -> tuple[dict[Dataset, int], dict[Dataset, int]]:
    """The position to ask the server for, per dataset, and the datasets being downloaded
    whole with the floor their staged part is consistent with (-1: not known yet)."""
    cursors, staging = replica.pull_positions(ds.value for ds in Dataset)
    return ({Dataset(k): v for k, v in cursors.items()},
            {Dataset(k): v for k, v in staging.items()})


def restart(replica: Replica, ds: Dataset) -> None:
    """The server no longer keeps our position: download the dataset again from scratch."""
    replica.restart_pull(Dataset(ds).value)


def usable_rows(ds: Dataset, rows: list[tuple[str, str]],
                give_way: Callable[[], None] = no_pause
                ) -> tuple[list[tuple[str, str, Any]], int]:
    """The rows of a page that can be applied, each with its payload as parsed for the check
    (None: not checked, not parsed), and how many were skipped as malformed
    (``protocol.row_problem``). Only the keyed datasets are checked (the others pass as
    they are, unparsed). What was wrong goes to the log by reason, never with the row's
    contents (an e-licence names its holder). ``give_way``: the replica's pause while a
    clerk's save runs, every few hundred rows (``storage.db.pausing``)."""
    if ds not in ROW_CHECKED:
        return [(key, text, None) for key, text in rows], 0
    kept: list[tuple[str, str, Any]] = []
    reasons: dict[str, int] = {}
    for key, text in pausing(rows, give_way):  # sync's Python waits while a save runs
        try:
            payload = json.loads(text)
            problem = row_problem(ds, payload)
        except (TypeError, ValueError):
            problem = "记录不是有效的JSON"
        if problem:
            reasons[problem] = reasons.get(problem, 0) + 1
        else:
            kept.append((key, text, payload))
    for problem, n in reasons.items():
        log.warning("pulled %s: %d malformed row(s) skipped (%s)", ds.value, n, problem)
    return kept, len(rows) - len(kept)


def apply(replica: Replica, ds: Dataset, page: Page, *, staging: bool,
          at: datetime | None = None) -> int:
    """Apply one page (rows, tombstones, cursor), the cursor moving with it (a large e-licence
    page goes in short transactions, the cursor with the last); the number of malformed rows
    skipped (the cursor moves past them: one bad row never blocks the channel)."""
    checked, skipped = usable_rows(ds, page.rows, replica.tx.give_way)
    if not staging:  # each row parsed once: the check's parse is the one applied
        rows = [{"key": k, "payload": json.loads(text) if p is None else p}
                for k, text, p in pausing(checked, replica.tx.give_way)]
        replica.apply_page(Dataset(ds).value, rows, page.tombstones, page.cursor, at=at)
        return skipped
    good = [(key, text) for key, text, _ in checked]
    replica.stage_page(Dataset(ds).value, good, page.tombstones, page.cursor,
                       floor=page.floor, more=page.more, at=at)
    return skipped
