"""The probabilistic lifetime value over the whole base (VAL-BGNBD):
summaries in SQL, streamed; the models fitted; each customer's figures
stored as measurements.

The summary of a customer is computed by the database from its purchases
up to the end of the as-of day: x (distinct purchase days after the first),
t_x and T in weeks, and m (the mean spend of the repeat days: the first
day's amount left out, as the Gamma-Gamma literature does). Python reads
one summary row per customer, in chunks, never a purchase: memory does not
grow with the number of purchases. Fitting groups identical (x, t_x, T) in
NumPy and weighs them, so the likelihood sums fewer terms.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import Float, case, cast, func, select

from guanxi_value import models
from guanxi_value import options as o
from guanxi_value import purchases as p

CHUNK = 20_000
WEEK = 7.0


def summaries(ctx):
    """``(customer_id, x, t_x, T, m)`` per customer with a purchase by the as-of day."""
    i = ctx.tables.interactions.alias("fit_purchase")
    end = ctx.as_of + dt.timedelta(days=1)
    day = ctx.date_of(i.c.occurred_at)
    days = (select(i.c.customer_id, day.label("day"),
                   cast(func.sum(i.c.amount), Float).label("amount"))
            .where(p.is_purchase(ctx, i), i.c.occurred_at < p.moment(end))
            .group_by(i.c.customer_id, day).subquery("fit_days"))
    # The first day's amount by its rank, not by joining the days again: one pass.
    ranked = select(days, func.row_number().over(partition_by=days.c.customer_id,
                                                 order_by=days.c.day).label("n")
                    ).subquery("fit_ranked_days")
    per = (select(ranked.c.customer_id, func.min(ranked.c.day).label("first_day"),
                  func.max(ranked.c.day).label("last_day"), func.count().label("days"),
                  func.sum(ranked.c.amount).label("amount"),
                  func.sum(case((ranked.c.n == 1, ranked.c.amount), else_=0.0))
                  .label("first_amount"))
           .group_by(ranked.c.customer_id).subquery("fit_customers"))
    x = per.c.days - 1
    repeat_amount = per.c.amount - per.c.first_amount
    return select(
        per.c.customer_id, x.label("x"),
        (cast(ctx.days_between(per.c.first_day, per.c.last_day), Float) / WEEK).label("t_x"),
        (cast(ctx.days_between(per.c.first_day), Float) / WEEK).label("T"),
        case((x > 0, repeat_amount / cast(x, Float)), else_=0.0).label("m"),
    )


@attrs.frozen
class Fit:
    as_of: dt.date
    bgnbd: models.BgNbd
    gamma_gamma: models.GammaGamma | None
    horizon_days: int


def fit(ws, as_of: dt.date | None = None) -> Fit:
    """Fit BG/NBD on every buyer and Gamma-Gamma on those with repeat purchases.

    One pass over the summaries, streamed in chunks into four float arrays
    (32 bytes a customer); identical (x, t_x, T) are then weighed together.
    """
    np, _, _ = models._np()
    ctx = ws.query_context("value", as_of)
    s = summaries(ctx).subquery("fit_summary")
    with ws.engine.connect() as conn:
        rows = _stream_array(conn, select(s.c.x, s.c.t_x, s.c.T, s.c.m), 4)
    if not len(rows):
        from guanxi import UsageError

        raise UsageError(f"no purchases by {ctx.as_of} (interaction kinds "
                         f"{', '.join(ctx.config['kinds'])} with an amount): nothing to fit")
    groups, counts = np.unique(rows[:, :3], axis=0, return_counts=True)
    bgnbd = models.fit_bgnbd(groups[:, 0], groups[:, 1], groups[:, 2], counts)
    spend = rows[(rows[:, 0] > 0) & (rows[:, 3] > 0)]
    gg = models.fit_gamma_gamma(spend[:, 0], spend[:, 3]) if len(spend) > 2 else None
    return Fit(as_of=ctx.as_of, bgnbd=bgnbd, gamma_gamma=gg,
               horizon_days=ctx.config["fit.horizon_days"])


def _stream_array(conn, query, width: int):
    """The rows of ``query`` as a float array, read in chunks (no list of row objects)."""
    np, _, _ = models._np()
    parts = []
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    for chunk in result.partitions(CHUNK):
        parts.append(np.array(chunk, dtype=float).reshape(-1, width))
    return np.concatenate(parts) if parts else np.zeros((0, width))


def predictions(ws, result: Fit):
    """Each customer's (customer_id, expected purchases, P(alive), expected value),
    streamed in chunks of arrays."""
    np, _, _ = models._np()
    ctx = ws.query_context("value", result.as_of)
    query = summaries(ctx).order_by("customer_id")
    horizon = result.horizon_days / WEEK
    with ws.engine.connect() as conn:
        stream = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for chunk in stream.partitions(CHUNK):
            ids = [row[0] for row in chunk]
            x, t_x, T, m = np.array([row[1:] for row in chunk], dtype=float).T
            purchases = models.expected_purchases(result.bgnbd, horizon, x, t_x, T)
            alive = models.p_alive(result.bgnbd, x, t_x, T)
            if result.gamma_gamma is not None:
                spend = models.expected_spend(result.gamma_gamma, x, m)
            else:
                spend = np.full(len(ids), np.nan)
            yield ids, purchases, alive, purchases * spend


def store(ws, result: Fit, progress=None) -> int:
    """Write each customer's figures as measurements of the as-of month; how many customers."""
    period = result.as_of.replace(day=1)
    stored = 0
    for ids, purchases, alive, value in predictions(ws, result):
        rows = []
        for n, customer in enumerate(ids):
            rows.append({"customer_id": customer, "metric": o.EXPECTED_PURCHASES,
                         "period": period, "value": round(float(purchases[n]), 4)})
            rows.append({"customer_id": customer, "metric": o.P_ALIVE, "period": period,
                         "value": round(float(alive[n]), 4)})
            if value[n] == value[n]:  # NaN without a spend model
                rows.append({"customer_id": customer, "metric": o.EXPECTED_VALUE,
                             "period": period, "value": round(float(value[n]), 2)})
        ws.save("measurements", rows)
        stored += len(ids)
        if progress is not None:
            progress(stored)
    return stored
