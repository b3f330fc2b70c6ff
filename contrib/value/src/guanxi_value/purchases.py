"""The purchases every value figure reads, and the per-customer figures
built from them: one helper per figure, shared by a segmentation, its KPI
and its ``--explain`` rows so they cannot drift.

A purchase is an interaction whose kind is one of ``[value] kinds`` and that
has an amount. Windows are given as datetimes, end exclusive, so a purchase
at 23:59 on the window's last day is in and one at 00:00 the next day is
not. Everything here is one set-based subquery: join it, never loop.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, and_, case, cast, func, literal, select


def minus_months(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` calendar months earlier, the day clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def is_purchase(ctx, i):
    """A purchase among the interactions ``i`` (the table or an alias)."""
    return and_(i.c.kind.in_(list(ctx.config["kinds"])), i.c.amount.is_not(None))


def moment(day: dt.date):
    """Midnight starting ``day``, as a SQL datetime literal."""
    return literal(dt.datetime.combine(day, dt.time()), DateTime)


def rolling_window(as_of: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """(first day, exclusive end) of the ``months`` months up to and including ``as_of``.

    As of 2026-11-30 and 12 months: 2025-12-01 to 2026-12-01 (the end exclusive).
    """
    return minus_months(as_of, months) + dt.timedelta(days=1), as_of + dt.timedelta(days=1)


def totals(ctx, first: dt.date, end: dt.date, name: str):
    """``(customer_id, last_at, purchases, amount)`` per customer with a purchase in
    [first, end): the last purchase's moment, how many, their amount."""
    i = ctx.tables.interactions.alias(f"{name}_purchase")
    return (
        select(i.c.customer_id, func.max(i.c.occurred_at).label("last_at"),
               func.count().label("purchases"),
               cast(func.sum(i.c.amount), Float).label("amount"))
        .where(is_purchase(ctx, i), i.c.occurred_at >= moment(first),
               i.c.occurred_at < moment(end))
        .group_by(i.c.customer_id)
        .subquery(name)
    )


# -- RFM (VAL-RFM) ---------------------------------------------------------------------------


def rfm(ctx):
    """``(customer_id, recency, frequency, monetary, r, f, m)`` for the customers
    who bought in the window of ``[value.rfm] months`` up to the as-of day.

    rule VAL-RFM: each score is 1-5 by fifths of these customers by count
    (SQL ``ntile(5)``: when the count is not a multiple of five the first
    fifths take one more), ranked best first (most recent, most purchases,
    most spent), ties broken by customer id so both databases agree.
    """
    months = ctx.config["rfm.months"]
    first, end = rolling_window(ctx.as_of, months)
    t = totals(ctx, first, end, "rfm_totals")
    recency = ctx.days_between(ctx.date_of(t.c.last_at))

    def score(*order):
        return literal(6) - func.ntile(5).over(order_by=(*order, t.c.customer_id))

    return select(
        t.c.customer_id, recency.label("recency"), t.c.purchases.label("frequency"),
        t.c.amount.label("monetary"),
        score(recency).label("r"), score(t.c.purchases.desc()).label("f"),
        score(t.c.amount.desc()).label("m"),
    ).subquery("rfm")


# -- value in a window (VAL-PARETO, VAL-ABC) ---------------------------------------------------


def ranked_values(ctx, first: dt.date, end: dt.date, key=None, name: str = "ranked"):
    """``(customer_id, scope_key, value, position, customers, total, before)`` for the
    customers whose purchases in [first, end) add up to more than 0.

    Within each scope key (all one key when ``key`` is None): ``position``
    1 for the highest value, ties by customer id (BANK-ABC's order);
    ``customers`` how many there are; ``total`` their value; ``before`` the
    value of the customers ranked above.
    """
    t = totals(ctx, first, end, f"{name}_totals")
    scope = key(t.c.customer_id) if key is not None else literal("")
    base = (select(t.c.customer_id, scope.label("scope_key"), t.c.amount.label("value"))
            .where(t.c.amount > 0).subquery(f"{name}_base"))
    order = (base.c.value.desc(), base.c.customer_id)
    part = base.c.scope_key
    return select(
        base.c.customer_id, base.c.scope_key, base.c.value,
        func.row_number().over(partition_by=part, order_by=order).label("position"),
        func.count().over(partition_by=part).label("customers"),
        func.sum(base.c.value).over(partition_by=part).label("total"),
        func.coalesce(func.sum(base.c.value).over(
            partition_by=part, order_by=order, rows=(None, -1)), 0.0).label("before"),
    ).subquery(name)


def top_count(customers, top_share: float):
    """How many customers the top share is (VAL-PARETO, as BANK-ABC counts):
    rounded down, at least one; ``customers`` is a SQL count."""
    # Whole numbers only: a float cast rounds on PostgreSQL and truncates on SQLite.
    per_10000 = int(round(top_share * 10000))
    top = (customers * literal(per_10000)) // literal(10000)
    return case((top < 1, 1), else_=top)


# -- lifetime value (VAL-LTV) -------------------------------------------------------------------


def lifetime(ctx):
    """``(customer_id, monthly, months, total, ltv)``: the seed's lifetime value.

    rule VAL-LTV (001 第二篇): the average monthly revenue over the last
    ``[value.ltv] months`` closed months × 12 × ``[value.ltv] years``;
    1,500 a month for 10 years is 180,000. A customer is averaged from its
    first month on: the later of the window's first month and the month
    it began (its ``created_at`` or its first purchase, whichever is
    earlier), so a customer who bought 404 over its 11 months averages
    404 / 11 (the core's rule for a flow). Customers without a purchase in
    the window are left out.
    """
    months, years = ctx.config["ltv.months"], ctx.config["ltv.years"]
    first, end = ctx.trailing_months(months)
    t = totals(ctx, first, end, "ltv_totals")
    i = ctx.tables.interactions.alias("ltv_first")
    began = (select(i.c.customer_id, func.min(i.c.occurred_at).label("first_at"))
             .where(is_purchase(ctx, i), i.c.occurred_at < moment(end))
             .group_by(i.c.customer_id).subquery("ltv_began"))
    c = ctx.tables.customers.alias("ltv_customer")
    start = case((and_(c.c.created_at.is_not(None), c.c.created_at < began.c.first_at),
                  c.c.created_at), else_=began.c.first_at)
    # Months from the customer's first month to the window's end, at most the window.
    counted = ctx.months_between(start, literal(end))
    counted = case((counted > months, months), (counted < 1, 1), else_=counted)
    monthly = t.c.amount / cast(counted, Float)
    # Multiplied before dividing: 20,000 over 12 months for 5 years is exactly 100,000.
    ltv = t.c.amount * (12 * years) / cast(counted, Float)
    return (
        select(t.c.customer_id, monthly.label("monthly"), counted.label("months"),
               t.c.amount.label("total"), ltv.label("ltv"))
        .select_from(t.join(began, began.c.customer_id == t.c.customer_id)
                     .outerjoin(c, c.c.id == t.c.customer_id))
        .subquery("lifetime")
    )
