"""The calendar part of the workspace API; :class:`guanxi.Workspace` inherits it.

``ws.calendar()`` is the organization's :class:`BusinessCalendar`,
``ws.calendar("north")`` a territory's (the organization's days plus the
territory's own ``calendar_days`` rows). ``ws.build_calendar`` writes the
calendars into ``business_days``, the table the engines' SQL helpers
(``ctx.next_working_day`` and friends) read; the engines fill it on demand
for the as-of year and the years either side (:meth:`ensure_business_days`).
``ws.on_duty`` answers from the imported rotas (BANK-SPOTCHECK).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from guanxi.errors import UsageError
from guanxi.service.calendar import BusinessCalendar
from guanxi.service.calendar_store import CalendarBuild, build_business_days, calendar_names
from guanxi.storage import service_tables as st

__all__ = ["CalendarBuild", "CalendarMethods"]

class CalendarMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    def calendar(self, territory: str | None = None) -> BusinessCalendar:
        """The organization's business calendar, or ``territory``'s.

        One query per call: keep the calendar while looping over days.
        """
        self.require_ready()
        return self.runtime.calendar(territory)

    def calendar_names(self) -> list[str]:
        """``''`` (the organization) and every territory with calendar_days rows."""
        self.require_ready()
        with self.engine.connect() as conn:
            return calendar_names(conn)

    # -- business_days: the calendars as a table for SQL ---------------------------

    def build_calendar(self, start: dt.date, end: dt.date) -> CalendarBuild:
        """Write every calendar's days from ``start`` to ``end`` (exclusive) to business_days.

        The range grows to cover what is already built, so ``seq`` (the
        running count of working days) stays one sequence per calendar.
        Rows are compared first and written only when something changed (a
        new calendar_days row, a config edit); calendars whose territory no
        longer has rows are removed.
        """
        if end <= start:
            raise UsageError(f"the calendar range is empty: {start} to {end}")
        self.require_ready()
        return build_business_days(self.runtime, start, end)

    def ensure_business_days(self, as_of: dt.date) -> CalendarBuild:
        """What the engines call: build the as-of year and the years before and after.

        ``ctx.next_working_day`` and the other SQL helpers read only this
        range; a day outside it gives NULL.
        """
        self.require_ready()
        return self.runtime.ensure_business_days(as_of)

    # -- rotas (BANK-SPOTCHECK) ---------------------------------------------------

    def on_duty(self, rota: str, day: dt.date) -> list[str]:
        """The managers on duty in ``rota`` on ``day``, by id (none: an empty list)."""
        self.require_ready()
        r = st.rota_days
        with self.engine.connect() as conn:
            return list(conn.scalars(
                select(r.c.manager_id).where(r.c.rota == rota, r.c.day == day)
                .order_by(r.c.manager_id)
            ))

    def rota(self, rota: str, start: dt.date | None = None,
             end: dt.date | None = None) -> list[tuple[dt.date, str]]:
        """``(day, manager_id)`` of ``rota`` from ``start`` to ``end`` (exclusive), by day."""
        self.require_ready()
        r = st.rota_days
        query = select(r.c.day, r.c.manager_id).where(r.c.rota == rota)
        if start is not None:
            query = query.where(r.c.day >= start)
        if end is not None:
            query = query.where(r.c.day < end)
        with self.engine.connect() as conn:
            return [(row.day, row.manager_id)
                    for row in conn.execute(query.order_by(r.c.day, r.c.manager_id))]

    def rotas(self) -> list[str]:
        """The names of the imported rotas."""
        self.require_ready()
        r = st.rota_days
        with self.engine.connect() as conn:
            return list(conn.scalars(select(r.c.rota).distinct().order_by(r.c.rota)))
