"""SQL blocks the power pack's segmentations, rules and KPIs share.

Each is one set-based subquery over the whole base: consumption over
closed months, the bills with what has been paid on them, who is
residential, whom an outage affects. One definition each, so a rule and
the KPI that reports on it cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select

from guanxi_power.options import VOLTAGES, _volts


def bp(share) -> int:
    """A share as whole basis points: boundaries compare integers, never 0.2 * n."""
    return int(round(float(share) * 10_000))


def residential(ctx, c):
    """A residential customer: tariff residential, or no tariff and a person."""
    # Never NULL: a NULL here would drop a customer from both sides of a NOT.
    tariff = ctx.attribute(c, "tariff")
    by_kind = case((c.c.kind == "person", literal("residential")), else_=literal("-"))
    return func.coalesce(tariff, by_kind) == "residential"


def high_voltages(min_kv) -> tuple:
    """The declared voltage levels at or above ``min_kv`` kV."""
    return tuple(v for v in VOLTAGES if _volts(v) >= float(min_kv) * 1000)


def consumption(ctx, months: int, name: str):
    """(customer_id, kwh): kWh over the last ``months`` closed months, accounts added up."""
    m = ctx.tables.measurements
    first, end = ctx.trailing_months(months)
    return (
        select(m.c.customer_id, func.sum(m.c.value).label("kwh"))
        .where(m.c.metric == "kwh", m.c.period >= first, m.c.period < end)
        .group_by(m.c.customer_id)
        .subquery(name)
    )


def ranked(ctx, total, eligible, name: str):
    """Every customer with its kWh and its rank among the ``eligible`` ones with kWh > 0:
    ``(id, kind, attributes, kwh, ranked, rank, n)``, highest first, ties by customer id
    (code points on both databases).

    One window over the customers, read in place of the customers table (it has
    their ``kind`` and ``attributes``): a ranking joined back to the customers
    would be scanned once per customer on SQLite.
    """
    c = ctx.tables.customers
    kwh = func.coalesce(total.c.kwh, 0)
    chosen = and_(eligible, kwh > 0)
    first = case((chosen, 0), else_=1)
    return (
        select(c.c.id, c.c.kind, c.c.attributes, kwh.label("kwh"), chosen.label("ranked"),
               func.row_number().over(order_by=(first, kwh.desc(), c.c.id)).label("rank"),
               func.sum(case((chosen, 1), else_=0)).over().label("n"))
        .select_from(c.outerjoin(total, total.c.customer_id == c.c.id))
        .subquery(name)
    )


def end_of_as_of(ctx):
    """The end of the as-of day (exclusive), as SQL."""
    return ctx.at(ctx.as_of, 1)


def bills(ctx, name: str = "power_bills", since: dt.date | None = None):
    """(id, customer_id, amount, due_on, period, paid, paid_by_due) of every bill.

    A bill is an interaction ``bill`` with its ``amount`` and ``due_on``; a
    payment an interaction ``payment`` naming it in ``bill_id``. Partial
    payments add up: ``paid`` is every payment up to the end of the as-of
    day, ``paid_by_due`` those made by the end of the due day (a bill paid
    on its due day is paid on time). ``since``: bills due on or after it.
    """
    i = ctx.tables.interactions.alias(f"{name}_bill")
    p = ctx.tables.interactions.alias(f"{name}_payment")
    # Fields are projected in subqueries first and grouped by their columns:
    # PostgreSQL does not take two JSON lookups with their own parameters as
    # one expression in GROUP BY.
    payments = (
        select(ctx.attribute(p, "bill_id").label("bill_id"),
               ctx.date_of(p.c.occurred_at).label("day"), p.c.amount)
        .where(p.c.kind == "payment", p.c.occurred_at < end_of_as_of(ctx))
        .subquery(f"{name}_payments")
    )
    # Payments summed per bill and day first: one pass over the payments,
    # then one join by bill id (a million bills join a grouped subquery).
    daily = (
        select(payments.c.bill_id, payments.c.day, func.sum(payments.c.amount).label("amount"))
        .group_by(payments.c.bill_id, payments.c.day)
        .subquery(f"{name}_daily")
    )
    due = ctx.attribute(i, "due_on", "date")
    where = [i.c.kind == "bill", due.is_not(None), i.c.amount.is_not(None)]
    if since is not None:
        where.append(due >= literal(since))
    period = func.coalesce(ctx.attribute(i, "bill_period"), ctx.month_text(i.c.occurred_at))
    issued = (
        select(i.c.id, i.c.customer_id, i.c.amount, due.label("due_on"), period.label("period"))
        .where(*where)
        .subquery(f"{name}_issued")
    )
    b = issued.c
    return (
        select(b.id, b.customer_id, b.amount, b.due_on, b.period,
               func.coalesce(func.sum(daily.c.amount), 0).label("paid"),
               func.coalesce(func.sum(case((daily.c.day <= b.due_on, daily.c.amount), else_=0)), 0)
               .label("paid_by_due"))
        .select_from(issued.outerjoin(daily, daily.c.bill_id == b.id))
        .group_by(b.id, b.customer_id, b.amount, b.due_on, b.period)
        .subquery(name)
    )


def months_ago(day: dt.date, months: int) -> dt.date:
    """``day`` moved back ``months`` months (the 31st to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def as_int(expr):
    return cast(expr, Integer)


def affected(ctx, o, c):
    """A customer is on the outage's feeder or meter-reading segment."""
    feeder = ctx.attribute(c, "feeder")
    segment = ctx.attribute(c, "reading_segment")
    return or_(and_(o.c.feeder.is_not(None), feeder == o.c.feeder),
               and_(o.c.segment.is_not(None), segment == o.c.segment))


def notified(ctx, o, c):
    """Who gets a notice: every affected customer of a planned outage, the important
    and class 1 ones of a temporary one."""
    important = or_(ctx.attribute(c, "important", "boolean"),
                    ctx.label("power.class", c.c.id) == "1")
    return and_(affected(ctx, o, c), or_(o.c.kind == "planned", important))
