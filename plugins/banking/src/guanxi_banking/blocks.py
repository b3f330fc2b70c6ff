"""The banking pack's own SQL building blocks: money in whole cents, tiers,
open accounts, valued customers. Everything not banking's own comes from
the query kit (``ctx.day_text``, ``ctx.label_at``, ``ctx.hours_between``...).

Money is compared in whole cents (integers), and shares in basis points
(integers), so that a boundary such as "a fall of exactly 30%" or "the top
15% of 20 customers" comes out the same on SQLite and PostgreSQL: no float
is ever compared with another.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, and_, cast, func, or_, select

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
