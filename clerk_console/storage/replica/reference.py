"""Reference data of the window: the service catalogue and the working-day calendar."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import col

from clerk_console.domain.calendar import WorkCalendar, YearSchedule
from clerk_console.domain.catalogue import Catalogue

from ..db import ReplicaError
from ..sqltext import local
from ..tables import CalendarYearRow, CatalogueSnapshotRow
from .base import ReplicaBase
from .codecs import upsert


class ReferenceData(ReplicaBase):
    def catalogue(self) -> Catalogue:
        """The newest stored catalogue, cached in memory after the first load."""
        if self._catalogue is None:
            from clerk_console.datafiles.catalogue import catalogue_from_dict

            with self.tx.read() as s:
                row = s.execute(select(CatalogueSnapshotRow)
                             .order_by(col(CatalogueSnapshotRow.id).desc()).limit(1)).first()
            if row is None:
                raise ReplicaError("本机尚无事项目录，请先与后台同步（或运行 clerk-console demo）")
            self._catalogue = catalogue_from_dict(row[0].data)
        return self._catalogue

    def store_catalogue(self, cat: Catalogue, *, at: datetime | None = None) -> None:
        from clerk_console.datafiles.catalogue import catalogue_to_dict

        self._store_catalogue_data(cat.version, catalogue_to_dict(cat), at)
        self._catalogue = cat

    def _store_catalogue_data(self, version: str, data: dict[str, Any],
                              at: datetime | None) -> None:
        with self.write() as s:
            s.execute(delete(CatalogueSnapshotRow)
                      .where(col(CatalogueSnapshotRow.version) == version))
            s.execute(insert(CatalogueSnapshotRow).values(
                version=version, data=data, stored_at=local(at) or datetime.now()))
        self._catalogue = None

    def calendar(self) -> WorkCalendar:
        """chinese_calendar's years overridden by the stored (published) schedules."""
        if self._calendar is None:
            from clerk_console.domain.calendar import default_calendar

            from clerk_console.datafiles.calendar import schedule_from_dict

            with self.tx.read() as s:
                rows = s.execute(select(CalendarYearRow)).scalars().all()
            self._calendar = default_calendar(
                {r.year: schedule_from_dict(r.data, f"本机日历 {r.year}") for r in rows})
        return self._calendar

    def store_calendar(self, cal: WorkCalendar | Iterable[YearSchedule]) -> None:
        """Store published schedules (validated; estimated ones are never stored)."""
        from clerk_console.datafiles.calendar import schedule_from_dict, schedule_to_dict

        schedules = cal.schedules.values() if isinstance(cal, WorkCalendar) else cal
        rows: list[dict[str, Any]] = [{"year": sc.year, "data": schedule_to_dict(sc)} for sc in schedules
                if not sc.estimated]
        for row in rows:  # refuse what could not be read back (CalendarFileError)
            schedule_from_dict(row["data"], f"日历 {row['year']}")
        with self.write() as s:
            upsert(s, CalendarYearRow, rows, ["year"])
        self._calendar = None
