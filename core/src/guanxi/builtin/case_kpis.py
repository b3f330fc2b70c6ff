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

from sqlalchemy import and_, case, exists, func, literal, select

from guanxi.contributions import Kpi
from guanxi.service.cases import minute_text
from guanxi.storage import service_tables as st


def _window(ctx, column):
    """``column`` in the period, before the end of the as-of day."""
    start = dt.datetime.combine(ctx.period.start, dt.time())
    end = min(dt.datetime.combine(ctx.period.end, dt.time()),
              dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time()))
    return and_(column >= literal(start), column < literal(end))


def _case_rows(ctx, met, reason_met, reason_missed, **figures):
    """One row per case of the select: 1 when ``met``, else 0, with the reason for each.

    ``figures`` go into both reasons beside the case's id, policy and customer.
    """
    c = st.cases
    common = dict(case=c.c.id, policy=c.c.policy, customer=c.c.customer_id, **figures)
    return (select(ctx.scope_key(c.c.customer_id).label("scope_key"), c.c.id.label("row_id"),
                   case((met, 1), else_=0).label("figure"),
                   case((met, ctx.reason(reason_met, **common)),
                        else_=ctx.reason(reason_missed, **common)).label("reason")))


def _minute(ctx, column):
    return minute_text(ctx.dialect, column)


def _on_time(ctx, done, due, rows: bool = False, step: str = "response"):
    """The cases whose ``due`` fell in the period: kept when ``done`` by it.

    ``rows``: each case (1 kept, 0 not) instead of the share per key.
    """
    c = st.cases
    kept = and_(done.is_not(None), done <= due)
    key = ctx.scope_key(c.c.customer_id).label("scope_key")
    if rows:
        # One reason key per clock (response, resolution), so each language names it.
        figures = dict(case=c.c.id, policy=c.c.policy, customer=c.c.customer_id,
                       due=_minute(ctx, due))
        reason = case((kept, ctx.reason(f"core.kpi_case_{step}_on_time",
                                        done=_minute(ctx, done), **figures)),
                      (done.is_not(None), ctx.reason(f"core.kpi_case_{step}_late",
                                                     done=_minute(ctx, done), **figures)),
                      else_=ctx.reason(f"core.kpi_case_{step}_not_made", **figures))
        return (select(key, c.c.id.label("row_id"), case((kept, 1), else_=0).label("figure"),
                       reason.label("reason"))
                .where(_window(ctx, due)))
    return select(key, ctx.share(kept).label("value")).where(_window(ctx, due)).group_by(key)


def response_on_time_query(ctx):
    c = st.cases
    return _on_time(ctx, c.c.responded_at, c.c.response_due_at)


def response_on_time_rows(ctx):
    """Each case whose response was due in the period: 1 responded by then, else 0."""
    c = st.cases
    return _on_time(ctx, c.c.responded_at, c.c.response_due_at, rows=True, step="response")


def resolution_on_time_query(ctx):
    c = st.cases
    return _on_time(ctx, c.c.resolved_at, c.c.resolution_due_at)


def resolution_on_time_rows(ctx):
    """Each case whose resolution was due in the period: 1 resolved by then, else 0."""
    c = st.cases
    return _on_time(ctx, c.c.resolved_at, c.c.resolution_due_at, rows=True, step="resolution")


def _escalated(c):
    e = st.case_events
    return exists().where(e.c.case_id == c.c.id, e.c.action == "escalate")


def escalation_rate_query(ctx):
    c = st.cases
    key = ctx.scope_key(c.c.customer_id).label("scope_key")
    return (select(key, ctx.share(_escalated(c)).label("value"))
            .where(_window(ctx, c.c.opened_at)).group_by(key))


def escalation_rate_rows(ctx):
    """Each case opened in the period: 1 escalated, else 0."""
    c = st.cases
    return (_case_rows(ctx, _escalated(c), "core.kpi_case_escalated",
                       "core.kpi_case_not_escalated", opened=_minute(ctx, c.c.opened_at))
            .where(_window(ctx, c.c.opened_at)))


def _callback_judged(ctx, c):
    """Resolved in the period, with a callback clock."""
    return and_(_window(ctx, c.c.resolved_at), c.c.callback_due_at.is_not(None))


def callback_rate_query(ctx):
    c = st.cases
    key = ctx.scope_key(c.c.customer_id).label("scope_key")
    return (select(key, ctx.share(c.c.called_back_at.is_not(None)).label("value"))
            .where(_callback_judged(ctx, c))
            .group_by(key))


def callback_rate_rows(ctx):
    """Each case resolved in the period with a callback clock: 1 called back, else 0."""
    c = st.cases
    return (_case_rows(ctx, c.c.called_back_at.is_not(None), "core.kpi_case_called_back",
                       "core.kpi_case_not_called_back",
                       resolved=_minute(ctx, c.c.resolved_at),
                       at=_minute(ctx, c.c.called_back_at))
            .where(_callback_judged(ctx, c)))


_CASE_COLUMNS = ("id", "policy", "customer_id", "opened_at", "done_at", "paused_hours")


def _durations(ctx):
    """The cases of every policy resolved in the period, paused time left out
    (``ctx.case_hours``): every case of the workspace, served or not."""
    return ctx.case_hours(clock="resolution", served=False)


def _duration_reason(ctx, d):
    return ctx.reason("core.kpi_case_hours", case=d.c.id, policy=d.c.policy,
                      customer=d.c.customer_id, opened=_minute(ctx, d.c.opened_at),
                      resolved=_minute(ctx, d.c.done_at), paused=d.c.paused_hours,
                      hours=d.c.hours)


def resolution_hours_mean_query(ctx):
    d = _durations(ctx)
    return select(d.c.scope_key, func.avg(d.c.hours).label("value")).group_by(d.c.scope_key)


def resolution_hours_mean_rows(ctx):
    """Each case resolved in the period adds its hours and weighs 1: the mean of them."""
    d = _durations(ctx)
    return select(d.c.scope_key, d.c.id.label("row_id"), d.c.hours.label("figure"),
                  _duration_reason(ctx, d).label("reason"))


def _ranked_durations(ctx, details: bool = False):
    d = _durations(ctx)
    more = [d.c[name] for name in _CASE_COLUMNS] if details else []
    return select(
        d.c.scope_key, d.c.hours, *more,
        func.row_number().over(partition_by=d.c.scope_key, order_by=d.c.hours).label("rank"),
        func.count().over(partition_by=d.c.scope_key).label("n"),
    ).subquery("ranked_durations")


def _p90_rank(ranked):
    # The nearest-rank percentile, the same on both databases: order each
    # scope's durations, take the one at rank ceil(0.9 n) = (9 n + 9) // 10.
    return (ranked.c.n * 9 + 9) // 10


def resolution_hours_p90_query(ctx):
    ranked = _ranked_durations(ctx)
    return (select(ranked.c.scope_key, ranked.c.hours.label("value"))
            .where(ranked.c.rank == _p90_rank(ranked)))


def resolution_hours_p90_rows(ctx):
    """Every case resolved in the period, ranked by hours: the value is the one at rank p90."""
    r = _ranked_durations(ctx, details=True)
    return select(r.c.scope_key, r.c.id.label("row_id"), r.c.hours.label("figure"),
                  ctx.reason("core.kpi_case_hours_ranked", case=r.c.id, policy=r.c.policy,
                             customer=r.c.customer_id, opened=_minute(ctx, r.c.opened_at),
                             resolved=_minute(ctx, r.c.done_at), paused=r.c.paused_hours,
                             hours=r.c.hours, rank=r.c.rank, n=r.c.n, p90=_p90_rank(r))
                  .label("reason"))


def _both(en, zh):
    return {"en": en, "zh": zh}


_CASE = "case {case} ({policy}) for {customer}"
_CASE_ZH = "案件 {case}（{policy}），客户 {customer}"
ROW_REASONS = {
    **{f"core.kpi_case_{step}_{how}": _both(
        f"{_CASE}: {step} due {{due}}, " + en, f"{_CASE_ZH}：{zh_step}时限 {{due}}，" + zh)
       for step, zh_step in (("response", "响应"), ("resolution", "办结"))
       for how, en, zh in (("on_time", "made {done}: on time", "{done} 完成：按时"),
                           ("late", "made {done}: late", "{done} 完成：超时"),
                           ("not_made", "not made yet: late", "尚未完成：超时"))},
    "core.kpi_case_escalated": _both(f"{_CASE}, opened {{opened}}: escalated",
                                     f"{_CASE_ZH}，{{opened}} 受理：已升级"),
    "core.kpi_case_not_escalated": _both(f"{_CASE}, opened {{opened}}: not escalated",
                                         f"{_CASE_ZH}，{{opened}} 受理：未升级"),
    "core.kpi_case_called_back": _both(f"{_CASE}, resolved {{resolved}}: called back {{at}}",
                                       f"{_CASE_ZH}，{{resolved}} 办结：{{at}} 已回访"),
    "core.kpi_case_not_called_back": _both(f"{_CASE}, resolved {{resolved}}: not called back",
                                           f"{_CASE_ZH}，{{resolved}} 办结：未回访"),
    "core.kpi_case_hours": _both(
        f"{_CASE}: opened {{opened}}, resolved {{resolved}}, {{paused}} paused hours left "
        f"out: {{hours}} hours",
        f"{_CASE_ZH}：{{opened}} 受理，{{resolved}} 办结，扣除暂停 {{paused}} 小时：{{hours}} 小时"),
    "core.kpi_case_hours_ranked": _both(
        f"{_CASE}: opened {{opened}}, resolved {{resolved}}, {{paused}} paused hours left "
        f"out: {{hours}} hours, rank {{rank}} of {{n}} (the 90th percentile is rank {{p90}})",
        f"{_CASE_ZH}：{{opened}} 受理，{{resolved}} 办结，扣除暂停 {{paused}} 小时：{{hours}} 小时，"
        f"{{n}} 件中第 {{rank}}（90 分位为第 {{p90}} 件）"),
}


KPIS = (
    Kpi(name="core.case_response_on_time", title="Cases responded to on time", unit="share",
        query=response_on_time_query,
        rows=response_on_time_rows, row_kind="case", combine="ratio", reasons=ROW_REASONS,
        description="Share of cases whose response was due in the period that were responded "
                    "to by their due time."),
    Kpi(name="core.case_resolution_on_time", title="Cases resolved on time", unit="share",
        query=resolution_on_time_query,
        rows=resolution_on_time_rows, row_kind="case", combine="ratio", reasons=ROW_REASONS,
        description="Share of cases whose resolution was due in the period that were resolved "
                    "by their due time."),
    Kpi(name="core.case_escalation_rate", title="Cases escalated", unit="share",
        query=escalation_rate_query, higher_is_better=False,
        rows=escalation_rate_rows, row_kind="case", combine="ratio", reasons=ROW_REASONS,
        description="Share of cases opened in the period that were escalated (a level, by "
                    "hand, or a step past its limit)."),
    Kpi(name="core.case_callback_rate", title="Cases called back", unit="share",
        query=callback_rate_query,
        rows=callback_rate_rows, row_kind="case", combine="ratio", reasons=ROW_REASONS,
        description="Share of cases resolved in the period with a callback clock whose "
                    "customer was called back."),
    Kpi(name="core.case_resolution_hours_mean", title="Mean hours to resolve", unit="hours",
        query=resolution_hours_mean_query, higher_is_better=False,
        rows=resolution_hours_mean_rows, row_kind="case", combine="ratio", reasons=ROW_REASONS,
        description="Mean hours from opening to resolution of the cases resolved in the "
                    "period, paused time left out."),
    Kpi(name="core.case_resolution_hours_p90", title="Hours to resolve, 90th percentile",
        unit="hours", query=resolution_hours_p90_query, higher_is_better=False,
        rows=resolution_hours_p90_rows, row_kind="case", combine="other", reasons=ROW_REASONS,
        description="The 90th percentile (nearest rank) of the hours from opening to "
                    "resolution of the cases resolved in the period, paused time left out."),
)
