"""The open cases for the monthly 客户服务委员会 (POWER-ROUTE), a declared report.

The committee discusses cases jointly (会商); it is not an escalation
level. The report lists every complaint, request and repair of the pack's
policies still unresolved at the end of the month (or the as-of day), a
VIP's first (绿色通道), then the highest 督办 level, then the oldest.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, literal, or_, select

from guanxi import ReportKind, tables
from guanxi_power.service import vip_when

TEMPLATE = """\
# {{ report.kind.title }} {{ report.period.label }}

As of {{ report.as_of }}: {{ cases|length }} open case(s), {{ escalated }} under 督办
(level 2 or more), {{ vip }} of VIP customers.

{{ table(("case", "policy", "customer", "owner", "level", "opened", "next due", "VIP",
          "breached"), cases) }}
"""


def open_cases(scope):
    ctx = scope.ctx
    c, cu = tables.cases, tables.customers
    last_day = min(scope.as_of, scope.period.end - dt.timedelta(days=1))
    moment = ctx.at(last_day, 1)
    vip = vip_when(ctx, cu)
    due = func.coalesce(c.c.response_due_at, c.c.resolution_due_at)
    due = case((c.c.responded_at.is_(None), due), else_=c.c.resolution_due_at)
    return (
        select(c.c.id, c.c.policy, c.c.customer_id, c.c.owner_id, c.c.level,
               ctx.minute_text(c.c.opened_at), ctx.minute_text(due),
               case((vip, literal("yes")), else_=literal("")),
               case((c.c.breached, literal("yes")), else_=literal("")))
        .select_from(c.join(cu, cu.c.id == c.c.customer_id))
        .where(c.c.policy.like("power.%"), c.c.opened_at < moment,
               or_(c.c.resolved_at.is_(None), c.c.resolved_at >= moment))
        .order_by(case((vip, 0), else_=1), c.c.level.desc(), c.c.opened_at, c.c.id)
    )


def escalated(scope):
    return sum(1 for row in scope.figures["cases"] if row[4] >= 2)


def vip_count(scope):
    return sum(1 for row in scope.figures["cases"] if row[7])


COMMITTEE = ReportKind(
    name="power.committee",
    title="Open cases for the customer service committee (客户服务委员会)",
    description="POWER-ROUTE: every complaint, request and repair still unresolved at the end "
                "of the month, VIP first, then by 督办 level and age: what the monthly "
                "客户服务委员会 discusses jointly (会商).",
    figures={"cases": open_cases, "escalated": escalated, "vip": vip_count},
    template=TEMPLATE,
    authored=False,
)
