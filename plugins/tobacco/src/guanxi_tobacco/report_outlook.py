"""Sections c) and d) of the monthly report: opinions on quality and service, and
next month's forecast.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace as Record

from sqlalchemy import case, func, or_, select

from guanxi_tobacco.options import COMPLAINT, QUALITY_COMPLAINT, SURVEY
from guanxi_tobacco.report_numbers import CENT, RATIO, dec, factor_text, month_plus, plain_figure
from guanxi_tobacco.report_problems import month_interactions
from guanxi_tobacco.report_scope import (
    day_of,
    owned_by,
    policies_of,
    scope_args,
    status_of_case,
    within,
)


# -- c) opinions on quality and service ------------------------------------------------


def opinions(scope) -> Record:
    """Part c): the customers' opinions on quality and service."""
    conn, ctx, manager_id, w = scope_args(scope)
    policies = policies_of(scope)
    i, c, where = month_interactions(ctx, manager_id, w, (COMPLAINT, QUALITY_COMPLAINT))
    k = ctx.tables.cases
    # An interaction opens at most one case per policy; show the first.
    first = k.alias("first_case")
    first_case = (select(func.min(first.c.id)).where(first.c.interaction_id == i.c.id)
                  .scalar_subquery())
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, i.c.kind,
               ctx.attribute(i, "brand").label("brand"), ctx.attribute(i, "note").label("note"),
               k.c.id.label("case_id"), k.c.policy, k.c.state, k.c.step)
        .select_from(i.join(c, c.c.id == i.c.customer_id).outerjoin(k, k.c.id == first_case))
        .where(*where)
        .order_by(i.c.occurred_at, i.c.id))
    complaints = tuple(
        Record(interaction_id=x.id, customer_id=x.customer_id, name=x.name,
               day=day_of(x.occurred_at), kind=x.kind, brand=x.brand, note=x.note,
               case_id=x.case_id, case_policy=x.policy,
               case_status=status_of_case(policies, x.policy, x.state, x.step)[0])
        for x in rows)

    # rule TOB-SURVEY: satisfaction from 1 to 5; below survey.action_below asks for measures.
    i, c, where = month_interactions(ctx, manager_id, w, (SURVEY,))
    score = ctx.attribute(i, "satisfaction", "integer")
    total = conn.execute(
        select(func.count(score).label("answers"), func.avg(score).label("mean"),
               func.sum(case((score < w.action_below, 1), else_=0)).label("below"))
        .select_from(i.join(c, c.c.id == i.c.customer_id)).where(*where)).one()
    satisfaction = Record(
        answers=total.answers, below=int(total.below or 0), threshold=w.action_below,
        mean=None if total.mean is None else dec(total.mean))
    note = ctx.attribute(i, "note")
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, score.label("satisfaction"),
               note.label("note"))
        .select_from(i.join(c, c.c.id == i.c.customer_id))
        .where(*where, note.is_not(None), note != "")
        .order_by(i.c.occurred_at, i.c.id))
    remarks = tuple(Record(interaction_id=x.id, customer_id=x.customer_id, name=x.name,
                           day=day_of(x.occurred_at), satisfaction=x.satisfaction,
                           note=x.note) for x in rows)
    return Record(complaints=complaints, satisfaction=satisfaction, remarks=remarks)


# -- d) next-month forecast --------------------------------------------------------------


def forecast(scope) -> Record:
    """Part d): the next month's forecast, and how it was made."""
    conn, ctx, manager_id, w = scope_args(scope)
    # rule TOB-REPORT d): the mean of the last report.forecast_months closed
    # months (ending with the report month) × a seasonal factor, the next
    # month last year ÷ the report month last year when both have data.
    m = ctx.tables.measurements
    month = w.month
    n = w.forecast_months
    months = [month_plus(month, k - n + 1) for k in range(n)]
    ly_report, ly_next = month_plus(month, -12), month_plus(month, -11)
    start = ctx.start_of_month(m.c.period).label("month")
    rows = conn.execute(
        select(start,
               func.sum(case((m.c.metric == "cartons", m.c.value), else_=0)).label("cartons"),
               func.sum(case((m.c.metric == "sales", m.c.value), else_=0)).label("sales"))
        .where(m.c.metric.in_(("cartons", "sales")),
               m.c.customer_id.in_(owned_by(ctx, manager_id)),
               or_(within(m.c.period, months[0].start, month.end),
                   within(m.c.period, ly_report.start, ly_next.end)))
        .group_by(start)).all()
    by_month = {day_of(x.month): (dec(x.cartons), dec(x.sales)) for x in rows}

    def line(index: int, whole: Decimal) -> Record:
        history = tuple(by_month.get(x.start, (dec(0), dec(0)))[index] for x in months)
        mean = sum(history, Decimal(0)) / n
        before = by_month.get(ly_report.start, (dec(0), dec(0)))[index]
        after = by_month.get(ly_next.start, (dec(0), dec(0)))[index]
        seasonal = bool(before) and bool(after)
        factor = (after / before).quantize(RATIO, ROUND_HALF_UP) if seasonal else Decimal(1)
        return Record(history=history, mean=dec(mean), last_year=(before, after),
                      seasonal=seasonal, factor=factor,
                      forecast=(mean * factor).quantize(whole, ROUND_HALF_UP))

    cartons = line(0, Decimal(1))
    value = line(1, CENT)
    first, last = months[0].label, months[-1].label
    span = first if n == 1 else f"{first} to {last}"
    if cartons.seasonal:
        season = (f"× the seasonal factor {factor_text(cartons.factor)} "
                  f"({ly_next.label} ÷ {ly_report.label}: {plain_figure(cartons.last_year[1])} ÷ "
                  f"{plain_figure(cartons.last_year[0])} cartons)")
    else:
        season = (f"× 1: no seasonal factor, as {ly_report.label} and {ly_next.label} do not "
                  f"both have orders")
    method = (f"The mean of the {n} closed month(s) {span} ({plain_figure(cartons.mean)} cartons a "
              f"month) {season}; the order value likewise from its own figures.")
    return Record(month=month_plus(month, 1).label, months=tuple(x.label for x in months),
                  last_year_months=(ly_report.label, ly_next.label),
                  cartons=cartons, sales=value, method=method)
