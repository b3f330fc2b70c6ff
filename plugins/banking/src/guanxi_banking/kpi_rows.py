"""Shared builders of the banking KPIs' per-row selects, and how a KPI adds them up.

A KPI is one per-row select (``scope_key, row_id, figure[, weight]`` and
the figures its reason names): ``kpi_value`` adds it up and ``explained``
lists it for ``--explain``.
"""

from __future__ import annotations

from sqlalchemy import case, func, literal, or_, select

from guanxi_banking.blocks import manager_key


def one_if(condition):
    """1 when ``condition`` holds, else 0: a row's figure in a count or a share."""
    return case((condition, 1), else_=0)


def kpi_value(ctx, base, combine="sum"):
    """A KPI's value from its per-row select: Σ figure, or (``ratio``) Σ figure / Σ weight."""
    b = base.subquery("kpi_row")
    value = func.sum(b.c.figure) if combine == "sum" else ctx.ratio(func.sum(b.c.figure),
                                                                    func.sum(b.c.weight))
    return select(b.c.scope_key, value.label("value")).group_by(b.c.scope_key)


def explained(ctx, base, reason, all_rows=False):
    """The rows of a per-row select with their reasons (``reason(ctx, row)``).

    Rows that add nothing (figure 0, and weight 0 where there is one) are
    left out unless ``all_rows``: a count lists what it counted.
    """
    b = base.subquery("kpi_row")
    columns = [b.c.scope_key, b.c.row_id, b.c.figure]
    adds = b.c.figure != 0
    if "weight" in b.c:
        columns.append(b.c.weight)
        adds = or_(adds, b.c.weight != 0)
    rows = select(*columns, reason(ctx, b).label("reason"))
    return rows if all_rows else rows.where(adds)


def reason_of(key, *names, **renamed):
    """A reason builder: template ``banking.kpi.KEY`` with the row's columns ``names``."""
    def reason(ctx, b):
        figures = {name: b.c[name] for name in names}
        figures.update({name: b.c[column] for name, column in renamed.items()})
        return ctx.reason(f"banking.kpi.{key}", **figures)
    return reason


def reason_yes_no(key, *names, **renamed):
    """``banking.kpi.KEY.yes`` for a row that counts (figure not 0), else ``KEY.no``."""
    yes, no = reason_of(f"{key}.yes", *names, **renamed), reason_of(f"{key}.no", *names, **renamed)
    return lambda ctx, b: case((b.c.figure != 0, yes(ctx, b)), else_=no(ctx, b))


def key_of(ctx, customer_id):
    return ctx.scope_key(customer_id).label("scope_key")


def on_books(ctx, c):
    return or_(c.c.created_at.is_(None), c.c.created_at <= ctx.today)


def owner_of(ctx, customer_id):
    c = ctx.tables.customers.alias("kpi_owner")
    return select(c.c.manager_id).where(c.c.id == customer_id).correlate_except(c).scalar_subquery()


def customer_rows(ctx, condition, *where, **details):
    """Customers on the books, figure 1 for those ``condition`` counts."""
    c = ctx.tables.customers
    return (select(key_of(ctx, c.c.id), c.c.id.label("row_id"), one_if(condition).label("figure"),
                   ctx.today.label("day"), *[v.label(k) for k, v in details.items()])
            .select_from(c).where(on_books(ctx, c), *where))


def share_rows(ctx, condition, *where, **details):
    """Customers ``where`` selects, each weighing 1, figure 1 where ``condition``."""
    c = ctx.tables.customers
    return (select(key_of(ctx, c.c.id), c.c.id.label("row_id"), one_if(condition).label("figure"),
                   literal(1).label("weight"), ctx.today.label("day"),
                   *[v.label(k) for k, v in details.items()])
            .select_from(c).where(*where))


def period_interactions(ctx, *where, by_manager=False):
    i = ctx.tables.interactions
    if by_manager:
        key = manager_key(ctx, func.coalesce(i.c.manager_id, owner_of(ctx, i.c.customer_id)),
                          i.c.customer_id).label("scope_key")
    else:
        key = key_of(ctx, i.c.customer_id)
    return i, key, ctx.in_period(i.c.occurred_at)


def interaction_rows(ctx, figure, *where, by_manager=False, weight=None, **details):
    """The period's interactions ``where`` selects: id, figure, who, when."""
    i, key, when = period_interactions(ctx, by_manager=by_manager)
    extra = [] if weight is None else [weight.label("weight")]
    return (select(key, i.c.id.label("row_id"), figure.label("figure"), *extra,
                   i.c.customer_id.label("customer"), i.c.kind.label("kind"),
                   func.coalesce(i.c.manager_id, "").label("manager"),
                   ctx.day_text(i.c.occurred_at).label("day"),
                   *[v.label(k) for k, v in details.items()])
            .where(when, *[w(i) for w in where]))


def abc_label(ctx, customer_id):
    """The customer's ABC class (BANK-ABC) on the KPI's day, from segment history."""
    return ctx.label_at("banking.abc", customer_id, ctx.today)


def tier_label(ctx, customer_id):
    """The customer's asset tier (BANK-TIER) on the KPI's day, from segment history."""
    return ctx.label_at("banking.tier", customer_id, ctx.today)
