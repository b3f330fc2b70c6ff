"""The query kit's dates: arithmetic on dates and datetimes, the KPI period, shares and ratios.

A mixin of :class:`guanxi.engines.context.Context`; packs call these as ``ctx.add_days``,
``ctx.in_period``, ``ctx.share`` and so on (docs/writing-a-pack.md, "The query kit").
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from guanxi.engines.context_sql import hours_between_sql, minute_text_sql
from guanxi.periods import Period


class DateHelpers:
    """Date and period helpers of the query context (a mixin of Context)."""

    # -- date arithmetic -------------------------------------------------------

    def date_of(self, expr) -> ColumnElement:
        """The date part of a date or datetime column."""
        if self.dialect == "sqlite":
            return func.date(expr, type_=Date)
        return cast(expr, Date)

    def days_between(self, start, end=None) -> ColumnElement:
        """Whole days from ``start`` to ``end`` (default: the as-of date)."""
        end = self.today if end is None else end
        if self.dialect == "sqlite":
            return cast(
                func.julianday(func.date(end)) - func.julianday(func.date(start)), Integer
            )
        return cast(end, Date) - cast(start, Date)

    def add_days(self, expr, days) -> ColumnElement:
        """A date ``days`` (an int or a SQL integer) after ``expr``."""
        if self.dialect == "sqlite":
            return func.date(expr, cast(days, String) + literal(" days"), type_=Date)
        return cast(cast(expr, Date) + cast(days, Integer), Date)

    def plus_days(self, expr, days: int) -> ColumnElement:
        """A datetime ``days`` whole days after the datetime ``expr``, time kept."""
        if self.dialect == "sqlite":
            text = func.strftime("%Y-%m-%d %H:%M:%f000", expr, f"{days:+d} days")
            return type_coerce(text, DateTime)
        return expr + literal(dt.timedelta(days=days))

    def add_months(self, expr, months: int) -> ColumnElement:
        """A date ``months`` calendar months after ``expr`` (negative: before)."""
        if self.dialect == "sqlite":
            return func.date(expr, f"{months:+d} months", type_=Date)
        return cast(cast(expr, Date) + func.make_interval(0, months), Date)

    def start_of_month(self, expr) -> ColumnElement:
        if self.dialect == "sqlite":
            return func.date(expr, "start of month", type_=Date)
        return cast(func.date_trunc("month", cast(expr, DateTime)), Date)

    def start_of_quarter(self, expr) -> ColumnElement:
        if self.dialect == "sqlite":
            month = cast(func.strftime("%m", expr), Integer)
            back = (month - 1) % 3
            return func.date(expr, "start of month", "-" + cast(back, String) + " months",
                             type_=Date)
        return cast(func.date_trunc("quarter", cast(expr, DateTime)), Date)

    def start_of_year(self, expr) -> ColumnElement:
        if self.dialect == "sqlite":
            return func.date(expr, "start of year", type_=Date)
        return cast(func.date_trunc("year", cast(expr, DateTime)), Date)

    def months_back(self, months: int) -> dt.date:
        """The first day of the month ``months`` before the as-of date's month.

        ``months_back(12)`` with as-of 2026-11-23 is 2025-11-01.
        """
        year, month = self.as_of.year, self.as_of.month - months
        while month <= 0:
            month += 12
            year -= 1
        return dt.date(year, month, 1)

    def trailing_months(self, months: int) -> tuple[dt.date, dt.date]:
        """(first, end) of the last ``months`` closed months before the as-of month.

        ``end`` is exclusive: the first day of the as-of month.
        """
        end = dt.date(self.as_of.year, self.as_of.month, 1)
        return self.months_back(months), end

    def day_at(self, expr, hour: int | None = None) -> ColumnElement:
        """The day of ``expr``, or ``hour`` o'clock on it: a rule's due_at from a SQL date.

        Without ``hour`` a SQL date: a task due that day, on time all of it
        (``ctx.day_at(ctx.add_working_days(c.created_at, 3))``). With it a
        datetime: a task due at that time (``ctx.day_at(day, 17)``).
        """
        if hour is None:
            return self.date_of(expr)
        if self.dialect == "sqlite":
            # The text SQLAlchemy itself stores for a datetime, so values compare alike.
            text = type_coerce(self.date_of(expr), String) + literal(f" {hour:02d}:00:00.000000")
            return type_coerce(text, DateTime)
        return cast(cast(expr, Date), DateTime) + literal(dt.timedelta(hours=hour))

    def hours_between(self, start, end) -> ColumnElement:
        """Hours from ``start`` to ``end`` (datetimes), to the second, as a SQL float.

        ``ctx.hours_between(c.c.opened_at, c.c.resolved_at)``: 09:00 to 10:30 is 1.5.
        """
        return hours_between_sql(self.dialect, start, end)

    def day_text(self, expr) -> ColumnElement:
        """A date or datetime as ISO day text, ``2026-10-31``: for dedupe keys and reasons."""
        return func.substr(cast(expr, String), 1, 10)

    def minute_text(self, expr) -> ColumnElement:
        """A datetime as ``2026-11-23 09:30`` text: for reasons, the same on both databases."""
        return minute_text_sql(self.dialect, expr)

    def month_text(self, expr) -> ColumnElement:
        """A date as its month's label, ``2026-10``: for dedupe keys and reasons."""
        return func.substr(cast(expr, String), 1, 7)

    def days_past_due(self, due, day=None) -> ColumnElement:
        """Whole days the as-of date (or ``day``) is past the due day ``due`` (a date or
        datetime).

        0 on the due day itself and before it (a bill due on D is on time all
        of D), 1 on D+1; NULL when ``due`` is NULL. ``day``: a Python date or
        SQL to count to instead of the as-of date (aging at a period's last
        day). Bills, invoices and receivables read this one shape.
        """
        if isinstance(day, dt.date):
            day = literal(day, Date)
        days = self.days_between(due, self.today if day is None else day)
        return case((days > 0, days), (days <= 0, 0))

    # -- the KPI period ------------------------------------------------------------
    # "Inside the period" is one thing: from the period's first day up to the
    # end of its last day or of the as-of day, whichever is earlier, so a
    # month-to-date figure never counts tomorrow and a closed month computed
    # later never counts the month after.

    @property
    def period_start(self) -> dt.datetime:
        """The KPI period's first moment: its first day at 00:00."""
        return dt.datetime.combine(self._period().start, dt.time())

    @property
    def period_end(self) -> dt.datetime:
        """The end of what the KPI counts, exclusive: the period's end or the
        as-of day's end (:attr:`as_of_end`), whichever is earlier."""
        end = dt.datetime.combine(self._period().end, dt.time())
        return min(end, dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time()))

    def _period(self) -> Period:
        if self.period is None:
            raise ValueError("this context has no KPI period; in_period is for KPIs")
        return self.period

    def in_period(self, column) -> ColumnElement:
        """True for a date or datetime ``column`` inside the KPI period, up to the as-of day.

        A datetime: from 00:00 of the first day up to (not including) the
        earlier of the period's end and the end of the as-of day, so done
        23:59 on the last day is inside and 00:00 the day after outside. A
        date (its SQL type is ``Date``): the same days.
        """
        start, end = self.period_start, self.period_end
        if isinstance(getattr(column, "type", None), Date):
            return and_(column >= literal(start.date(), Date), column < literal(end.date(), Date))
        return and_(column >= literal(start, DateTime), column < literal(end, DateTime))

    # -- shares and ratios ---------------------------------------------------------
    # One float division, the same double on both databases; a share or ratio
    # of nothing is NULL (no figure), never a division error.

    @staticmethod
    def ratio(numerator, denominator) -> ColumnElement:
        """``numerator / denominator`` as a SQL float; NULL when the denominator is 0."""
        return cast(numerator, Float) / func.nullif(cast(denominator, Float), 0.0)

    @classmethod
    def share(cls, condition) -> ColumnElement:
        """The share of the group's rows for which ``condition`` holds (an aggregate).

        ``select(key, ctx.share(tk.c.status == "done"))``: 1 of 4 is 0.25;
        NULL for a group with no rows.
        """
        return cls.ratio(func.sum(case((condition, 1), else_=0)), func.count())
