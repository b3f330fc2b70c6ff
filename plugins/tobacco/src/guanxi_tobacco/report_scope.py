"""Who the monthly report is about and the pieces its sections share: the author's
retailers, their grades and measurements in a window, case statuses.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as Record

from sqlalchemy import and_, func, literal, select

from guanxi_tobacco.options import GRADE, REGIONAL_MANAGER, SPECIAL_VISIT
from guanxi_tobacco.report_numbers import Window, month_plus


# -- who -------------------------------------------------------------------------------


def authors(ctx):
    """Who writes the report: every active manager who owns a retailer (a customer served)."""
    m, c = ctx.tables.managers, ctx.tables.customers
    owns = select(c.c.id).where(c.c.manager_id == m.c.id, ctx.served(c.c.id)).exists()
    return select(m.c.id).where(m.c.active.is_(True), owns)


def months(scope) -> Record:
    """The month, the month before, the same month last year and the three months before."""
    month = scope.period
    return Record(current=month.label, previous=month_plus(month, -1).label,
                  last_year=month_plus(month, -12).label,
                  before=f"{month_plus(month, -3).label} to {month_plus(month, -1).label}")


def reviewer(scope):
    """Who reviews the report (TOB-REPORT: 交区域市场经理审阅): a row (id, name), or None.

    The person the role ``regional market manager`` resolves to for the
    manager, as in the case chains (TOB-PRICE's approval): the active one
    in the manager's territory, else in the manager's team, else anywhere,
    the smallest id first (``ctx.role_person``); when
    nobody holds the role, the manager's ``reports_to``.
    """
    ctx = scope.ctx
    m = ctx.tables.managers.alias("reviewer")
    owner = literal(scope.author_id)
    who = func.coalesce(ctx.role_person(REGIONAL_MANAGER, owner),
                        ctx.role_person("reports_to", owner))
    return scope.conn.execute(select(m.c.id, m.c.name).where(m.c.id == who)).first()


# -- shared pieces ---------------------------------------------------------------------


def grade_label(ctx, customer_id):
    """The current grade label (TOB-GRADE); NULL when ungraded."""
    return ctx.label(GRADE, customer_id)


def owned_by(ctx, manager_id):
    """The manager's retailers' ids: an alias, so it never correlates with an outer query."""
    c = ctx.tables.customers.alias("owned")
    return select(c.c.id).where(c.c.manager_id == manager_id, ctx.served(c.c.id))


def within(column, start: dt.date, end: dt.date):
    return and_(column >= start, column < end)


def measured(ctx, customer_id, w: Window, what: str):
    """The latest special visit to the retailer from the month's start to the due day.

    ``what``: ``note`` or ``day``. The measure taken for a problem is the
    《特殊访问记录》 the manager made about it.
    """
    i = ctx.tables.interactions.alias()
    column = ctx.attribute(i, "note") if what == "note" else i.c.occurred_at
    return (
        select(column)
        .where(i.c.customer_id == customer_id, i.c.kind == SPECIAL_VISIT,
               i.c.occurred_at >= w.start_at, i.c.occurred_at < w.measures_end)
        .order_by(i.c.occurred_at.desc(), i.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def day_of(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands back a scalar subquery's datetime as text
        return dt.date.fromisoformat(value[:10])
    return value


def status_of_case(policies, policy: str | None, state: str | None, step: int | None):
    """(status text, chain complete) of a case: its state and the step it waits for."""
    if state is None:
        return "no case", False
    steps = getattr(policies.get(policy), "steps", ()) or ()
    complete = bool(steps) and (step or 0) >= len(steps)
    if steps and not complete and state in ("open", "paused"):
        return f"{state}, awaiting {steps[step or 0].name}", False
    return (f"{state}, every step approved" if complete else state), complete


def scope_args(scope):
    return scope.conn, scope.ctx, scope.author_id, Window.of(scope)


def policies_of(scope) -> dict:
    return {p.name: p for p in scope.workspace.case_policies()}
