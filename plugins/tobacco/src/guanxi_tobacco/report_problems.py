"""Section b) of the monthly report: problems, their causes and the measures taken
(drops, stock-outs, incidents, special visits).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace as Record

from sqlalchemy import and_, func, select

from guanxi_tobacco.options import PRICE_VIOLATION, SPECIAL_VISIT, UNLICENSED
from guanxi_tobacco.report_numbers import RATIO, UNGRADED, Window, dec, sharp_drop
from guanxi_tobacco.report_sales import per_retailer
from guanxi_tobacco.report_scope import (
    day_of,
    grade_label,
    measured,
    owned_by,
    policies_of,
    scope_args,
    status_of_case,
    within,
)
from guanxi_tobacco.service import PRICE_POLICY, UNLICENSED_POLICY


# -- b) problems, causes and measures ----------------------------------------------------


def problems(scope) -> Record:
    """Part b): problems, causes and measures.

    ``without_measure``: the retailers with a problem and no special visit
    from the month's start to the due day, by id.
    """
    conn, ctx, manager_id, w = scope_args(scope)
    policies = policies_of(scope)
    drops = _drops(conn, ctx, manager_id, w)
    stock_outs = _stock_outs(conn, ctx, manager_id, w)
    prices = _incidents(conn, ctx, manager_id, w, PRICE_VIOLATION, PRICE_POLICY, policies)
    unlicensed = _incidents(conn, ctx, manager_id, w, UNLICENSED, UNLICENSED_POLICY, policies)
    # The problems of this one report: a few dozen rows at most.
    unmeasured = sorted({p.customer_id for section in (drops, stock_outs, prices, unlicensed)
                         for p in section if p.measured_on is None})
    return Record(sales_drop=dec(w.sales_drop, RATIO), drops=drops, stock_outs=stock_outs,
                  price_violations=prices, unlicensed=unlicensed,
                  special_visits=_special_visits(conn, ctx, manager_id, w),
                  without_measure=tuple(unmeasured))


def _drops(conn, ctx, manager_id, w: Window) -> tuple:
    # rule TOB-SPECIAL's sharp sales drop: the month's cartons at least
    # special.sales_drop below the mean of the three months before.
    r = per_retailer(ctx, manager_id, w)
    before = r.c.before_cartons
    fell = sharp_drop(r.c.cartons, before, w.sales_drop)
    rows = conn.execute(
        select(r.c.customer_id, r.c.name, r.c.grade, r.c.cartons, before,
               measured(ctx, r.c.customer_id, w, "note").label("measure"),
               measured(ctx, r.c.customer_id, w, "day").label("measured_on"))
        .where(fell)
        .order_by((3 * r.c.cartons * 1.0 / before).asc(), r.c.customer_id))
    found = []
    for x in rows:
        total = Decimal(str(x.before_cartons))
        cartons = dec(x.cartons)
        average = total / 3
        found.append(Record(
            customer_id=x.customer_id, name=x.name, grade=x.grade or UNGRADED, cartons=cartons,
            average=dec(average), fall=((average - cartons) / average).quantize(RATIO,
                                                                                 ROUND_HALF_UP),
            measure=x.measure, measured_on=day_of(x.measured_on)))
    return tuple(found)


def _stock_outs(conn, ctx, manager_id, w: Window) -> tuple:
    m, c = ctx.tables.measurements, ctx.tables.customers
    short = (
        select(m.c.customer_id, func.count().label("days"),
               func.sum(m.c.value).label("shortfall"))
        .where(m.c.metric == "shortfall", m.c.value > 0, within(m.c.period, w.month.start,
                                                                w.month.end),
               m.c.customer_id.in_(owned_by(ctx, manager_id)))
        .group_by(m.c.customer_id)
        .subquery("short")
    )
    rows = conn.execute(
        select(c.c.id, c.c.name, grade_label(ctx, c.c.id).label("grade"), short.c.days,
               short.c.shortfall,
               measured(ctx, c.c.id, w, "note").label("measure"),
               measured(ctx, c.c.id, w, "day").label("measured_on"))
        .select_from(c.join(short, short.c.customer_id == c.c.id))
        .order_by(short.c.days.desc(), c.c.id))
    return tuple(Record(customer_id=x.id, name=x.name, grade=x.grade or UNGRADED,
                        days=x.days, shortfall=dec(x.shortfall), measure=x.measure,
                        measured_on=day_of(x.measured_on)) for x in rows)


def month_interactions(ctx, manager_id, w: Window, kinds):
    i, c = ctx.tables.interactions, ctx.tables.customers
    return i, c, (i.c.kind.in_(kinds), i.c.occurred_at >= w.start_at, i.c.occurred_at < w.end_at,
                  c.c.manager_id == manager_id, ctx.served(c.c.id))


def _incidents(conn, ctx, manager_id, w, kind, policy, policies) -> tuple:
    i, c, where = month_interactions(ctx, manager_id, w, (kind,))
    k = ctx.tables.cases
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, i.c.kind,
               ctx.attribute(i, "note").label("note"), ctx.attribute(i, "brand").label("brand"),
               ctx.attribute(i, "retail_price", "decimal").label("retail_price"),
               ctx.attribute(i, "guide_price", "decimal").label("guide_price"),
               k.c.id.label("case_id"), k.c.state, k.c.step,
               measured(ctx, i.c.customer_id, w, "note").label("measure"),
               measured(ctx, i.c.customer_id, w, "day").label("measured_on"))
        .select_from(i.join(c, c.c.id == i.c.customer_id)
                     .outerjoin(k, and_(k.c.interaction_id == i.c.id, k.c.policy == policy)))
        .where(*where)
        .order_by(i.c.occurred_at, i.c.id))
    found = []
    for x in rows:
        status, complete = status_of_case(policies, policy, x.state, x.step)
        found.append(Record(
            interaction_id=x.id, customer_id=x.customer_id, name=x.name,
            day=day_of(x.occurred_at), kind=x.kind, note=x.note, brand=x.brand,
            retail_price=None if x.retail_price is None else dec(x.retail_price),
            guide_price=None if x.guide_price is None else dec(x.guide_price),
            case_id=x.case_id, case_status=status, chain_complete=complete,
            measure=x.measure, measured_on=day_of(x.measured_on)))
    return tuple(found)


def _special_visits(conn, ctx, manager_id, w: Window) -> tuple:
    i, c = ctx.tables.interactions, ctx.tables.customers
    rows = conn.execute(
        select(i.c.id, i.c.customer_id, c.c.name, i.c.occurred_at, i.c.manager_id,
               ctx.attribute(i, "note").label("note"))
        .select_from(i.join(c, c.c.id == i.c.customer_id))
        .where(i.c.kind == SPECIAL_VISIT, i.c.occurred_at >= w.start_at,
               i.c.occurred_at < w.measures_end, c.c.manager_id == manager_id,
               ctx.served(c.c.id))
        .order_by(i.c.occurred_at, i.c.id))
    return tuple(Record(interaction_id=x.id, customer_id=x.customer_id, name=x.name,
                        day=day_of(x.occurred_at), manager_id=x.manager_id, note=x.note)
                 for x in rows)
