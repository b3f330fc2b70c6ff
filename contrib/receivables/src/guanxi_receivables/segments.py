"""The 3C credit rating (REC-3C): character, capacity and capital, each a
quintile score 1–5 across the rated customers (5 best), the grade from their
sum (A ≥ 13, B ≥ 10, C ≥ 7, D below; ``[receivables.rating]``).

- character: the share of the customer's invoices due in the last 12 months
  (up to the as-of day) settled by their due day;
- capacity: the amount invoiced in the last 12 months;
- capital: the declared ``registered_capital``.

Rated are the customers invoiced in the 12 months. A score is
``1 + 5 × (rank - 1) ÷ n`` rounded down, ranks rising with the figure and
ties sharing the lower rank, so equal figures score alike; a customer
without a figure (no invoice due yet, no registered capital) ranks lowest.
One statement: three window functions over the rated customers.
"""

from __future__ import annotations

import datetime as dt

from guanxi import Segmentation
from sqlalchemy import Float, and_, case, cast, func, literal, select

from guanxi_receivables.ledger import invoices
from guanxi_receivables.options import GRADES, RATING


def _since(ctx) -> dt.date:
    months = ctx.config["rating.months"]
    index = ctx.as_of.year * 12 + ctx.as_of.month - 1 - months
    year, month = divmod(index, 12)
    # The day after the same day `months` months back (the 31st: the month's end).
    last = (dt.date(year + (month == 11), (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(ctx.as_of.day, last)) + dt.timedelta(days=1)


def rating_query(ctx):
    since = _since(ctx)
    b = invoices(ctx, name="rating_invoices", by_due=True)
    c = ctx.tables.customers
    due_in_window = and_(b.c.due_on >= literal(since), b.c.due_on <= ctx.today)
    on_time = and_(due_in_window, b.c.settled_by_due >= b.c.amount)
    per = (
        select(b.c.customer_id,
               func.sum(case((due_in_window, 1), else_=0)).label("due"),
               func.sum(case((on_time, 1), else_=0)).label("paid"),
               func.sum(case((b.c.issued_at >= ctx.at(since), b.c.amount), else_=0))
               .label("invoiced"))
        .where(ctx.served(b.c.customer_id))
        .group_by(b.c.customer_id)
        .subquery("rating_figures")
    )
    capital = ctx.attribute(c, "registered_capital", "number")
    figures = (
        select(per.c.customer_id, per.c.due, per.c.paid, per.c.invoiced,
               ctx.ratio(per.c.paid, per.c.due).label("character"), capital.label("capital"))
        .join(c, c.c.id == per.c.customer_id)
        .where(per.c.invoiced > 0)
        .subquery("rating_rated")
    )
    n = func.count().over()

    def score(column):
        # Missing figures rank lowest; ties share the lower rank.
        rank = func.rank().over(order_by=(case((column.is_(None), 0), else_=1), column))
        # Floor division: SQLAlchemy makes "/" a true division, and PostgreSQL rounds
        # where SQLite truncates when the quotient is cast back to an integer.
        return literal(1) + (rank - 1) * 5 // n

    f = figures.c
    scored = select(f.customer_id, f.due, f.paid, f.invoiced, f.character, f.capital,
                    score(f.character).label("s_character"), score(f.invoiced).label("s_capacity"),
                    score(f.capital).label("s_capital")).subquery("rating_scores")
    s = scored.c
    total = s.s_character + s.s_capacity + s.s_capital
    a, b_, c_ = (int(v) for v in ctx.config["rating.grades"])
    label = case((total >= a, literal(GRADES[0])), (total >= b_, literal(GRADES[1])),
                 (total >= c_, literal(GRADES[2])), else_=literal(GRADES[3]))
    figures = dict(character=s.s_character, paid=s.paid, due=s.due, capacity=s.s_capacity,
                   invoiced=s.invoiced, capital=s.s_capital, total=total)
    reason = case((s.capital.is_(None), ctx.reason("receivables.rating_no_capital", **figures)),
                  else_=ctx.reason("receivables.rating", registered=s.capital, **figures))
    return select(s.customer_id, label.label("label"), cast(total, Float).label("score"),
                  reason.label("reason"))


RATING_SEGMENTATION = Segmentation(
    name=RATING, title="3C credit rating", labels=GRADES,
    description="REC-3C: character (share of invoices paid by their due day), capacity (amount "
                "invoiced) over 12 months and capital (registered capital), each a quintile "
                "score 1–5 (5 best); A at a sum of 13 or more, B 10, C 7, D below.",
    query=rating_query,
    reasons={"receivables.rating": {
        "en": "character {character} ({paid} of {due} invoices paid by the due day), capacity "
              "{capacity} ({invoiced} invoiced in 12 months), capital {capital} (registered "
              "capital {registered}): {total}",
        "zh": "品德 {character} 分（{due} 张到期发票中 {paid} 张按期付清），能力 {capacity} 分"
              "（12 个月开票 {invoiced}），资本 {capital} 分（注册资本 {registered}）：合计 {total}"},
        "receivables.rating_no_capital": {
            "en": "character {character} ({paid} of {due} invoices paid by the due day), capacity "
                  "{capacity} ({invoiced} invoiced in 12 months), capital {capital} (no registered "
                  "capital declared): {total}",
            "zh": "品德 {character} 分（{due} 张到期发票中 {paid} 张按期付清），能力 {capacity} 分"
                  "（12 个月开票 {invoiced}），资本 {capital} 分（未申报注册资本）：合计 {total}"}},
)

SEGMENTATIONS = [RATING_SEGMENTATION]
