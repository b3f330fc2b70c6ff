"""core.reactivation: a call for each dormant customer with an owner.

A customer core.activity labels dormant gets a call from the owning
manager, due within ``reactivation.due_days``. The dedupe key is the date
of the last contact, so one spell of dormancy makes one call, and a
customer contacted and then dormant again later gets a new one.
"""

from __future__ import annotations

from sqlalchemy import String, cast, func, literal, select

from guanxi.contributions import ConfigOption, ServiceRule

OPTIONS = (
    ConfigOption(name="reactivation.due_days", type="integer", default=7, minimum=0,
                 description="Days a manager has to call a customer who fell dormant."),
)


def reactivation_query(ctx):
    s, c, m, i = (ctx.tables.segments, ctx.tables.customers, ctx.tables.managers,
                  ctx.tables.interactions)
    # The latest contact on or before the as-of day, found by one seek on the
    # (customer_id, occurred_at) index; its date is the dedupe key.
    last = ctx.date_of(
        select(func.max(i.c.occurred_at))
        .where(i.c.customer_id == s.c.customer_id, i.c.occurred_at < ctx.at(ctx.as_of, days=1))
        .scalar_subquery()
    )
    since = func.coalesce(last, c.c.created_at)
    return (
        select(
            s.c.customer_id,
            ctx.due(ctx.config["reactivation.due_days"]).label("due_at"),
            literal(2).label("priority"),
            s.c.reason.label("reason"),
            literal("call").label("kind"),
            (literal("since:") + cast(since, String)).label("dedupe_key"),
        )
        .join(c, c.c.id == s.c.customer_id)
        .join(m, m.c.id == c.c.manager_id)
        .where(s.c.segmentation == "core.activity", s.c.label == "dormant",
               m.c.active.is_(True))
    )


REACTIVATION = ServiceRule(
    name="core.reactivation",
    title="Reactivation call",
    description="Call each dormant customer: the owner is asked to renew contact.",
    kind="call",
    query=reactivation_query,
    requires=("core.activity",),
)
