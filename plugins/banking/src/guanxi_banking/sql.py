"""SQL building blocks the banking segmentations, rules and KPIs share.

Money is compared in whole cents (integers), and shares in basis points
(integers), so that a boundary such as "a fall of exactly 30%" or "the top
15% of 20 customers" comes out the same on SQLite and PostgreSQL: no float
is ever compared with another.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, String, and_, cast, func, literal, or_, select, type_coerce

#: Labels of the tiers from the top; "affluent and above" is the first three.
TIERS = ("private", "wealth", "affluent", "mass")
VALUED_TIERS = ("private", "wealth", "affluent")
#: ABC classes that count as valued customers (churn, handover).
VALUED_CLASSES = ("A", "B")


def bp(share: float) -> int:
    """A share as whole basis points: 0.15 -> 1500 (never a float comparison)."""
    return int(round(float(share) * 10_000))


def cents(expr):
    """An amount as whole cents (a SQL integer)."""
    return cast(func.round(expr * 100), BigInteger)


def yuan(cents_expr):
    """Whole cents as whole yuan, rounded half up (for reasons): a SQL integer."""
    return (cents_expr + 50) // 100


def round_div(numerator, denominator):
    """``numerator / denominator`` rounded half up, in integers (both >= 0, denominator > 0)."""
    return (numerator * 2 + denominator) // (denominator * 2)


def date_attribute(ctx, table, name: str):
    """A declared date field as a SQL date.

    On SQLite the stored ISO text is the date (a CAST to DATE would make it
    the number 2026), so it is read as text and compared as text.
    """
    if ctx.dialect == "sqlite":
        return type_coerce(ctx.attribute(table, name, "text"), Date)
    return ctx.attribute(table, name, "date")


def month_text(expr):
    """A period date as its label ``2026-10``."""
    return func.substr(cast(expr, String), 1, 7)


def day_text(expr):
    """A date as ISO text ``2026-10-31``."""
    return func.substr(cast(expr, String), 1, 10)


def service_table(ctx, name: str):
    """A table of the core's service machinery (``reports``, ``rota_days``, ``cases``)."""
    return getattr(ctx.tables, name)


def midnight(day: dt.date):
    return literal(dt.datetime.combine(day, dt.time()))


def period_bounds(ctx):
    """The KPI period as datetimes: (start, end) at midnight, end exclusive."""
    return midnight(ctx.period.start), midnight(ctx.period.end)


def as_of_end(ctx):
    """The end of the as-of day (exclusive), as a datetime."""
    return midnight(ctx.as_of + dt.timedelta(days=1))


def month_values(ctx, metric: str, first=None, end=None, name: str = "month_values"):
    """(customer_id, period, cents): a metric per customer and month, accounts added up."""
    m = ctx.tables.measurements
    query = select(m.c.customer_id, m.c.period, cents(func.sum(m.c.value)).label("cents")).where(
        m.c.metric == metric
    )
    if first is not None:
        query = query.where(m.c.period >= first)
    if end is not None:
        query = query.where(m.c.period < end)
    return query.group_by(m.c.customer_id, m.c.period).subquery(name)


def reference_month(ctx, metric: str, before: dt.date | None = None):
    """The latest month with any ``metric`` data before ``before`` (default: the as-of month).

    The last closed month, or the one before it while the last is not yet
    loaded: a scalar SQL date.
    """
    m = ctx.tables.measurements.alias("reference_month")
    before = before or dt.date(ctx.as_of.year, ctx.as_of.month, 1)
    return (
        select(func.max(m.c.period))
        .where(m.c.metric == metric, m.c.period < before)
        .scalar_subquery()
    )


def customer_month(ctx, metric: str, period, name: str):
    """(customer_id, cents) of ``metric`` in one month (a SQL date), accounts added up."""
    m = ctx.tables.measurements
    return (
        select(m.c.customer_id, cents(func.sum(m.c.value)).label("cents"))
        .where(m.c.metric == metric, m.c.period == period)
        .group_by(m.c.customer_id)
        .subquery(name)
    )


def account_open(a, day):
    """An account is open on ``day``: opened by then, not closed by then."""
    return and_(
        or_(a.c.opened_at.is_(None), a.c.opened_at <= day),
        or_(a.c.closed_at > day,
            and_(a.c.closed_at.is_(None), func.coalesce(a.c.status, "") != "closed")),
    )


def label_at(ctx, segmentation: str, customer_id, day):
    """The label ``segmentation`` gave a customer at the end of ``day``, from history."""
    h = ctx.tables.segment_history.alias()
    return (
        select(h.c.new_label)
        .where(h.c.segmentation == segmentation, h.c.customer_id == customer_id,
               h.c.changed_on <= day)
        .order_by(h.c.changed_on.desc(), h.c.id.desc())
        .limit(1)
        .correlate_except(h)
        .scalar_subquery()
    )


def label_at_start(ctx, segmentation: str, customer_id):
    """The label at the start of the KPI period: at the end of the day before it,
    else (a customer first labelled during the period) the first label it got."""
    before = label_at(ctx, segmentation, customer_id,
                      literal(ctx.period.start - dt.timedelta(days=1)))
    h = ctx.tables.segment_history.alias()
    first = (
        select(h.c.new_label)
        .where(h.c.segmentation == segmentation, h.c.customer_id == customer_id,
               h.c.changed_on >= literal(ctx.period.start), h.c.changed_on <= ctx.today)
        .order_by(h.c.changed_on, h.c.id)
        .limit(1)
        .correlate_except(h)
        .scalar_subquery()
    )
    return func.coalesce(before, first)


def hours_between(ctx, start, end):
    """Hours from ``start`` to ``end`` (datetimes), as a SQL number."""
    if ctx.dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def manager_key(ctx, manager_id, customer_id):
    """The KPI scope key of work a manager did: the manager, the team or the territory.

    For ``all``, ``segment:`` and ``list:`` scopes, the customer's key.
    """
    if ctx.scope in ("manager", "team", "territory"):
        return ctx.credit_scope_key(manager_id)
    return ctx.scope_key(customer_id)


def valued(ctx, customer_id):
    """BANK-ABC class A or B, or BANK-TIER affluent and above (churn, handover)."""
    return or_(ctx.label("banking.abc", customer_id).in_(VALUED_CLASSES),
               ctx.label("banking.tier", customer_id).in_(VALUED_TIERS))


def text(value):
    return literal(value, String)
