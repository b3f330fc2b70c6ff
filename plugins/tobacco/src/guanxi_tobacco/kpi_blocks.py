"""The pieces the tobacco KPIs share: whose figure a row is, visits in the period,
and the per-row select every KPI's ``rows`` lists for ``--explain``.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from guanxi_tobacco.options import VISIT


#: The visit cadence of TOB-PLAN (service.cadences); the core's plan KPIs
#: count every cadence, these only the tobacco schedule.
PLAN_CADENCE = "tobacco.plan"
#: The TOB-SURVEY rule whose tasks ask a manager to record the measures taken.
SURVEY_RULE = "tobacco.survey_actions"
#: The TOB-PROMO step that is the brand manager's decision.
PROMOTION_DECIDED_STEP = "decided"


def key_of(ctx, customer_id):
    return ctx.scope_key(customer_id).label("scope_key")


def _work_key(ctx, manager_id, customer_id):
    """By manager: who did the work (else the retailer's owner); otherwise the retailer's key."""
    if ctx.scope == "manager":
        c = ctx.tables.customers.alias("work_owner")
        owner = (select(c.c.manager_id).where(c.c.id == customer_id)
                 .correlate_except(c).scalar_subquery())
        return func.coalesce(manager_id, owner).label("scope_key")
    return key_of(ctx, customer_id)


def period_visits(ctx, kind=VISIT):
    """(interactions, scope key, in-period condition) for interactions of ``kind``."""
    i = ctx.tables.interactions
    return i, _work_key(ctx, i.c.manager_id, i.c.customer_id), and_(
        i.c.kind == kind, ctx.in_period(i.c.occurred_at), ctx.served(i.c.customer_id))


# The rows behind a value: every KPI lists what it counts with ``rows``,
# built from the same pieces as its ``query`` (one helper per KPI), so that
# the two cannot drift; a share's rows add 1 (met) or 0 and weigh 1.


def rows_of(key, row_id, figure, reason, weight=None):
    columns = [key.label("scope_key"), row_id.label("row_id"), figure.label("figure"),
               reason.label("reason")]
    return select(*columns, *([weight.label("weight")] if weight is not None else []))


def met_if(condition):
    return case((condition, 1), else_=0)


def either(ctx, condition, met, missed, **figures):
    """The reason ``met`` where ``condition`` holds, else ``missed``, with the same figures."""
    return case((condition, ctx.reason(met, **figures)), else_=ctx.reason(missed, **figures))


def minute_of(ctx, column):
    return ctx.minute_text(column)


def visit_figures(ctx, i):
    return dict(visit=i.c.id, customer=i.c.customer_id, day=ctx.date_of(i.c.occurred_at))
