"""The Pareto curve (VAL-PARETO) as a report kind: the share of the period's
value against the share of customers, highest value first, by tenths.

``guanxi reports show value.pareto --period 2026-10`` (Markdown, HTML or
xlsx with ``--output``). One grouped select over the ranked customers.
"""

from __future__ import annotations

import datetime as dt

import guanxi
from sqlalchemy import Float, case, cast, func, literal, select

from guanxi_value import options as o
from guanxi_value import purchases as p

TEMPLATE = """\
# {{ report.kind.title }} {{ report.period.label }}
{% set t = totals[0] %}
{{ t.customers }} customer(s) bought {{ t.value|money }} in the period;
the top {{ t.top }} ({{ t.top_share|pct }} of them by count, at least one) hold {{ t.held|pct }} of it.

| customers (highest value first) | share of customers | share of value |
|---:|---:|---:|
{% for point in curve %}{{ row((point.customers, point.customer_share|pct, point.value_share|pct)) }}
{% endfor %}
"""


def _ranked(scope):
    ctx = scope.ctx
    end = min(scope.period.end, ctx.as_of + dt.timedelta(days=1))
    return p.ranked_values(ctx, scope.period.start, end, name="pareto_curve")


def curve(scope):
    # Tenths by count: the tenth a customer falls in is ceil(position × 10 / customers).
    q = _ranked(scope)
    tenth = (q.c.position * 10 + q.c.customers - 1) // q.c.customers
    reached = func.max(q.c.position)
    return (select(tenth.label("tenth"), reached.label("customers"),
                   (cast(reached, Float) / func.max(q.c.customers)).label("customer_share"),
                   (func.max(q.c.before + q.c.value) / func.max(q.c.total)).label("value_share"))
            .group_by(tenth).order_by(tenth))


def totals(scope):
    # One row: how many bought, their value, the top count and what it holds.
    q = _ranked(scope)
    share = scope.ctx.config["pareto.top_share"]
    top = q.c.position <= p.top_count(q.c.customers, share)
    return select(func.count().label("customers"),
                  func.coalesce(func.sum(q.c.value), 0.0).label("value"),
                  func.coalesce(func.sum(case((top, 1), else_=0)), 0).label("top"),
                  literal(share, Float).label("top_share"),
                  scope.ctx.ratio(func.sum(case((top, q.c.value), else_=0.0)),
                                  func.sum(q.c.value)).label("held"))


REPORT_KINDS = [
    guanxi.ReportKind(
        name=o.PARETO_REPORT, title="Pareto curve",
        description="VAL-PARETO: the share of the period's purchases against the share of "
                    "customers, highest value first, by tenths; and the top 20%'s share.",
        figures={"curve": curve, "totals": totals}, template=TEMPLATE, authored=False,
        filters={"pct": lambda v: "-" if v is None else f"{float(v) * 100:.1f}%",
                 "money": lambda v: f"{float(v or 0):,.2f}"}),
]
