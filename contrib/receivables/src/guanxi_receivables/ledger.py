"""SQL blocks the receivables KPIs, rules, report and commands share.

One definition each (the open invoices on a day, their aging bucket, a
customer's credit policy), so a rule and the KPI that reports on it cannot
drift apart. Bills come from the toolkit's ``ctx.bills`` and days past due
from ``ctx.days_past_due``: the shape every pack reads bills in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, literal

from guanxi_receivables.options import BUCKETS, GRADES, INVOICE, RATING, SETTLEMENTS


def snapshot_day(ctx) -> dt.date:
    """The day receivables are read at: a KPI period's last day, or the as-of day when
    that comes first (a month still running); the as-of day outside KPIs."""
    if ctx.period is None:
        return ctx.as_of
    return min(ctx.period.end - dt.timedelta(days=1), ctx.as_of)


def invoices(ctx, day: dt.date | None = None, name: str = "rec_invoices", *,
             by_due: bool = False):
    """Every invoice issued by the end of ``day`` with what settled it by then
    (payments, credit notes, write-offs): ``ctx.bills`` over the ledger's kinds.
    ``by_due``: also what settled it by its due day (``settled_by_due``), which
    only the on-time figures read."""
    return ctx.bills(INVOICE, settled_by=SETTLEMENTS, day=day, name=name, by_due=by_due)


def bucket(ctx, due, day) -> object:
    """The aging bucket (REC-AGING) of an amount due on ``due``, on ``day``."""
    late = ctx.days_past_due(due, day)
    whens = []
    for name, first, last in BUCKETS:
        whens.append((late <= last if first is None else
                      (late >= first if last is None else and_(late >= first, late <= last)),
                      literal(name)))
    return case(*whens)


def in_bucket(ctx, due, day, name: str):
    """True for an amount due on ``due`` that is in bucket ``name`` on ``day``."""
    late = ctx.days_past_due(due, day)
    first, last = next((f, t) for n, f, t in BUCKETS if n == name)
    if first is None:
        return late <= last
    if last is None:
        return late >= first
    return and_(late >= first, late <= last)


def grade(ctx, customer_id):
    """The customer's 3C grade (REC-3C), or ``[receivables.credit] unrated``."""
    return func.coalesce(ctx.label(RATING, customer_id), literal(ctx.config["credit.unrated"]))


def per_grade(ctx, grade_expr, option: str):
    """The value of the per-grade setting ``option`` (A, B, C, D) for ``grade_expr``."""
    values = ctx.config[option]
    return case(*[(grade_expr == g, literal(values[n])) for n, g in enumerate(GRADES)],
                else_=literal(values[-1]))
