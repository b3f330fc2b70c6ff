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

import attrs
from sqlalchemy import delete, func, insert, select

from guanxi.errors import ConfigError, UsageError
from guanxi.service.calendar import BusinessCalendar
from guanxi.storage import service_tables as st

#: Rows per INSERT when filling business_days: one statement per chunk.
_CHUNK = 500


@attrs.frozen(kw_only=True)
class CalendarBuild:
    """What :meth:`CalendarMethods.build_calendar` wrote.

    :ivar calendars: the calendars built: ``''`` (the organization) and each
        territory with ``calendar_days`` rows of its own.
    :ivar start: the first day of the built range.
    :ivar end: the day after its last (exclusive).
    :ivar days: rows written to ``business_days`` (0 when they were current).
    """

    calendars: tuple[str, ...]
    start: dt.date
    end: dt.date
    days: int

    def as_json(self) -> dict:
        """``{"calendars", "from", "to", "days"}``; ``to`` is the last day built."""
        return {"calendars": list(self.calendars), "from": self.start.isoformat(),
                "to": (self.end - dt.timedelta(days=1)).isoformat(), "days": self.days}


class CalendarMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    def calendar(self, territory: str | None = None) -> BusinessCalendar:
        """The organization's business calendar, or ``territory``'s.

        One query per call: keep the calendar while looping over days.
        """
        self.require_ready()
        with self.engine.connect() as conn:
            return self._calendar(conn, territory or "")

    def _calendar(self, conn, name: str) -> BusinessCalendar:
        cd = st.calendar_days
        names = [""] if not name else ["", name]
        rows = conn.execute(
            select(cd.c.calendar, cd.c.day, cd.c.working, cd.c.note)
            .where(cd.c.calendar.in_(names))
            .order_by(cd.c.calendar, cd.c.day)
        )
        days: dict = {}
        own: dict = {}
        for row in rows:
            (own if row.calendar else days)[row.day] = (row.working, row.note)
        try:
            return BusinessCalendar.from_settings(self.settings.get("core", {}), days=days,
                                                  own_days=own, name=name)
        except ConfigError as exc:
            raise ConfigError(f"{self.config.label}: {exc}") from None

    def calendar_names(self) -> list[str]:
        """``''`` (the organization) and every territory with calendar_days rows."""
        self.require_ready()
        with self.engine.connect() as conn:
            return self._calendar_names(conn)

    def _calendar_names(self, conn) -> list[str]:
        cd = st.calendar_days
        own = conn.scalars(
            select(cd.c.calendar).where(cd.c.calendar != "").distinct().order_by(cd.c.calendar)
        )
        return ["", *own]

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
        return self._build_business_days(start, end)

    def ensure_business_days(self, as_of: dt.date) -> CalendarBuild:
        """What the engines call: build the as-of year and the years before and after.

        ``ctx.next_working_day`` and the other SQL helpers read only this
        range; a day outside it gives NULL.
        """
        self.require_ready()
        return self._build_business_days(dt.date(as_of.year - 1, 1, 1),
                                         dt.date(as_of.year + 2, 1, 1))

    def _build_business_days(self, start: dt.date, end: dt.date) -> CalendarBuild:
        bd = st.business_days
        written = 0
        with self.engine.begin() as conn:
            names = self._calendar_names(conn)
            conn.execute(delete(bd).where(bd.c.calendar.not_in(names)))
            low, high = conn.execute(select(func.min(bd.c.day), func.max(bd.c.day))).one()
            if low is not None:
                start, end = min(start, low), max(end, high + dt.timedelta(days=1))
            for name in names:
                calendar = self._calendar(conn, name)
                wanted, seq = [], 0
                for day in calendar.days(start, end):
                    working = calendar.is_working(day)
                    seq += working
                    wanted.append((day, working, seq))
                stored = conn.execute(
                    select(bd.c.day, bd.c.working, bd.c.seq)
                    .where(bd.c.calendar == name).order_by(bd.c.day)
                ).all()
                if [tuple(row) for row in stored] == wanted:
                    continue
                conn.execute(delete(bd).where(bd.c.calendar == name))
                for i in range(0, len(wanted), _CHUNK):
                    chunk = wanted[i:i + _CHUNK]
                    # One multi-row INSERT per chunk (a few years are ~1,100 rows).
                    conn.execute(insert(bd).values(
                        [{"calendar": name, "day": d, "working": w, "seq": s} for d, w, s in chunk]
                    ))
                written += len(wanted)
        return CalendarBuild(calendars=tuple(names), start=start, end=end, days=written)

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
