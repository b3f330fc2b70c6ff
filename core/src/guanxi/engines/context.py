"""The context a query builder receives, and its dialect-neutral SQL helpers.

A segmentation, service rule or KPI is a function ``query(ctx)`` returning a
SQLAlchemy ``Select``. Everything it needs is on ``ctx``: the pack's
settings, the tables, the as-of date or the period, and helpers whose SQL
is the same on SQLite and PostgreSQL (date arithmetic, declared fields read
from the JSON column, the current label of another segmentation, a reason
with its figures).

Together they are the public query kit (docs/writing-a-pack.md, "The query
kit"): a pack asks ``ctx`` for hours, shares, "inside the period", credited
sums, role holders, labels at a date, days past due, case hours and
"never again" rather than writing its own, so every pack means the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
from sqlalchemy import (
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from guanxi.periods import Period
from guanxi.storage import service_tables, tables


# -- helpers the core's Python side shares with the kit -------------------------------
# The service machinery (cases, the planner) builds SQL outside a query
# builder; these two are the kit's ``ctx.hours_between`` and
# ``ctx.role_person``, written once.


def minute_text_sql(dialect: str, expr) -> ColumnElement:
    """:meth:`Context.minute_text` for code that has a dialect and no context (the case machine)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M", expr, type_=String)
    return func.to_char(expr, "YYYY-MM-DD HH24:MI", type_=String)


def hours_between_sql(dialect: str, start, end) -> ColumnElement:
    """Hours from ``start`` to ``end`` (datetimes), to the second, as SQL."""
    if dialect == "sqlite":
        def seconds(x):
            return cast(func.strftime("%s", x), Integer)
        return (seconds(end) - seconds(start)) / literal(3600.0)
    return cast(extract("epoch", end - start), Float) / literal(3600.0)


def role_person(role: str, owner) -> ColumnElement:
    """SQL for the person ``role`` resolves to, relative to the manager ``owner``.

    ``owner``: the owner; ``reports_to``: the owner's ``reports_to``; any
    other text is a manager role (compared without case): the active
    manager holding it in the owner's territory, else in the owner's team,
    else anywhere, the smallest id first. NULL when nobody resolves.
    """
    if role == "owner":
        return owner
    m = tables.managers.alias("role_base")
    if role == "reports_to":
        return select(m.c.reports_to).where(m.c.id == owner).scalar_subquery()
    holder = tables.managers.alias("role_holder")
    holds = and_(func.lower(holder.c.role) == role.lower(), holder.c.active.is_(True))

    def near(condition):
        return (
            select(func.min(holder.c.id))
            .select_from(holder.join(m, condition))
            .where(m.c.id == owner, holds)
            .scalar_subquery()
        )

    anywhere = select(func.min(holder.c.id)).where(holds).scalar_subquery()
    return func.coalesce(near(holder.c.territory == m.c.territory),
                         near(holder.c.team_id == m.c.team_id), anywhere)


@attrs.define(kw_only=True)
class Context:
    """What a query builder sees; see the module docstring.

    :ivar config: the pack's settings, by dotted option name.
    :ivar tables: the core's tables module (``ctx.tables.customers``, ...).
    :ivar as_of: the date the job runs for; periods end on or before it.
    :ivar period: the KPI period (``None`` for segmentations and rules).
    :ivar scope: the KPI scope: all, manager, team, territory, segment, list, field.
    :ivar scope_arg: the segmentation, list or customer field a ``segment:``/``list:``/
        ``field:`` scope names.
    :ivar filters: the pack's :class:`~guanxi.CustomerFilter` records.
    """

    dialect: str
    pack: str
    config: dict[str, Any]
    as_of: dt.date
    period: Period | None = None
    scope: str = "all"
    scope_arg: str | None = None
    filters: tuple = ()
    tables: Any = tables
    #: The as-of moment tasks are judged at (see :meth:`task_overdue`); None:
    #: the end of the as-of day.
    moment: dt.datetime | None = None
    # Set when a calendar helper's SQL is built: building never writes, so
    # whoever runs the query builds business_days first (uses_calendar).
    _uses_calendar: bool = attrs.field(default=False, init=False, repr=False)

    @property
    def uses_calendar(self) -> bool:
        """True once a query built with this context reads ``business_days``.

        The context never writes: whoever runs such a query first calls
        ``ws.ensure_business_days(ctx.as_of)`` (the engines do), so the
        table covers the as-of year and the years either side.
        """
        return self._uses_calendar

    # -- values --------------------------------------------------------------

    @property
    def today(self) -> ColumnElement:
        """The as-of date as a SQL date."""
        return literal(self.as_of, Date)

    def at(self, day: dt.date, days: int = 0, hour: int = 0) -> ColumnElement:
        """A datetime ``days`` after ``day`` at ``hour`` o'clock, as SQL: for due dates."""
        moment = dt.datetime.combine(day, dt.time(hour)) + dt.timedelta(days=days)
        return literal(moment, DateTime)

    def due(self, days: int = 0, hour: int | None = None) -> ColumnElement:
        """Due ``days`` after the as-of date (0 = the as-of date itself).

        Without ``hour`` a SQL date: the task is due on that day and on time
        all of it. With ``hour`` a datetime: due at that time (a clock).
        """
        if hour is None:
            return literal(self.as_of + dt.timedelta(days=days), Date)
        return self.at(self.as_of, days, hour)

    # -- task timeliness -------------------------------------------------------
    # The one place that says when a task is late. A day task (all_day) is
    # on time all its day in the organization's time zone: done 23:59 on D
    # is on time, 00:00 on D+1 late. A timed task is late once its due time
    # has passed. The as-of moment is the end of the as-of day (what the
    # day's batch sees), unless the context was given a ``moment``.

    @property
    def as_of_end(self) -> dt.datetime:
        """The as-of moment, exclusive: the end of the as-of day, or ``moment``."""
        if self.moment is not None:
            return self.moment
        return dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time())

    def _late_from(self, tk, grace_days: int = 0) -> ColumnElement:
        """The first late moment of a task of ``tk``, ``grace_days`` days on."""
        day_end = self.add_days(tk.c.due_at, 1 + grace_days)
        day_end = self.day_at(day_end, 0)
        timed = tk.c.due_at if not grace_days else self.plus_days(tk.c.due_at, grace_days)
        return case((tk.c.all_day, day_end), else_=timed)

    def _done_late(self, tk, closed_at) -> ColumnElement:
        # A timed task done at its due minute is on time; a day task done
        # at 00:00 the next day is not.
        return case((tk.c.all_day, closed_at >= self._late_from(tk)),
                    else_=closed_at > tk.c.due_at)

    def task_overdue(self, tk, grace_days: int = 0) -> ColumnElement:
        """True for a task of ``tk`` (the tasks table or an alias) open at the
        as-of moment and past its due by then (by more than ``grace_days`` days).

        A task done after the as-of moment was still open at it.
        """
        moment = self.as_of_end
        open_then = or_(tk.c.status == "open",
                        and_(tk.c.status == "done", tk.c.closed_at >= literal(moment, DateTime)))
        # Each kind of due compared with one literal, so an index on due_at
        # serves it. A day task due on D is late from D+1 00:00 (+ grace):
        # late_from < moment  <=>  D < the midnight at or after moment - 1 - grace.
        day_cut = moment - dt.timedelta(days=1 + grace_days)
        if day_cut.time() != dt.time():
            day_cut = dt.datetime.combine(day_cut.date() + dt.timedelta(days=1), dt.time())
        timed_cut = moment - dt.timedelta(days=grace_days)
        passed = or_(and_(tk.c.all_day, tk.c.due_at < literal(day_cut, DateTime)),
                     and_(~tk.c.all_day, tk.c.due_at < literal(timed_cut, DateTime)))
        return and_(open_then, passed)

    def task_late(self, tk) -> ColumnElement:
        """True for a task that missed its due as seen at the as-of moment:
        done late before it, or overdue at it (:meth:`task_overdue`).

        Cancelled tasks are never late.
        """
        moment = literal(self.as_of_end, DateTime)
        done_late = and_(tk.c.status == "done", tk.c.closed_at < moment,
                         self._done_late(tk, tk.c.closed_at))
        return or_(done_late, self.task_overdue(tk))

    def task_on_time(self, tk) -> ColumnElement:
        """True for a task done by the as-of moment and not late (see :meth:`task_late`)."""
        moment = literal(self.as_of_end, DateTime)
        return and_(tk.c.status == "done", tk.c.closed_at < moment,
                    ~self._done_late(tk, tk.c.closed_at))

    def task_scope_key(self, tk) -> ColumnElement:
        """The KPI scope key of a task: it belongs to the manager who holds it.

        manager: the task's manager; team or territory of a task with no
        customer: its manager's; otherwise the customer's (:meth:`scope_key`).
        """
        if self.scope == "manager":
            return tk.c.manager_id
        if self.scope in ("team", "territory"):
            return case((tk.c.customer_id.is_(None), self.credit_scope_key(tk.c.manager_id)),
                        else_=self.scope_key(tk.c.customer_id))
        return self.scope_key(tk.c.customer_id)

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

    def days_past_due(self, due) -> ColumnElement:
        """Whole days the as-of date is past the due day ``due`` (a date or datetime).

        0 on the due day itself and before it (a bill due on D is on time all
        of D), 1 on D+1; NULL when ``due`` is NULL. Bills, invoices and
        receivables read this one shape.
        """
        days = self.days_between(due, self.today)
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

    # -- fields and labels ---------------------------------------------------------

    def attribute(self, table, name: str, type: str = "text") -> ColumnElement:
        """A declared field from ``table.attributes`` as SQL of ``type``."""
        column = table.c.attributes
        if self.dialect == "sqlite":
            raw = func.json_extract(column, f"$.{name}")
        else:
            raw = column.op("->>", return_type=String)(literal(name))
        sql_type = {"text": String, "integer": Integer, "decimal": Numeric(20, 4),
                    "number": Float, "date": Date, "boolean": Integer}.get(type, String)
        if type == "boolean":
            if self.dialect == "sqlite":
                return raw == 1
            return raw == "true"
        if type == "text":
            return cast(raw, String)
        if type == "date" and self.dialect == "sqlite":
            # CAST(... AS DATE) makes a number on SQLite; dates are ISO text there.
            return func.date(raw, type_=Date)
        return cast(raw, sql_type)

    def label(self, segmentation: str, customer_id) -> ColumnElement:
        """The current label of ``segmentation`` for a customer (NULL: none)."""
        s = tables.segments.alias("current_label")
        return (
            select(s.c.label)
            .where(s.c.segmentation == segmentation, s.c.customer_id == customer_id)
            .scalar_subquery()
        )

    def label_at(self, segmentation: str, customer_id, day) -> ColumnElement:
        """The label ``segmentation`` gave a customer at the end of ``day``, from its history.

        ``day`` a Python date or SQL; NULL when the customer had no label
        then. A label changed on ``day`` is the day's label.
        """
        if isinstance(day, dt.date):
            day = literal(day, Date)
        h = tables.segment_history.alias()
        return (
            select(h.c.new_label)
            .where(h.c.segmentation == segmentation, h.c.customer_id == customer_id,
                   h.c.changed_on <= day)
            .order_by(h.c.changed_on.desc(), h.c.id.desc())
            .limit(1)
            .correlate_except(h)
            .scalar_subquery()
        )

    def label_at_start(self, segmentation: str, customer_id) -> ColumnElement:
        """The label at the start of the KPI period: at the end of the day before it,
        else (a customer first labelled during the period) the first label it got
        up to the as-of day."""
        start = self._period().start
        before = self.label_at(segmentation, customer_id, start - dt.timedelta(days=1))
        h = tables.segment_history.alias()
        first = (
            select(h.c.new_label)
            .where(h.c.segmentation == segmentation, h.c.customer_id == customer_id,
                   h.c.changed_on >= literal(start, Date), h.c.changed_on <= self.today)
            .order_by(h.c.changed_on, h.c.id)
            .limit(1)
            .correlate_except(h)
            .scalar_subquery()
        )
        return func.coalesce(before, first)

    def on_list(self, name: str, customer_id) -> ColumnElement:
        """True when the customer is on the named list at the as-of date."""
        m = tables.list_members.alias("list_member")
        return (
            select(m.c.customer_id)
            .where(
                m.c.list == name,
                m.c.customer_id == customer_id,
                (m.c.added_at.is_(None)) | (m.c.added_at <= self.today),
                (m.c.removed_at.is_(None)) | (m.c.removed_at > self.today),
            )
            .exists()
        )

    # -- scopes (KPIs) -------------------------------------------------------------

    def scope_key(self, customer_id) -> ColumnElement:
        """The scope key of a customer for the KPI's scope.

        all: ''; manager: the owning manager; territory: the customer's
        territory; team: the owning manager's team; segment: the customer's
        label in ``scope_arg``; list: ``scope_arg`` for members (others NULL);
        field: the customer's value of the declared customer field ``scope_arg``.
        """
        # Aliases: the outer query is often on customers itself, and a
        # subquery on the same table would not correlate.
        c, m = tables.customers.alias("scope_customer"), tables.managers.alias("scope_manager")
        owner = select(c.c.manager_id).where(c.c.id == customer_id).scalar_subquery()
        if self.scope == "all":
            return literal("")
        if self.scope == "manager":
            return owner
        if self.scope == "territory":
            return select(c.c.territory).where(c.c.id == customer_id).scalar_subquery()
        if self.scope == "team":
            return (
                select(m.c.team_id)
                .join(c, c.c.manager_id == m.c.id)
                .where(c.c.id == customer_id)
                .scalar_subquery()
            )
        if self.scope == "segment":
            return self.label(self.scope_arg, customer_id)
        if self.scope == "list":
            return case((self.on_list(self.scope_arg, customer_id), literal(self.scope_arg)))
        if self.scope == "field":
            # The field's value as text; a customer without it is keyed '' by the engine.
            return select(self.attribute(c, self.scope_arg, "text")).where(
                c.c.id == customer_id).scalar_subquery()
        raise ValueError(f"unknown scope {self.scope!r}")

    def served(self, customer_id) -> ColumnElement:
        """True for a customer the pack serves (every one when it has no filter)."""
        if not self.filters:
            return true()
        c = tables.customers.alias("served_customer")
        conditions = [f.condition(self, c) for f in self.filters]
        return select(c.c.id).where(c.c.id == customer_id, or_(*conditions)).exists()

    def credit_shares(self):
        """Who gets credit for each customer: ``(customer_id, manager_id, share)``.

        Each customer-team member gets its share; the owning manager keeps
        the remainder (all of it when the customer has no team). A KPI that
        splits results across managers (BANK-SHARE, 公私联动) joins this and
        multiplies by ``share``; shares need not divide evenly.
        """
        c, ct = tables.customers.alias("credit_customer"), tables.customer_team
        given = (
            select(ct.c.customer_id, func.sum(ct.c.share).label("given"))
            .where(ct.c.share.is_not(None))
            .group_by(ct.c.customer_id)
            .subquery("credit_given")
        )
        owners = select(
            c.c.id.label("customer_id"),
            c.c.manager_id.label("manager_id"),
            (literal(1.0) - func.coalesce(cast(given.c.given, Float), 0.0)).label("share"),
        ).select_from(c.outerjoin(given, given.c.customer_id == c.c.id)).where(
            c.c.manager_id.is_not(None)
        )
        members = select(
            ct.c.customer_id, ct.c.manager_id, cast(ct.c.share, Float).label("share")
        ).where(ct.c.share.is_not(None), ct.c.share > 0)
        return owners.union_all(members).subquery("credit")

    def credited_sum(self, metric: str, *conditions) -> Any:
        """``(scope_key, value)``: ``metric``'s measurements summed per scope key, a
        customer's value split among managers by :meth:`credit_shares` when the
        scope is a manager, team or territory (BANK-SHARE, 公私联动).

        ``conditions`` filter ``ctx.tables.measurements``; none: its period
        inside the KPI period (``period >= start``, ``< end``).
        """
        ms = tables.measurements
        if not conditions:
            conditions = (ms.c.period >= self._period().start, ms.c.period < self._period().end)
        where = (ms.c.metric == metric, *conditions)
        value = cast(ms.c.value, Float)
        if self.scope in ("manager", "team", "territory"):
            credit = self.credit_shares()
            key = self.credit_scope_key(credit.c.manager_id).label("scope_key")
            return (select(key, func.sum(value * credit.c.share).label("value"))
                    .join(credit, credit.c.customer_id == ms.c.customer_id)
                    .where(*where).group_by(key))
        key = self.scope_key(ms.c.customer_id).label("scope_key")
        return select(key, func.sum(value).label("value")).where(*where).group_by(key)

    def credit_scope_key(self, manager_id) -> ColumnElement:
        """The scope key of a credited manager: the manager, team or territory."""
        m = tables.managers.alias("credit_manager")
        if self.scope == "manager":
            return manager_id
        if self.scope == "team":
            return select(m.c.team_id).where(m.c.id == manager_id).scalar_subquery()
        if self.scope == "territory":
            return select(m.c.territory).where(m.c.id == manager_id).scalar_subquery()
        raise ValueError(f"credit is split by manager, team or territory, not {self.scope}")

    # -- people, cases, tasks ---------------------------------------------------------

    def role_person(self, role: str, manager_id) -> ColumnElement:
        """The manager holding ``role`` for the manager ``manager_id``, as SQL.

        ``owner``: the manager; ``reports_to``: their superior; another
        role (compared without case): the active manager holding it in the
        manager's territory, else team, else anywhere, smallest id first.
        NULL when nobody holds it: ``func.coalesce(ctx.role_person("区域经理", m), m)``.
        """
        return role_person(role, manager_id)

    def case_hours(self, policy: str | None = None, clock: str = "resolution", *,
                   served: bool = True):
        """The cases of ``policy`` (None: every policy) that reached ``clock``
        inside the KPI period (:meth:`in_period`), one row each, as a subquery:
        ``scope_key``, ``id``, ``policy``, ``customer_id``, ``opened_at``,
        ``done_at`` (when the clock was reached), ``paused_hours`` (left out of a
        resolution clock; 0 for a response clock) and ``hours``.

        ``resolution``: opened to resolved, paused time left out;
        ``response``: opened to first response. ``served``: customers the
        pack serves only (:meth:`served`). A KPI's value and its rows both
        read this one subquery, so they cannot disagree.
        """
        c = service_tables.cases
        done = {"resolution": c.c.resolved_at, "response": c.c.responded_at}.get(clock)
        if done is None:
            raise ValueError(f"clock is 'resolution' or 'response', not {clock!r}")
        hours = self.hours_between(c.c.opened_at, done)
        # The paused hours a clock leaves out: a response clock runs on.
        paused = func.coalesce(c.c.paused_hours, 0.0) if clock == "resolution" else literal(0.0)
        hours = hours - paused
        where = [done.is_not(None), self.in_period(done)]
        if served:
            where.append(self.served(c.c.customer_id))
        if policy is not None:
            where.append(c.c.policy == policy)
        return (select(self.scope_key(c.c.customer_id).label("scope_key"), c.c.id, c.c.policy,
                       c.c.customer_id, c.c.opened_at, done.label("done_at"),
                       paused.label("paused_hours"), hours.label("hours"))
                .where(*where).subquery("case_hours"))

    def case_hours_mean(self, policy: str | None = None, clock: str = "resolution", *,
                        served: bool = True):
        """``(scope_key, value)``: mean hours of :meth:`case_hours`."""
        d = self.case_hours(policy, clock, served=served)
        return select(d.c.scope_key, func.avg(d.c.hours).label("value")).group_by(d.c.scope_key)

    def never_tasked(self, rule: str, key, *, customer_id=None, manager_id=None) -> ColumnElement:
        """True unless ``rule`` already made a task with dedupe key ``key`` (for
        the customer, or the manager's own task) that is done or cancelled.

        A service rule's "once per key, never again": put it in the rule's
        ``where``. An open task of the key the engine itself counts as
        existing, so a rerun reports it as such. Give ``customer_id`` or
        ``manager_id`` (or both).
        """
        if customer_id is None and manager_id is None:
            raise ValueError("never_tasked needs customer_id or manager_id")
        tk = tables.tasks.alias("tasked_before")
        # The rule compared as an expression (|| ''): the lookup then goes by
        # the customer's index; on the (rule, status) index SQLite read every
        # task of the rule for each row.
        same = [tk.c.dedupe_key == key, tk.c.rule + literal("") == rule, tk.c.status != "open"]
        if customer_id is not None:
            same.append(tk.c.customer_id == customer_id)
        if manager_id is not None:
            same.append(tk.c.manager_id == manager_id)
        return ~exists().where(*same)

    # -- plans (TOB-PLAN, BANK-VISIT) ----------------------------------------------------

    def plan_completion(self, cadence: str | None = None):
        """``(scope_key, value)``: planned visits of the period whose task is done ÷
        planned visits; ``cadence``: that cadence's visits only (the core's
        ``core.plan_completion``, for a pack's own plan KPI)."""
        from guanxi.builtin import plan_kpis  # the core pack's KPI, published here

        return plan_kpis.completion_query(self, cadence=cadence)

    def plan_on_day(self, cadence: str | None = None):
        """``(scope_key, value)``: planned visits done on their planned day ÷ planned
        visits (the core's ``core.plan_on_day``); ``cadence`` as :meth:`plan_completion`."""
        from guanxi.builtin import plan_kpis

        return plan_kpis.on_day_query(self, cadence=cadence)

    def plan_completion_rows(self, cadence: str | None = None):
        """The rows behind :meth:`plan_completion`: each planned visit, 1 when its task is done."""
        from guanxi.builtin import plan_kpis

        return plan_kpis.completion_rows(self, cadence=cadence)

    def plan_on_day_rows(self, cadence: str | None = None):
        """The rows behind :meth:`plan_on_day`: each planned visit, 1 when made on its day."""
        from guanxi.builtin import plan_kpis

        return plan_kpis.on_day_rows(self, cadence=cadence)

    # -- reasons -------------------------------------------------------------------

    def reason(self, key: str, **figures) -> ColumnElement:
        """A reason as stored: its template key and figures, as JSON text.

        Rendered in one place (:mod:`guanxi.engines.reasons`) in the
        workspace's language, so figures read the same on both databases.
        """
        pairs: list[Any] = [literal("key"), literal(key)]
        for name, value in figures.items():
            if not isinstance(value, ColumnElement):
                value = literal(value)
            pairs += [literal(name), value]
        if self.dialect == "sqlite":
            return func.json_object(*pairs, type_=String)
        return cast(func.json_build_object(*pairs), String)

    # -- metrics over months ---------------------------------------------------------
    # A rule that ranks or bounds customers by a metric's monthly average
    # (BANK-ABC) asks here, so that a flow and a stock are averaged each in
    # its own way, the same in every pack.

    #: The declared metrics by name (``guanxi_metrics``): their grain and aggregate.
    metrics: Mapping[str, Any] = attrs.field(factory=dict)

    def metric(self, name: str, setting: str | None = None):
        """The declared :class:`~guanxi.Metric` ``name``; ``setting`` names where it was asked.

        An undeclared name raises ``ValueError`` naming the setting, the
        closest declared metric and the declared ones.
        """
        from guanxi.errors import did_you_mean

        spec = self.metrics.get(name)
        if spec is None:
            where = f"{setting} = {name!r}" if setting else repr(name)
            raise ValueError(
                f"{where} is not a declared metric{did_you_mean(name, self.metrics)}; "
                f"declared: {', '.join(sorted(self.metrics)) or 'none'}"
            )
        return spec

    def monthly_average(self, metric: str, months: int, *, name: str | None = None,
                        setting: str | None = None):
        """``(customer_id, value, months, total)``: ``metric``'s average month over the
        last ``months`` closed months (:meth:`trailing_months`), accounts added up.

        A flow (aggregate ``sum``: revenue, profit, cartons) counts a month
        without a row as 0, from the customer's first month on: the later of
        the window's first month and the month the customer began, which is
        the month of ``customers.created_at`` or of the customer's first
        measurement of ``metric``, whichever is earlier (a customer whose
        record was made after its history began is not averaged over fewer
        months than it had; one with no ``created_at`` begins with its first
        figure). So $404 bought over 11 months averages 404 / 11, not the
        mean of the months with a purchase. A stock (``avg``, ``last``:
        balances) is the mean of the months that have a figure; a daily
        stock's month is its mean (``avg``) or its last day (``last``).
        ``months`` in the result is the number of months averaged over and
        ``total`` the sum of the months' figures (``value`` = ``total`` /
        ``months``; whole-number rules divide ``total`` themselves).
        Customers without a row in the window are not in the result.
        ``setting`` names the option the metric came from, for the error an
        undeclared one raises (:meth:`metric`).
        """
        spec = self.metric(metric, setting)
        name = name or f"{metric}_monthly_average"
        first, end = self.trailing_months(months)
        m = tables.measurements
        # One figure per customer and period: accounts added up.
        periods = (
            select(m.c.customer_id, m.c.period, func.sum(m.c.value).label("value"))
            .where(m.c.metric == metric, m.c.period >= first, m.c.period < end)
            .group_by(m.c.customer_id, m.c.period)
            .subquery(f"{name}_periods")
        )
        monthly = self._months_of(spec, periods, name)
        if spec.aggregate != "sum":
            return (
                select(monthly.c.customer_id, func.avg(monthly.c.value).label("value"),
                       func.count().label("months"), func.sum(monthly.c.value).label("total"))
                .group_by(monthly.c.customer_id)
                .subquery(name)
            )
        totals = (
            select(monthly.c.customer_id, func.sum(monthly.c.value).label("total"))
            .group_by(monthly.c.customer_id)
            .subquery(f"{name}_totals")
        )
        began = (
            select(m.c.customer_id, func.min(m.c.period).label("first"))
            .where(m.c.metric == metric, m.c.period < end)
            .group_by(m.c.customer_id)
            .subquery(f"{name}_first_figure")
        )
        c = tables.customers.alias(f"{name}_customer")
        created = self.start_of_month(c.c.created_at)
        figured = self.start_of_month(began.c.first)
        start = case((and_(created.is_not(None), created < figured), created), else_=figured)
        start = case((start < literal(first, Date), literal(first, Date)), else_=start)
        counted = literal(end.year * 12 + end.month) - self._month_number(start)
        total = totals.c.total if self.dialect != "sqlite" else totals.c.total * 1.0
        return (
            select(totals.c.customer_id, (total / counted).label("value"),
                   counted.label("months"), totals.c.total)
            .select_from(totals.join(began, began.c.customer_id == totals.c.customer_id)
                         .outerjoin(c, c.c.id == totals.c.customer_id))
            .subquery(name)
        )

    def _months_of(self, spec, periods, name: str):
        """``(customer_id, month, value)`` from one figure per period, by the metric's grain."""
        if spec.grain == "month":
            return select(periods.c.customer_id, periods.c.period.label("month"),
                          periods.c.value).subquery(f"{name}_months")
        month = self.start_of_month(periods.c.period)
        if spec.aggregate == "last":
            latest = select(
                periods.c.customer_id, month.label("month"), periods.c.value,
                func.row_number().over(partition_by=(periods.c.customer_id, month),
                                       order_by=periods.c.period.desc()).label("n"),
            ).subquery(f"{name}_latest")
            return (select(latest.c.customer_id, latest.c.month, latest.c.value)
                    .where(latest.c.n == 1).subquery(f"{name}_months"))
        figure = func.sum if spec.aggregate == "sum" else func.avg
        return (select(periods.c.customer_id, month.label("month"),
                       figure(periods.c.value).label("value"))
                .group_by(periods.c.customer_id, month).subquery(f"{name}_months"))

    def _month_number(self, expr) -> ColumnElement:
        """year * 12 + month of a date: months between two dates by subtraction."""
        if self.dialect == "sqlite":
            return (cast(func.strftime("%Y", expr), Integer) * 12
                    + cast(func.strftime("%m", expr), Integer))
        return cast(func.extract("year", expr) * 12 + func.extract("month", expr), Integer)

    def months_between(self, start, end=None) -> ColumnElement:
        """Calendar months from the month of ``start`` to the month of ``end``
        (a date or datetime; default: the as-of date): 0 within one month,
        1 from any day of October to any day of November. Cohort grids
        (months since a customer's first purchase) read this one shape.
        """
        end = self.today if end is None else end
        return self._month_number(end) - self._month_number(start)

    # -- account status history (docs/writing-a-pack.md, "An account's status on a day") --

    def account_status_at(self, account_id, day) -> ColumnElement:
        """An account's status at the end of ``day`` (a date or a date column).

        From ``account_status_history``: the status of the latest row on or
        before ``day``; NULL before the account's first row.
        """
        h = tables.account_status_history.alias("status_at")
        day = literal(day, Date) if isinstance(day, dt.date) else day
        return (
            select(h.c.status)
            .where(h.c.account_id == account_id, h.c.started_on <= day)
            .order_by(h.c.started_on.desc())
            .limit(1)
            .scalar_subquery()
        )

    def calendar_months_between(self, start, end=None) -> ColumnElement:
        """Whole calendar months from ``start`` to ``end`` (default the as-of day).

        2024-06-06 to 2026-06-06 is 24; to 2026-06-05 it is 23: a month
        counts once the start's day of the month comes round again (from
        01-31, 02-28 is still 0 months). NULL when ``start`` is.
        """
        end = self.today if end is None else end
        # months_between counts month numbers; a month not yet come round is one less.
        return (self.months_between(start, end)
                - case((self._day_of_month(end) < self._day_of_month(start), 1), else_=0))

    def _day_of_month(self, expr) -> ColumnElement:
        if self.dialect == "sqlite":
            return cast(func.strftime("%d", expr), Integer)
        return cast(func.extract("day", expr), Integer)
