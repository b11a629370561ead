"""The catalogue and calendar the back office publishes, read back from the change log and
kept per process until the published record changes (its hash)."""
from __future__ import annotations

import json
import threading

from sqlalchemy import Connection, select

from clerk_console.domain.catalogue import Catalogue
from clerk_console.sync.protocol import Dataset

from .common import LOG

_lock = threading.Lock()
_cache: dict[str, tuple[str, Catalogue]] = {}


def published_catalogue(conn: Connection) -> Catalogue | None:
    """The published catalogue, or None before one is loaded (``load-catalog``)."""
    row = conn.execute(select(LOG.c.hash).where(
        (LOG.c.dataset == Dataset.CATALOGUE.value) & (LOG.c.scope == "")
        & (LOG.c.key == "catalogue") & LOG.c.deleted.is_(False))).first()
    if row is None:
        return None
    with _lock:
        hit = _cache.get("catalogue")
    if hit is not None and hit[0] == row[0]:
        return hit[1]
    from clerk_console.datafiles.catalogue import catalogue_from_dict

    payload = conn.execute(select(LOG.c.payload).where(
        (LOG.c.dataset == Dataset.CATALOGUE.value) & (LOG.c.scope == "")
        & (LOG.c.key == "catalogue"))).scalar_one()
    cat = catalogue_from_dict(json.loads(payload))
    with _lock:
        _cache["catalogue"] = (row[0], cat)
    return cat


def published_calendar(conn: Connection):
    """The working-day calendar the back office publishes (its loaded years over the
    package's own), the same calendar the windows count with."""
    from clerk_console.datafiles.calendar import schedule_from_dict
    from clerk_console.domain.calendar import default_calendar

    rows = conn.execute(select(LOG.c.key, LOG.c.hash).where(
        (LOG.c.dataset == Dataset.CALENDAR.value) & LOG.c.deleted.is_(False))
        .order_by(LOG.c.key)).all()
    stamp = "|".join(f"{k}:{h}" for k, h in rows)
    with _lock:
        hit = _cache.get("calendar")
    if hit is not None and hit[0] == stamp:
        return hit[1]
    published = {}
    for (payload,) in conn.execute(select(LOG.c.payload).where(
            (LOG.c.dataset == Dataset.CALENDAR.value) & LOG.c.deleted.is_(False))):
        schedule = schedule_from_dict(json.loads(payload), "后台发布")
        published[schedule.year] = schedule
    cal = default_calendar(published)
    with _lock:
        _cache["calendar"] = (stamp, cal)  # type: ignore[assignment]
    return cal
