"""The business calendars in the database: read one, list them, build ``business_days``.

``calendar_days`` holds the organization's exceptions (name ``''``) and each
territory's own; ``business_days`` is every calendar spelled out day by day
with a running count of working days, the table the engines' SQL helpers
(``ctx.next_working_day`` and friends) read. The Workspace's calendar methods
and :class:`guanxi.runtime.Runtime` both come here.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import delete, func, insert, select

from guanxi.errors import ConfigError
from guanxi.service.calendar import BusinessCalendar
from guanxi.storage import service_tables as st

#: Rows per INSERT when filling business_days: one statement per chunk.
_CHUNK = 500


@attrs.frozen(kw_only=True)
class CalendarBuild:
    """What :meth:`guanxi.Workspace.build_calendar` wrote.

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



def read_calendar(conn, rt, name: str) -> BusinessCalendar:
    """The organization's calendar (``name`` ``''``) or a territory's, as of the rows now."""
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
        return BusinessCalendar.from_settings(rt.settings.get("core", {}), days=days,
                                              own_days=own, name=name)
    except ConfigError as exc:
        raise ConfigError(f"{rt.config.label}: {exc}") from None


def calendar_names(conn) -> list[str]:
    """``''`` (the organization) and every territory with calendar_days rows."""
    cd = st.calendar_days
    own = conn.scalars(
        select(cd.c.calendar).where(cd.c.calendar != "").distinct().order_by(cd.c.calendar)
    )
    return ["", *own]


def build_business_days(rt, start: dt.date, end: dt.date) -> CalendarBuild:
    """Write every calendar's days from ``start`` to ``end`` (exclusive), when changed."""
    bd = st.business_days
    written = 0
    with rt.engine.begin() as conn:
        names = calendar_names(conn)
        conn.execute(delete(bd).where(bd.c.calendar.not_in(names)))
        low, high = conn.execute(select(func.min(bd.c.day), func.max(bd.c.day))).one()
        if low is not None:
            start, end = min(start, low), max(end, high + dt.timedelta(days=1))
        for name in names:
            calendar = read_calendar(conn, rt, name)
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
