"""The visit plan's KPIs: was the plan kept, and on the planned day?

Both count the planned visits of the period whose day has come (on or
before the as-of day, so a month under way is judged on its days so far).
By manager, a visit counts for the manager it was planned for, as the task
KPIs count a task for its holder; by any other scope, for the customer's
scope key.
"""

from __future__ import annotations

from sqlalchemy import Float, and_, case, cast, func, select

from guanxi.contributions import Kpi
from guanxi.service.planner import kind_in, row_moved
from guanxi.storage import service_tables as st


def _scope_key(ctx, pv):
    return pv.c.manager_id if ctx.scope == "manager" else ctx.scope_key(pv.c.customer_id)


def _in_period(ctx, pv, cadence=None):
    within = (pv.c.day >= ctx.period.start, pv.c.day < ctx.period.end, pv.c.day <= ctx.as_of)
    return within if cadence is None else (*within, pv.c.cadence == cadence)


def completion_query(ctx, cadence: str | None = None):
    """Planned visits whose task is done ÷ planned visits (rule TOB-PLAN, BANK-VISIT).

    ``cadence``: only that cadence's visits (a pack's own KPI of its plan).
    """
    pv, tk = st.plan_visits, ctx.tables.tasks
    key = _scope_key(ctx, pv).label("scope_key")
    # A visit carried into a later week was missed in its own: the task's
    # later "done" belongs to the later week's row.
    kept = and_(tk.c.status == "done", ~row_moved(pv, tk))
    done = func.sum(case((kept, 1), else_=0))
    return (
        select(key, (cast(done, Float) / func.count()).label("value"))
        .select_from(pv.outerjoin(tk, tk.c.id == pv.c.task_id))
        .where(*_in_period(ctx, pv, cadence))
        .group_by(key)
    )


def on_day_query(ctx, cadence: str | None = None):
    """Planned visits made on the planned day ÷ planned visits (``cadence``: its only).

    Made on the day: an interaction of one of the cadence's visit kinds
    (kept on the plan row) for that customer on that day.
    """
    pv, i = st.plan_visits, ctx.tables.interactions
    key = _scope_key(ctx, pv).label("scope_key")
    on_day = (
        select(i.c.id)
        .where(i.c.customer_id == pv.c.customer_id,
               ctx.date_of(i.c.occurred_at) == pv.c.day,
               kind_in(ctx.dialect, pv.c.visit_kinds, i.c.kind))
        .exists()
    )
    share = cast(func.sum(case((on_day, 1), else_=0)), Float) / func.count()
    return (
        select(key, share.label("value"))
        .where(*_in_period(ctx, pv, cadence))
        .group_by(key)
    )


KPIS = (
    Kpi(name="core.plan_completion", title="Plan completion", unit="share",
        query=completion_query,
        description="Share of the visits planned in the period (up to the as-of day) whose "
                    "visit task is done."),
    Kpi(name="core.plan_on_day", title="Visits on the planned day", unit="share",
        query=on_day_query,
        description="Share of the visits planned in the period (up to the as-of day) made "
                    "on the planned day: a visit interaction for that customer that day."),
)
