"""The value pack's KPIs: the Pareto share, the average lifetime value,
retention and defection (反叛离率), each with the rows behind it.

Every KPI is reported by the core's scopes and by the customer type
(``--by field:customer_type``, VAL-TYPE). Each value and its rows are
built from one helper, so ``guanxi kpi NAME --explain`` lists exactly what
the value counts.
"""

from __future__ import annotations

import datetime as dt

import guanxi
from sqlalchemy import case, exists, func, select

from guanxi_value import purchases as p


def _period_window(ctx) -> tuple[dt.date, dt.date]:
    # Every KPI here groups by ctx.scope_key, so --by field:customer_type works (VAL-TYPE).
    """The KPI period up to the as-of day: [start, end) as days."""
    return ctx.period.start, min(ctx.period.end, ctx.as_of + dt.timedelta(days=1))


# -- Pareto share (VAL-PARETO) ------------------------------------------------------------------


def _pareto(ctx):
    first, end = _period_window(ctx)
    q = p.ranked_values(ctx, first, end, key=ctx.scope_key, name="pareto")
    top = q.c.position <= p.top_count(q.c.customers, ctx.config["pareto.top_share"])
    return q, top


def pareto_query(ctx):
    # rule VAL-PARETO: the top 20% by count (rounded down, at least one, ties
    # by id) and the share of the period's value they hold.
    q, top = _pareto(ctx)
    held = func.sum(case((top, q.c.value), else_=0.0))
    return (select(q.c.scope_key, ctx.ratio(held, func.sum(q.c.value)).label("value"))
            .group_by(q.c.scope_key))


def pareto_rows(ctx):
    # Each customer weighs its value; the top ones add it too: Σ figure ÷ Σ weight.
    q, top = _pareto(ctx)
    return select(
        q.c.scope_key, q.c.customer_id.label("row_id"),
        case((top, q.c.value), else_=0.0).label("figure"), q.c.value.label("weight"),
        ctx.reason("value.kpi_pareto", customer=q.c.customer_id, value=q.c.value,
                   position=q.c.position, customers=q.c.customers,
                   top=p.top_count(q.c.customers, ctx.config["pareto.top_share"]))
        .label("reason"),
    )


# -- lifetime value (VAL-LTV) ---------------------------------------------------------------------


def _lifetime(ctx):
    q = p.lifetime(ctx)
    return q, ctx.scope_key(q.c.customer_id).label("scope_key")


def lifetime_query(ctx):
    # rule VAL-LTV: the mean of the customers' lifetime values per scope.
    q, key = _lifetime(ctx)
    return select(key, func.avg(q.c.ltv).label("value")).group_by(key)


def lifetime_rows(ctx):
    q, key = _lifetime(ctx)
    return select(
        key, q.c.customer_id.label("row_id"), q.c.ltv.label("figure"),
        ctx.reason("value.kpi_ltv", customer=q.c.customer_id, monthly=q.c.monthly,
                   months=q.c.months, years=ctx.config["ltv.years"], ltv=q.c.ltv)
        .label("reason"),
    )


# -- retention and defection (VAL-RETENTION) --------------------------------------------------


def _retention(ctx):
    """The base (bought in the months before the period) and whether each bought in it."""
    start, end = _period_window(ctx)
    months = ctx.config["retention.months"]
    before = p.totals(ctx, p.minus_months(start, months), start, "retention_base")
    i = ctx.tables.interactions.alias("retention_in_period")
    bought = exists().where(i.c.customer_id == before.c.customer_id, p.is_purchase(ctx, i),
                            i.c.occurred_at >= p.moment(start), i.c.occurred_at < p.moment(end))
    kept = case((bought, 1), else_=0)
    return before, kept, ctx.scope_key(before.c.customer_id).label("scope_key")


def retention_query(ctx):
    # rule VAL-RETENTION: of the customers who bought in the 12 months before
    # the period (a customer new in the period is not among them), the share
    # who buy in it.
    before, kept, key = _retention(ctx)
    return (select(key, ctx.ratio(func.sum(kept), func.count()).label("value"))
            .select_from(before).group_by(key))


def defection_query(ctx):
    # rule VAL-RETENTION: defection = 1 - retention, over the same base.
    before, kept, key = _retention(ctx)
    return (select(key, ctx.ratio(func.sum(1 - kept), func.count()).label("value"))
            .select_from(before).group_by(key))


def _retention_rows(ctx, defected: bool):
    before, kept, key = _retention(ctx)
    figure = (1 - kept) if defected else kept
    return select(
        key, before.c.customer_id.label("row_id"), figure.label("figure"),
        ctx.reason("value.kpi_retention", customer=before.c.customer_id,
                   before=before.c.purchases, months=ctx.config["retention.months"],
                   status=case((kept == 1, "bought in the period"),
                               else_="no purchase in the period"))
        .label("reason"),
    )


_RETENTION_REASON = {"value.kpi_retention": {
    "en": "customer {customer}: {before} purchases in the {months} months before; {status}",
    "zh": "客户 {customer}：此前 {months} 个月购买 {before} 次；{status}"}}

KPIS = [
    guanxi.Kpi(
        name="value.pareto_share", title="Pareto share", unit="share", query=pareto_query,
        description="VAL-PARETO: share of the period's purchases held by the top "
                    "[value.pareto] top_share (20%) of the customers who bought, counted as "
                    "BANK-ABC counts (rounded down, at least one, ties by customer id); by customer "
                    "type too (VAL-TYPE).",
        rows=pareto_rows, row_kind="customer", combine="ratio", shown_only=True,
        reasons={"value.kpi_pareto": {
            "en": "customer {customer}: {value}, rank {position} of {customers} (top {top})",
            "zh": "客户 {customer}：{value}，排名 {position}/{customers}（前 {top} 名）"}}),
    guanxi.Kpi(
        name="value.lifetime_value", title="Average lifetime value", unit="money",
        query=lifetime_query,
        description="VAL-LTV: mean lifetime value (average monthly revenue over the last "
                    "[value.ltv] months × 12 × [value.ltv] years) of the customers who bought.",
        rows=lifetime_rows, row_kind="customer", combine="ratio",
        reasons={"value.kpi_ltv": {
            "en": "customer {customer}: {monthly} a month over {months} months × 12 × {years} "
                  "years = {ltv}",
            "zh": "客户 {customer}：{months} 个月月均 {monthly} × 12 × {years} 年 = {ltv}"}}),
    guanxi.Kpi(
        name="value.retention", title="Retention", unit="share", query=retention_query,
        description="VAL-RETENTION: of the customers who bought in the [value.retention] "
                    "months (12) before the period, the share who buy in it; customers new "
                    "in the period are not in the base.",
        rows=lambda ctx: _retention_rows(ctx, False), row_kind="customer", combine="ratio",
        reasons=_RETENTION_REASON),
    guanxi.Kpi(
        name="value.defection", title="Defection", unit="share", query=defection_query,
        description="VAL-RETENTION: 1 - retention (反叛离率): the share of the customers who "
                    "bought in the months before the period who do not buy in it.",
        rows=lambda ctx: _retention_rows(ctx, True), row_kind="customer", combine="ratio",
        higher_is_better=False, reasons=_RETENTION_REASON),
]
