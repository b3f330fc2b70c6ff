"""The case KPIs: on-time response and resolution, escalation and callback
rates, mean and 90th-percentile resolution hours.

Each reads the cases of every policy and groups them by the scope key of
the case's customer (``ctx.scope_key``). A case counts in the period its
deadline (on-time rates), opening (escalation rate) or resolution
(callback rate, durations) falls in, up to the end of the as-of day: a
deadline not yet reached is not yet judged.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, and_, case, cast, exists, func, literal, select

from guanxi.contributions import Kpi
from guanxi.service.cases import hours_between_sql
from guanxi.storage import service_tables as st


def _window(ctx, column):
    """``column`` in the period, before the end of the as-of day."""
    start = dt.datetime.combine(ctx.period.start, dt.time())
    end = min(dt.datetime.combine(ctx.period.end, dt.time()),
              dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time()))
    return and_(column >= literal(start), column < literal(end))


def _share(condition):
    return cast(func.sum(case((condition, 1), else_=0)), Float) / func.count()


def _on_time(ctx, done, due):
    c = st.cases
    key = ctx.scope_key(c.c.customer_id).label("scope_key")
    kept = and_(done.is_not(None), done <= due)
    return select(key, _share(kept).label("value")).where(_window(ctx, due)).group_by(key)


def response_on_time_query(ctx):
    c = st.cases
    return _on_time(ctx, c.c.responded_at, c.c.response_due_at)


def resolution_on_time_query(ctx):
    c = st.cases
    return _on_time(ctx, c.c.resolved_at, c.c.resolution_due_at)


def escalation_rate_query(ctx):
    c, e = st.cases, st.case_events
    key = ctx.scope_key(c.c.customer_id).label("scope_key")
    escalated = exists().where(e.c.case_id == c.c.id, e.c.action == "escalate")
    return (select(key, _share(escalated).label("value"))
            .where(_window(ctx, c.c.opened_at)).group_by(key))


def callback_rate_query(ctx):
    c = st.cases
    key = ctx.scope_key(c.c.customer_id).label("scope_key")
    return (select(key, _share(c.c.called_back_at.is_not(None)).label("value"))
            .where(_window(ctx, c.c.resolved_at), c.c.callback_due_at.is_not(None))
            .group_by(key))


def _durations(ctx):
    """(scope_key, hours) of the cases resolved in the period, paused time left out."""
    c = st.cases
    hours = hours_between_sql(ctx.dialect, c.c.opened_at, c.c.resolved_at) - c.c.paused_hours
    return (select(ctx.scope_key(c.c.customer_id).label("scope_key"), hours.label("hours"))
            .where(_window(ctx, c.c.resolved_at))
            .subquery("case_durations"))


def resolution_hours_mean_query(ctx):
    d = _durations(ctx)
    return select(d.c.scope_key, func.avg(d.c.hours).label("value")).group_by(d.c.scope_key)


def resolution_hours_p90_query(ctx):
    # The nearest-rank percentile, the same on both databases: order each
    # scope's durations, take the one at rank ceil(0.9 n) = (9 n + 9) // 10.
    d = _durations(ctx)
    ranked = select(
        d.c.scope_key, d.c.hours,
        func.row_number().over(partition_by=d.c.scope_key, order_by=d.c.hours).label("rank"),
        func.count().over(partition_by=d.c.scope_key).label("n"),
    ).subquery("ranked_durations")
    return (select(ranked.c.scope_key, ranked.c.hours.label("value"))
            .where(ranked.c.rank == (ranked.c.n * 9 + 9) // 10))


KPIS = (
    Kpi(name="core.case_response_on_time", title="Cases responded to on time", unit="share",
        query=response_on_time_query,
        description="Share of cases whose response was due in the period that were responded "
                    "to by their due time."),
    Kpi(name="core.case_resolution_on_time", title="Cases resolved on time", unit="share",
        query=resolution_on_time_query,
        description="Share of cases whose resolution was due in the period that were resolved "
                    "by their due time."),
    Kpi(name="core.case_escalation_rate", title="Cases escalated", unit="share",
        query=escalation_rate_query, higher_is_better=False,
        description="Share of cases opened in the period that were escalated (a level, by "
                    "hand, or a step past its limit)."),
    Kpi(name="core.case_callback_rate", title="Cases called back", unit="share",
        query=callback_rate_query,
        description="Share of cases resolved in the period with a callback clock whose "
                    "customer was called back."),
    Kpi(name="core.case_resolution_hours_mean", title="Mean hours to resolve", unit="hours",
        query=resolution_hours_mean_query, higher_is_better=False,
        description="Mean hours from opening to resolution of the cases resolved in the "
                    "period, paused time left out."),
    Kpi(name="core.case_resolution_hours_p90", title="Hours to resolve, 90th percentile",
        unit="hours", query=resolution_hours_p90_query, higher_is_better=False,
        description="The 90th percentile (nearest rank) of the hours from opening to "
                    "resolution of the cases resolved in the period, paused time left out."),
)
