"""Tobacco KPIs of surveys (TOB-SURVEY): the satisfaction index and the measures taken."""

from __future__ import annotations

from sqlalchemy import Float, and_, cast, func, or_, select

from guanxi_tobacco.kpi_blocks import SURVEY_RULE, either, key_of, met_if, minute_of, rows_of
from guanxi_tobacco.options import SURVEY


def _surveys(ctx):
    i = ctx.tables.interactions
    score = ctx.attribute(i, "satisfaction", "integer")
    return i, key_of(ctx, i.c.customer_id), score, and_(
        i.c.kind == SURVEY, score.is_not(None), ctx.in_period(i.c.occurred_at),
        ctx.served(i.c.customer_id))


def satisfaction_index_query(ctx):
    # 满意度指数: the mean score (1-5) on 0-100, (mean - 1) / 4 x 100, computed as
    # (sum - n) x 100 / (4 n) so that only one division is made.
    i, key, score, surveyed = _surveys(ctx)
    n = func.count()
    return (select(key, ctx.ratio((func.sum(score) - n) * 100, n * 4).label("value"))
            .where(surveyed).group_by(key))


def satisfaction_index_rows(ctx):
    # Each survey adds its score on 0-100, (score - 1) x 25, and weighs 1:
    # their mean is the index.
    i, key, score, surveyed = _surveys(ctx)
    points = cast((score - 1) * 25, Float)
    return rows_of(key, i.c.id, points,
                   ctx.reason("tobacco.kpi_survey", survey=i.c.id, customer=i.c.customer_id,
                              day=ctx.date_of(i.c.occurred_at), score=score, points=points)
                   ).where(surveyed)


def _survey_actions(ctx):
    # rule TOB-SURVEY: the action tasks due in the period so far, cancelled ones aside;
    # a round's analysis (no customer) counts for its manager, team or territory.
    tk = ctx.tables.tasks
    key = (func.coalesce(tk.c.manager_id, "") if ctx.scope == "manager"
           else ctx.task_scope_key(tk)).label("scope_key")
    # Recorded within its days (a due day is on time all of it); a task
    # still inside them is not judged yet, one past them is late.
    on_time = ctx.task_on_time(tk)
    return tk, key, on_time, and_(tk.c.rule == SURVEY_RULE,
                                  ctx.in_period(tk.c.due_at),
                                  or_(on_time, ctx.task_late(tk)))


def survey_actions_done_query(ctx):
    tk, key, on_time, judged = _survey_actions(ctx)
    return select(key, ctx.share(on_time).label("value")).where(judged).group_by(key)


def survey_actions_done_rows(ctx):
    tk, key, on_time, judged = _survey_actions(ctx)
    return rows_of(key, tk.c.id, met_if(on_time),
                   either(ctx, on_time, "tobacco.kpi_survey_task_on_time",
                          "tobacco.kpi_survey_task_late", task=tk.c.id, manager=tk.c.manager_id,
                          about=func.coalesce(tk.c.customer_id, "the round's analysis"),
                          due=ctx.date_of(tk.c.due_at), status=tk.c.status,
                          done=minute_of(ctx, tk.c.closed_at))).where(judged)
