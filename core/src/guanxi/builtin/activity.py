"""core.activity: active, dormant or lost by days since the last contact.

The last contact is the latest interaction on or before the as-of date,
else the day the customer was created. Fewer than ``dormant_days`` since
then: active; from ``dormant_days``: dormant; from ``lost_days``: lost. A
customer with neither an interaction nor a creation date is lost. The
label sits beside the source system's status, never over it.
"""

from __future__ import annotations

from sqlalchemy import case, func, literal, select

from guanxi.contributions import ConfigOption, Segmentation

OPTIONS = (
    ConfigOption(name="activity.dormant_days", type="integer", default=90, minimum=1,
                 description="Days without contact after which a customer is dormant."),
    ConfigOption(name="activity.lost_days", type="integer", default=365, minimum=1,
                 description="Days without contact after which a customer is lost."),
)


def activity_query(ctx):
    c, i = ctx.tables.customers, ctx.tables.interactions
    dormant, lost = ctx.config["activity.dormant_days"], ctx.config["activity.lost_days"]
    # On or before the as-of day: before midnight after it, a comparison
    # the (customer_id, occurred_at) index answers without a function per row.
    last = (
        select(i.c.customer_id, func.max(i.c.occurred_at).label("last_at"))
        .where(i.c.occurred_at < ctx.at(ctx.as_of, days=1))
        .group_by(i.c.customer_id)
        .subquery("last_contact")
    )
    since = func.coalesce(ctx.date_of(last.c.last_at), c.c.created_at)
    days = ctx.days_between(since)
    label = case(
        (since.is_(None), "lost"),
        (days >= lost, "lost"),
        (days >= dormant, "dormant"),
        else_="active",
    )
    reason = case(
        (since.is_(None), ctx.reason("core.activity.never")),
        (last.c.last_at.is_(None),
         ctx.reason("core.activity.created", days=days, since=since)),
        else_=ctx.reason("core.activity.days", days=days, since=ctx.date_of(last.c.last_at)),
    )
    return select(
        c.c.id.label("customer_id"),
        label.label("label"),
        func.coalesce(days, literal(None)).label("score"),
        reason.label("reason"),
    ).select_from(c.outerjoin(last, last.c.customer_id == c.c.id))


ACTIVITY = Segmentation(
    name="core.activity",
    title="Activity",
    description="Active, dormant or lost by days since the last contact.",
    labels=("active", "dormant", "lost"),
    query=activity_query,
    reasons={
        "core.activity.days": {"en": "last contact {since}, {days} days ago",
                               "zh": "最近一次联系 {since}，已 {days} 天"},
        "core.activity.created": {"en": "no contact since created on {since}, {days} days ago",
                                  "zh": "自 {since} 建档以来无联系，已 {days} 天"},
        "core.activity.never": {"en": "no contact and no creation date recorded",
                                "zh": "无联系记录，也无建档日期"},
        "core.no_longer_qualifies": {"en": "no longer qualifies", "zh": "不再符合条件"},
    },
)
