"""Banking KPI rows of named lists (BANK-LIST) and shared ownership (BANK-SHARE)."""

from __future__ import annotations

from sqlalchemy import Float, String, case, cast, exists, func, literal, or_, select

from guanxi_banking.kpi_rows import customer_rows, key_of, on_books, one_if, reason_of, share_rows
from guanxi_banking.kpi_teams import team_key


def _list_names(ctx):
    return [ctx.scope_arg] if ctx.scope == "list" else list(ctx.config["lists.names"])


def _list_member(ctx, customer_id):
    if ctx.scope == "list":
        return ctx.on_list(ctx.scope_arg, customer_id)
    return or_(*[ctx.on_list(name, customer_id) for name in ctx.config["lists.names"]] or [False])


def list_members_rows(ctx):
    c = ctx.tables.customers
    return customer_rows(ctx, _list_member(ctx, c.c.id),
                         lists=literal(", ".join(_list_names(ctx)), String))


def list_contact_rate_rows(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    contacted = exists().where(i.c.customer_id == c.c.id, i.c.kind.in_(("visit", "call")),
                               ctx.in_period(i.c.occurred_at))
    return share_rows(ctx, contacted, _list_member(ctx, c.c.id),
                      lists=literal(", ".join(_list_names(ctx)), String))


def unassigned_rows(ctx):
    c, m = ctx.tables.customers, ctx.tables.managers
    owned = exists().where(m.c.id == c.c.manager_id, m.c.active.is_(True),
                           or_(m.c.left_at.is_(None), m.c.left_at > ctx.today))
    key = (ctx.scope_key(c.c.id) if ctx.scope not in ("manager",) else c.c.manager_id)
    return (select(key.label("scope_key"), c.c.id.label("row_id"),
                   case((owned, 0), else_=1).label("figure"),
                   c.c.manager_id.label("manager"), ctx.today.label("day"))
            .select_from(c).where(on_books(ctx, c), c.c.status != "lost"))


def unassigned_reason(ctx, b):
    def say(key):
        return reason_of(f"unassigned_customers.{key}", "manager", "day", customer="row_id")(ctx, b)
    return case((b.c.manager.is_(None), say("none")), else_=say("gone"))


def share_conflicts_rows(ctx):
    ct = ctx.tables.customer_team
    given = (select(ct.c.customer_id, func.sum(cast(ct.c.share, Float)).label("given"))
             .where(ct.c.share.is_not(None)).group_by(ct.c.customer_id).subquery("given"))
    # Shares are stored with four decimals: over 1.00005 is over 100%.
    return (select(key_of(ctx, given.c.customer_id), given.c.customer_id.label("row_id"),
                   literal(1).label("figure"), (given.c.given * 100.0).label("percent"))
            .where(given.c.given > 1.00005))


def product_managers_rows(ctx):
    # Account managers / product managers: an account manager adds 1, a
    # product manager weighs 1.
    m = ctx.tables.managers
    return (select(team_key(ctx, m.c.team_id), m.c.id.label("row_id"),
                   one_if(m.c.role == "account manager").label("figure"),
                   one_if(m.c.role == "product manager").label("weight"),
                   m.c.role.label("role"))
            .where(m.c.active.is_(True)))
