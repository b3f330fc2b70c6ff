"""The aging report (REC-AGING, REC-DSO): each manager's customers with what
they owe in each aging bucket at the period's last day (or the as-of day),
the totals and the manager's DSO.

``guanxi reports show receivables.aging --period 2026-11 --author M001``
(Markdown, HTML or xlsx with ``--output``). One grouped select per figure.
"""

from __future__ import annotations

import datetime as dt

import guanxi
from sqlalchemy import Float, and_, case, cast, func, literal, or_, select

from guanxi_receivables.ledger import in_bucket, invoices
from guanxi_receivables.options import BUCKETS

COLUMNS = ("customer", *(name for name, _, _ in BUCKETS), "owed")

TEMPLATE = """\
# {{ report.kind.title }} {{ report.period.label }}{% if report.author_name %}: {{ report.author_name }}{% endif %}

Receivables at the end of {{ totals[0].day }}: {{ totals[0].owed|money }} owed by {{ totals[0].customers }} customer(s);
DSO {{ totals[0].dso|days }} ({{ totals[0].invoiced|money }} invoiced in the {{ totals[0].window }} days to that day).

| bucket | owed |
|---|---:|
{% for name in buckets %}{{ row((name, totals[0][name]|money)) }}
{% endfor %}

| customer | current | 1–30 | 31–60 | 61–90 | 91–180 | 181–365 | > 365 | owed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{% for c in customers %}{{ row((c.customer, c.current|money, c['1_30']|money, c['31_60']|money, c['61_90']|money, c['91_180']|money, c['181_365']|money, c.over_365|money, c.owed|money)) }}
{% endfor %}
"""


def _day(scope) -> dt.date:
    return min(scope.period.end - dt.timedelta(days=1), scope.as_of)


def _mine(scope, b):
    c = scope.ctx.tables.customers
    where = [b.c.customer_id == c.c.id, scope.ctx.served(b.c.customer_id)]
    if scope.author_id is not None:
        where.append(c.c.manager_id == scope.author_id)
    return c, and_(*where)


def customers(scope):
    ctx, day = scope.ctx, _day(scope)
    b = invoices(ctx, day, "report_invoices")
    c, mine = _mine(scope, b)
    sums = [func.sum(case((in_bucket(ctx, b.c.due_on, day, name), b.c.owed), else_=0))
            .label(name) for name, _, _ in BUCKETS]
    return (select(b.c.customer_id.label("customer"), *sums, func.sum(b.c.owed).label("owed"))
            .select_from(b.join(c, mine)).where(b.c.owed > 0)
            .group_by(b.c.customer_id).order_by(func.sum(b.c.owed).desc(), b.c.customer_id))


def totals(scope):
    ctx, day = scope.ctx, _day(scope)
    days = ctx.config["dso.days"]
    b = invoices(ctx, day, "report_totals")
    c, mine = _mine(scope, b)
    in_window = b.c.issued_at >= ctx.at(day - dt.timedelta(days=days - 1))
    invoiced = func.sum(case((in_window, cast(b.c.amount, Float)), else_=0.0))
    owed = func.sum(cast(b.c.owed, Float))
    sums = [func.coalesce(func.sum(case((in_bucket(ctx, b.c.due_on, day, name), b.c.owed),
                                        else_=0)), 0).label(name) for name, _, _ in BUCKETS]
    return (select(literal(day.isoformat()).label("day"), literal(days).label("window"),
                   func.coalesce(owed, 0.0).label("owed"),
                   func.count(func.distinct(case((b.c.owed > 0, b.c.customer_id))))
                   .label("customers"),
                   func.coalesce(invoiced, 0.0).label("invoiced"),
                   ctx.ratio(owed * days, invoiced).label("dso"), *sums)
            .select_from(b.join(c, mine)).where(or_(b.c.owed > 0, in_window)))


def _money(v) -> str:
    return f"{float(v or 0):,.2f}"


REPORT_KINDS = [
    guanxi.ReportKind(
        name="receivables.aging", title="Receivables aging",
        description="REC-AGING, REC-DSO: each manager's customers with what they owe by aging "
                    "bucket at the period's last day, the totals and the DSO.",
        figures={"customers": customers, "totals": totals,
                 "buckets": lambda scope: [name for name, _, _ in BUCKETS]},
        template=TEMPLATE,
        filters={"money": _money, "days": lambda v: "-" if v is None else f"{float(v):.1f} days"}),
]
