"""Query pieces the telecom segmentations, rules and KPIs share, each once.

Every piece is a set-based subquery over the whole base (grouped by
customer) or a condition; nothing loops over customers.

Definitions (docs/packs/telecom.md, "Definitions"):

- a **line** is an account whose type is one of ``[telecom.lines]
  products``; it is **live** when active or dormant;
- a **key contact** is a contact with seniority ``senior``; a **key contact
  change** is a senior contact whose ``ended_at`` is within
  ``contact.replace_days`` of another contact of the same customer starting
  in the same role (one replaced, not one added);
- **tenure** is whole calendar months since the customer's ``created_at``;
- **billing** is interactions of kind ``bill``; the gap is the days since
  the last bill (since ``created_at`` before the first).
"""

from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import String, and_, case, cast, func, literal, or_, select

from guanxi_telecom.options import (
    ACTIVE,
    BILL,
    DORMANT,
    NONPAYMENT,
    SENIOR,
    STOPPED,
)


def is_line(ctx, a):
    """True for an account that is a service line (户)."""
    return a.c.type.in_(ctx.config["lines.products"])


def flag(ctx, c, name: str):
    """A boolean customer field, false when empty."""
    return func.coalesce(ctx.attribute(c, name, "boolean"), False)


def text(expr):
    """A figure as text, for reasons built from pieces."""
    return cast(expr, String)


def line_summary(ctx):
    """``(customer_id, lines, stopped, live_products, nonpayment, arrears)`` per customer
    with lines: lines in all, ended or suspended (罚停, 报停, lost), product types
    among live lines, lines in 罚停, live lines past their ``paid_until``."""
    a = ctx.tables.accounts
    live = a.c.status.in_((ACTIVE, DORMANT))
    paid_until = ctx.attribute(a, "paid_until", "date")
    return (
        select(
            a.c.customer_id,
            func.count().label("lines"),
            func.sum(case((a.c.status.in_(STOPPED), 1), else_=0)).label("stopped"),
            func.count(func.distinct(case((live, a.c.type)))).label("live_products"),
            func.sum(case((a.c.status == NONPAYMENT, 1), else_=0)).label("nonpayment"),
            func.sum(case((and_(live, paid_until < ctx.today), 1), else_=0)).label("arrears"),
        )
        .where(is_line(ctx, a))
        .group_by(a.c.customer_id)
        .subquery("telecom_lines")
    )


def revenue_trend(ctx):
    """``(customer_id, recent, before)``: revenue of the last ``stage.revenue_months``
    closed months and of as many months before them."""
    months = ctx.config["stage.revenue_months"]
    m = ctx.tables.measurements
    first, _ = ctx.trailing_months(2 * months)
    middle, end = ctx.trailing_months(months)
    return (
        select(
            m.c.customer_id,
            func.sum(case((m.c.period >= middle, m.c.value), else_=0)).label("recent"),
            func.sum(case((m.c.period < middle, m.c.value), else_=0)).label("before"),
        )
        .where(m.c.metric == "revenue", m.c.period >= first, m.c.period < end)
        .group_by(m.c.customer_id)
        .subquery("telecom_revenue")
    )


def last_bill(ctx):
    """``(customer_id, last_bill)``: the day of each customer's latest bill up to the as-of day."""
    i = ctx.tables.interactions
    return (
        select(i.c.customer_id, func.max(ctx.date_of(i.c.occurred_at)).label("last_bill"))
        .where(i.c.kind == BILL, i.c.occurred_at < ctx.at(ctx.as_of, 1))
        .group_by(i.c.customer_id)
        .subquery("telecom_bills")
    )


def active_contacts(ctx):
    """``(customer_id, contacts)``: contacts active at the as-of day."""
    k = ctx.tables.contacts
    return (
        select(k.c.customer_id, func.count().label("contacts"))
        .where(k.c.active.is_(True),
               or_(k.c.ended_at.is_(None), k.c.ended_at > ctx.today),
               or_(k.c.started_at.is_(None), k.c.started_at <= ctx.today))
        .group_by(k.c.customer_id)
        .subquery("telecom_contacts")
    )


def contact_changes(ctx, since):
    """Key contact changes whose new contact started from ``since`` to the as-of day:
    ``(customer_id, new_id, new_name, role, started, old_name, ended)``.

    The old contact is senior, of the same customer and role, and ended
    within ``contact.replace_days`` of the new one starting: a contact
    replaced. A contact added beside the others is no change.
    """
    new, old = ctx.tables.contacts.alias("new_contact"), ctx.tables.contacts.alias("old_contact")
    days = ctx.config["contact.replace_days"]
    return (
        select(new.c.customer_id, new.c.id.label("new_id"), new.c.name.label("new_name"),
               new.c.role, new.c.started_at.label("started"), old.c.name.label("old_name"),
               old.c.ended_at.label("ended"))
        .join(old, and_(old.c.customer_id == new.c.customer_id, old.c.role == new.c.role,
                        old.c.id != new.c.id))
        .where(old.c.seniority == SENIOR, old.c.ended_at.is_not(None),
               new.c.role.is_not(None), new.c.started_at.is_not(None),
               new.c.started_at >= since, new.c.started_at <= ctx.today,
               old.c.ended_at >= ctx.add_days(new.c.started_at, -days),
               old.c.ended_at <= ctx.add_days(new.c.started_at, days))
    )


def tenure(ctx, c):
    """Whole calendar months since the customer's ``created_at`` (NULL without one)."""
    return ctx.calendar_months_between(c.c.created_at)


def billing_gap(ctx, c, bills):
    """Days since the last bill, else since ``created_at``."""
    return ctx.days_between(func.coalesce(bills.c.last_bill, c.c.created_at))


def months_ago(ctx, months: int) -> dt.date:
    """The day ``months`` calendar months before the as-of day (the month's last
    day when it is shorter): a window of ``months`` months is the days after it."""
    year, month = divmod(ctx.as_of.year * 12 + ctx.as_of.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(ctx.as_of.day, last))


def credit(ctx, customer_id):
    """``(join, key, share)`` to credit a row of a customer to whoever sells.

    By manager, team or territory, the row goes to each manager of the
    customer's credit (``ctx.credit_shares()``: the owner keeps what the
    customer team's shares leave) with that share; other scopes count it
    whole; a manager whose share is 0 (the owner who gave it all) gets no row,
    so a KPI filters ``share > 0``. ``join(select)`` adds the join to a select.
    """
    if ctx.scope in ("manager", "team", "territory"):
        shares = ctx.credit_shares()
        return ((lambda s: s.join(shares, shares.c.customer_id == customer_id)),
                ctx.credit_scope_key(shares.c.manager_id), shares.c.share, shares.c.manager_id)
    return (lambda s: s), ctx.scope_key(customer_id), literal(1.0), literal(None, String)

