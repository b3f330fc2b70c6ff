"""Reading the plan back: planned visits with their status, for ``plan show`` and KPIs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, case, cast, literal, or_, select

from guanxi.service.plan_records import PlanVisit
from guanxi.service.plan_weeks import Week
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t


def row_moved(pv, tk):
    """True when a plan row's task was carried into a later week (the row is history).

    An open planned visit carried into a new plan takes the new week as its
    dedupe key and the planning cadence as its rule; the earlier row keeps
    pointing at it.
    """
    return or_(tk.c.dedupe_key != pv.c.week, tk.c.rule != pv.c.cadence)


def _row_status(pv, tk):
    """A plan row's status: its task's, or ``moved`` once the task went to a later week."""
    return case((row_moved(pv, tk), literal("moved", String)), else_=tk.c.status)


def plan_visits(rt, week: Week | None, manager: str | None,
                since: dt.date | None = None, scope=None) -> list[PlanVisit]:
    pv, c, tk = st.plan_visits, t.customers, t.tasks
    query = (
        select(pv.c.cadence, pv.c.week, pv.c.manager_id, pv.c.day, pv.c.customer_id,
               c.c.name.label("customer_name"), pv.c.territory, pv.c.reason, pv.c.task_id,
               _row_status(pv, tk).label("status"))
        .select_from(pv.outerjoin(c, c.c.id == pv.c.customer_id)
                     .outerjoin(tk, tk.c.id == pv.c.task_id))
        .order_by(pv.c.manager_id, pv.c.day, case((pv.c.territory.is_(None), 1), else_=0),
                  cast(pv.c.territory, t.Key), pv.c.customer_id, pv.c.cadence)
    )
    if week is not None:
        query = query.where(pv.c.week == week.label)
    if since is not None:
        query = query.where(pv.c.day >= since)
    if manager:
        query = query.where(pv.c.manager_id == manager)
    if scope is not None and scope.task_condition(pv) is not None:
        query = query.where(scope.task_condition(pv))  # a plan's visits are its managers'
    with rt.engine.connect() as conn:
        return [PlanVisit(**row._mapping) for row in conn.execute(query)]
