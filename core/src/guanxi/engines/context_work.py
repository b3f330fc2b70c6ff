"""The query kit's work records: task timeliness, role holders, case clocks, "never again",
visit plans and account status history.

A mixin of :class:`guanxi.engines.context.Context`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from guanxi.engines.context_sql import role_person
from guanxi.storage import service_tables, tables


class WorkHelpers:
    """Task, case, plan and account helpers of the query context (a mixin of Context)."""

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
