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

The class keeps the context's values, fields and labels, scopes and
reasons; its helpers by topic live in mixins: dates and periods
(``context_dates``), working days (``context_calendar``), tasks, cases,
plans and accounts (``context_work``), metrics (``context_metrics``), bills
(``context_bills``).
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
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from guanxi.engines.context_bills import BillHelpers
from guanxi.engines.context_calendar import CalendarHelpers
from guanxi.engines.context_dates import DateHelpers
from guanxi.engines.context_metrics import MetricHelpers
from guanxi.engines.context_work import WorkHelpers
from guanxi.periods import Period
from guanxi.storage import tables


@attrs.define(kw_only=True)
class Context(DateHelpers, CalendarHelpers, WorkHelpers, MetricHelpers, BillHelpers):
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
    #: The declared metrics by name (``guanxi_metrics``): their grain and aggregate.
    metrics: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def uses_calendar(self) -> bool:
        """True once a query built with this context reads ``business_days``.

        The context never writes: whoever runs such a query first calls
        ``rt.ensure_business_days(ctx.as_of)`` (the engines do), so the
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

    # -- fields and labels ---------------------------------------------------------

    def attribute(self, table, name: str, type: str = "text") -> ColumnElement:
        """A declared field from ``table.attributes`` as SQL of ``type``."""
        column = table.c.attributes
        if self.dialect == "sqlite":
            raw = func.json_extract(column, f"$.{name}")
        else:
            raw = column.op("->>", return_type=String)(literal(name))
        # a share is a decimal; the identity types (cn_ric, ...) are text
        sql_type = {"text": String, "integer": Integer, "decimal": Numeric(20, 4),
                    "share": Numeric(20, 4), "number": Float, "date": Date,
                    "boolean": Integer}.get(type, String)
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

    def on_list(self, name: str, customer_id, day=None) -> ColumnElement:
        """True when the customer is on the named list on ``day`` (a SQL date; None:
        the as-of date), in its latest spell or an earlier one."""
        from guanxi.engines.list_keeping import on_list_at

        return on_list_at(name, customer_id, self.today if day is None else day)

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
