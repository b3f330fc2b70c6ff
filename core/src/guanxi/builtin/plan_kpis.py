"""The visit plan's KPIs: was the plan kept, and on the planned day?

Both count the planned visits of the period whose day has come (on or
before the as-of day, so a month under way is judged on its days so far).
By manager, a visit counts for the manager it was planned for, as the task
KPIs count a task for its holder; by any other scope, for the customer's
scope key.
"""

from __future__ import annotations

from sqlalchemy import Float, String, and_, case, cast, func, select

from guanxi.contributions import Kpi
from guanxi.service.cases import minute_text
from guanxi.service.plan_reading import row_moved
from guanxi.service.plan_sql import kind_in
from guanxi.storage import service_tables as st


def _scope_key(ctx, pv):
    return pv.c.manager_id if ctx.scope == "manager" else ctx.scope_key(pv.c.customer_id)


def _in_period(ctx, pv, cadence=None):
    within = (pv.c.day >= ctx.period.start, pv.c.day < ctx.period.end, pv.c.day <= ctx.as_of)
    return within if cadence is None else (*within, pv.c.cadence == cadence)


def _completion(ctx, cadence):
    """(plan rows joined to their tasks, scope key, kept condition, in-period conditions)."""
    pv, tk = st.plan_visits, ctx.tables.tasks
    key = _scope_key(ctx, pv).label("scope_key")
    # A visit carried into a later week was missed in its own: the task's
    # later "done" belongs to the later week's row.
    kept = and_(tk.c.status == "done", ~row_moved(pv, tk))
    return pv.outerjoin(tk, tk.c.id == pv.c.task_id), key, kept, _in_period(ctx, pv, cadence)


def completion_query(ctx, cadence: str | None = None):
    """Planned visits whose task is done ÷ planned visits (rule TOB-PLAN, BANK-VISIT).

    ``cadence``: only that cadence's visits (a pack's own KPI of its plan).
    """
    source, key, kept, within = _completion(ctx, cadence)
    done = func.sum(case((kept, 1), else_=0))
    return (
        select(key, (cast(done, Float) / func.count()).label("value"))
        .select_from(source)
        .where(*within)
        .group_by(key)
    )


def _visit_figures(pv):
    return dict(visit=pv.c.id, customer=pv.c.customer_id, manager=pv.c.manager_id,
                day=cast(pv.c.day, String))


def completion_rows(ctx, cadence: str | None = None):
    """Each planned visit of the period so far: 1 when its task is done, else 0."""
    pv, tk = st.plan_visits, ctx.tables.tasks
    source, key, kept, within = _completion(ctx, cadence)
    figures = _visit_figures(pv)
    reason = case(
        (kept, ctx.reason("core.kpi_plan_done", task=tk.c.id,
                          done=minute_text(ctx.dialect, tk.c.closed_at), **figures)),
        (row_moved(pv, tk), ctx.reason("core.kpi_plan_moved", task=tk.c.id, **figures)),
        else_=ctx.reason("core.kpi_plan_not_done", task=pv.c.task_id,
                         status=func.coalesce(tk.c.status, "none"), **figures))
    return (select(key, pv.c.id.label("row_id"), case((kept, 1), else_=0).label("figure"),
                   reason.label("reason"))
            .select_from(source).where(*within))


def _on_day(ctx, cadence):
    """(scope key, made-on-the-day condition, in-period conditions) of a plan's visits.

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
    return key, on_day, _in_period(ctx, pv, cadence)


def on_day_query(ctx, cadence: str | None = None):
    """Planned visits made on the planned day ÷ planned visits (``cadence``: its only)."""
    key, on_day, within = _on_day(ctx, cadence)
    share = cast(func.sum(case((on_day, 1), else_=0)), Float) / func.count()
    return (
        select(key, share.label("value"))
        .where(*within)
        .group_by(key)
    )


def on_day_rows(ctx, cadence: str | None = None):
    """Each planned visit of the period so far: 1 when made on its day, else 0."""
    pv = st.plan_visits
    key, on_day, within = _on_day(ctx, cadence)
    figures = dict(_visit_figures(pv), kinds=pv.c.visit_kinds)
    return (select(key, pv.c.id.label("row_id"), case((on_day, 1), else_=0).label("figure"),
                   case((on_day, ctx.reason("core.kpi_plan_on_day", **figures)),
                        else_=ctx.reason("core.kpi_plan_not_on_day", **figures))
                   .label("reason"))
            .where(*within))


_VISIT = "visit {visit} to {customer} planned for {manager} on {day}"
_VISIT_ZH = "计划拜访 {visit}：{manager} 于 {day} 拜访 {customer}"
#: The reasons of the plan KPIs' rows (a pack's plan KPIs declare them too).
ROW_REASONS = {
    "core.kpi_plan_done": {"en": _VISIT + ": task {task} done {done}",
                           "zh": _VISIT_ZH + "：任务 {task} 于 {done} 完成"},
    "core.kpi_plan_moved": {"en": _VISIT + ": missed, carried into a later week (task {task})",
                            "zh": _VISIT_ZH + "：未完成，顺延至以后的周计划（任务 {task}）"},
    "core.kpi_plan_not_done": {"en": _VISIT + ": task {task} {status}",
                               "zh": _VISIT_ZH + "：任务 {task} 状态 {status}"},
    "core.kpi_plan_on_day": {"en": _VISIT + ": made that day",
                             "zh": _VISIT_ZH + "：当天已拜访"},
    "core.kpi_plan_not_on_day": {"en": _VISIT + ": no visit ({kinds}) that day",
                                 "zh": _VISIT_ZH + "：当天无拜访（{kinds}）"},
}


KPIS = (
    Kpi(name="core.plan_completion", title="Plan completion", unit="share",
        query=completion_query, rows=completion_rows, row_kind="visit", combine="ratio",
        reasons=ROW_REASONS,
        description="Share of the visits planned in the period (up to the as-of day) whose "
                    "visit task is done."),
    Kpi(name="core.plan_on_day", title="Visits on the planned day", unit="share",
        query=on_day_query, rows=on_day_rows, row_kind="visit", combine="ratio",
        reasons=ROW_REASONS,
        description="Share of the visits planned in the period (up to the as-of day) made "
                    "on the planned day: a visit interaction for that customer that day."),
)
