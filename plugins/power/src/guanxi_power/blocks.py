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
    payment an interaction ``payment`` naming it in ``bill_id``. Read through
    the query kit's :meth:`ctx.bills <guanxi.engines.context_bills.BillHelpers.bills>`,
    as every pack reads bills: partial payments add up, ``paid`` is every
    payment up to the end of the as-of day, ``paid_by_due`` those made by the
    end of the due day (a bill paid on its due day is paid on time).
    ``since``: bills due on or after it. ``period`` is the month the bill is
    for (``bill_period``, else the month it was issued).
    """
    b = ctx.bills("bill", settled_by=("payment",), since=since, name=f"{name}_kit")
    period = func.coalesce(ctx.attribute(b, "bill_period"), ctx.month_text(b.c.issued_at))
    return (
        select(b.c.id, b.c.customer_id, b.c.amount, b.c.due_on, period.label("period"),
               b.c.settled.label("paid"), b.c.settled_by_due.label("paid_by_due"))
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
