"""The query kit's working days: the business calendar in SQL.

A mixin of :class:`guanxi.engines.context.Context`. Building these marks the
context (``ctx.uses_calendar``); whoever runs the query builds ``business_days``
first, since building a query never writes.
"""

from __future__ import annotations


from sqlalchemy import case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from guanxi.storage import service_tables


class CalendarHelpers:
    """Working-day helpers of the query context (a mixin of Context)."""

    # -- business calendar ---------------------------------------------------------
    # Lookups on business_days (calendar, day, working, seq), where seq is
    # the running count of working days: "n working days after d" is the
    # working day whose seq is seq(d) + n, one indexed lookup, no loop.

    def _business_days(self, calendar):
        """business_days aliased, and the calendar as SQL ('' when the territory has none)."""
        self._uses_calendar = True
        # Anonymous aliases: the helpers nest (a due date of a due date). Each
        # subquery correlates everything but its own alias, so the caller's
        # tables are found at any depth, not only one level up.
        bd = service_tables.business_days
        if isinstance(calendar, str) and not calendar:
            return bd.alias(), literal("")
        if isinstance(calendar, str):
            calendar = literal(calendar)
        # A territory has its own calendar when it has rows of its own, else
        # it is the organization's, as ws.calendar(territory) says.
        own = bd.alias()
        has_own = select(own.c.day).where(own.c.calendar == calendar).correlate_except(own).exists()
        return bd.alias(), case((has_own, calendar), else_=literal(""))

    def _seq(self, expr, calendar, *, before: bool = False) -> ColumnElement:
        """Working days of the calendar up to the day of ``expr``, since the range began.

        The day itself counts when it is a working day, unless ``before``.
        """
        bd, key = self._business_days(calendar)
        seq = bd.c.seq - case((bd.c.working, 1), else_=0) if before else bd.c.seq
        return (
            select(seq)
            .where(bd.c.calendar == key, bd.c.day == self.date_of(expr))
            .correlate_except(bd)
            .scalar_subquery()
        )

    def next_working_day(self, expr, calendar="") -> ColumnElement:
        """The day of ``expr`` when it is a working day, else the next one (a SQL date).

        ``calendar`` is ``''`` (the organization's), a territory's name, or a
        SQL expression such as the customer's territory column (a territory
        with no calendar_days rows of its own uses the organization's).
        NULL when the day is outside the built range (the as-of year ±1).
        """
        bd, key = self._business_days(calendar)
        return (
            select(func.min(bd.c.day))
            .where(bd.c.calendar == key, bd.c.working, bd.c.day >= self.date_of(expr))
            .correlate_except(bd)
            .scalar_subquery()
        )

    def add_working_days(self, expr, n, calendar="") -> ColumnElement:
        """The ``n``-th working day after the day of ``expr`` (a SQL date).

        ``n`` is an int >= 0 or a SQL integer; 0 means
        :meth:`next_working_day`, as in :meth:`BusinessCalendar.add_working_days`.
        """
        if isinstance(n, int) and n < 0:
            raise ValueError(f"add_working_days takes n >= 0, not {n}")
        if isinstance(n, int) and n == 0:
            return self.next_working_day(expr, calendar)
        bd, key = self._business_days(calendar)
        # The n-th working day after d has seq(d) + n, whether d is worked
        # or not (seq counts d only when it is).
        if isinstance(n, int):
            target = self._seq(expr, calendar) + n
        else:
            target = case(
                (n >= 1, self._seq(expr, calendar) + n),
                # n = 0: the first working day on or after d.
                else_=self._seq(expr, calendar, before=True) + 1,
            )
        return (
            select(bd.c.day)
            .where(bd.c.calendar == key, bd.c.working, bd.c.seq == target)
            .correlate_except(bd)
            .scalar_subquery()
        )

    def working_days_between(self, start, end, calendar="") -> ColumnElement:
        """Working days from the day of ``start`` (inclusive) to ``end`` (exclusive).

        Negative when ``end`` is before ``start``; the count
        :meth:`BusinessCalendar.working_days` would list.
        """
        return (self._seq(end, calendar, before=True)
                - self._seq(start, calendar, before=True))
