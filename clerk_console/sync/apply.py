"""Applying pulled pages to the replica, each page and its cursor in ONE transaction.

The wire side of pulling: protocol ``Page`` objects go to the replica's pull methods
(``clerk_console.storage.replica.pull``), which own the tables, the staging of whole downloads
and one registered handler per dataset. Incremental pages are parsed and applied; a first
download or a reset is staged page by page and swapped in with its last page.
"""
from __future__ import annotations

import json
from datetime import datetime

from clerk_console.storage.replica import Replica
from clerk_console.sync.protocol import Dataset, Page


def positions(replica: Replica) -> tuple[dict[Dataset, int], dict[Dataset, int]]:
    """The position to ask the server for, per dataset, and the datasets being downloaded
    whole with the floor their staged part is consistent with (-1: not known yet)."""
    cursors, staging = replica.pull_positions(ds.value for ds in Dataset)
    return ({Dataset(k): v for k, v in cursors.items()},
            {Dataset(k): v for k, v in staging.items()})


def restart(replica: Replica, ds: Dataset) -> None:
    """The server no longer keeps our position: download the dataset again from scratch."""
    replica.restart_pull(Dataset(ds).value)


def apply(replica: Replica, ds: Dataset, page: Page, *, staging: bool,
          at: datetime | None = None) -> None:
    """Apply one page (rows, tombstones, cursor) atomically."""
    if not staging:
        rows = [{"key": k, "payload": json.loads(p)} for k, p in page.rows]
        replica.apply_page(Dataset(ds).value, rows, page.tombstones, page.cursor, at=at)
        return
    replica.stage_page(Dataset(ds).value, page.rows, page.tombstones, page.cursor,
                       floor=page.floor, more=page.more, at=at)
