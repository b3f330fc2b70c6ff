"""The value demo: a shop's buyers beside the core's generic base.

It adds a third as many buyers (``V00001`` ...) as the base has customers,
owned by the core's account managers, each with a customer type (VAL-TYPE:
mostly consumers, some intermediaries, a few public-interest customers)
and 24 months of orders drawn the way BG/NBD assumes buyers behave: each
buys at a rate of its own while active, and may drop out after any
purchase; its spend per order varies around a mean of its own (a few
spend far more: the Pareto share has something to show). First purchases
are spread over the 24 months, so every month has a cohort.

:func:`summary` shows RFM scores and segments, the Pareto share, lifetime
values by the seed's formula and by the fitted models (with the fitted
parameters, when the ``fit`` extra is installed), a cohort grid and
retention and defection.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from guanxi import DemoData
from guanxi.demo_kit import person_name, territory_of_manager

from guanxi_value import options as o

MONTHS = 24


def buyer_count(ctx) -> int:
    return max(60, ctx.customers // 3)


class _Buyer:
    """One buyer's derived properties, the same for every entity."""

    def __init__(self, ctx, number: int) -> None:
        rng = random.Random(ctx.seed * 4_256_233 + number)
        self.id = f"V{number:05d}"
        self.name = person_name(rng)
        owner = ctx.owner_number(number)
        self.manager = ctx.manager_id(owner)
        self.territory = territory_of_manager(owner)
        roll = rng.random()
        self.type = ("consumer" if roll < 0.75 else "intermediary" if roll < 0.93
                     else "public_interest")
        self.first = ctx.as_of - dt.timedelta(days=rng.randint(0, MONTHS * 30))
        # Purchases a week while active: gamma-distributed across buyers.
        self.rate = rng.gammavariate(0.8, 0.35) * (3 if self.type == "intermediary" else 1)
        self.dropout = rng.betavariate(1.0, 4.0)
        scale = 8.0 if self.type == "consumer" else 10.0
        self.spend = math.exp(rng.gauss(scale, 0.9))
        self.rng = rng

    def orders(self, as_of: dt.date):
        rng, day, n = self.rng, self.first, 0
        while day <= as_of:
            n += 1
            at = dt.datetime.combine(day, dt.time(rng.randint(9, 20), rng.choice((0, 20, 40))))
            amount = round(self.spend * rng.gammavariate(4.0, 0.25), 2)
            yield n, at, max(amount, 1.0)
            if n > 1 and rng.random() < self.dropout:
                return
            gap = rng.expovariate(self.rate) * 7 if self.rate > 0 else MONTHS * 31
            if gap >= MONTHS * 31:  # past the as-of day whatever the first day: no overflow
                return
            day += dt.timedelta(days=max(1, round(gap)))


def _buyers(ctx):
    for number in range(1, buyer_count(ctx) + 1):
        yield _Buyer(ctx, number)


def generate(ctx):
    return {"customers": _customers(ctx), "interactions": _orders(ctx)}


def _customers(ctx):
    for b in _buyers(ctx):
        yield {"id": b.id, "name": b.name, "kind": "person", "manager_id": b.manager,
               "territory": b.territory, "status": "active", "created_at": b.first,
               "customer_type": b.type}


def _orders(ctx):
    for b in _buyers(ctx):
        for n, at, amount in b.orders(ctx.as_of):
            yield {"id": f"{b.id}-O{n}", "customer_id": b.id, "kind": "order",
                   "occurred_at": at, "channel": "online", "amount": amount}


# -- the summary --------------------------------------------------------------------------------


def _table(rows, columns, right=()) -> list[str]:
    from guanxi.output import table

    return ["  " + line for line in table(rows, columns, right=right).splitlines()]


def summary(ws, ctx) -> str:
    from guanxi.output import format_figure
    out = ["Customer value (guanxi-value)", "============================="]
    currency = ws.config.currency
    counts, best = _rfm_figures(ws)
    out.append(f"\nRFM over {ws.settings['value']['rfm.months']} months (VAL-RFM): "
               f"{sum(counts.values()):,} buyers scored; by segment:")
    out += _table([{"segment": k, "customers": v} for k, v in counts.items()],
                  ["segment", "customers"], right=["customers"])
    for customer, label, segment in best:
        out.append(f"  {customer} {label} ({segment}): {_reason(ws, o.RFM, customer)}")

    last = _last_month(ctx)
    figures = {v.kpi: v for v in ws.kpi(["value.pareto_share", "value.lifetime_value",
                                         "value.retention", "value.defection"],
                                        period=last, as_of=ctx.as_of)}

    def shown(name, unit):
        found = figures.get(name)
        return format_figure(found.value if found else None, unit, currency=currency)

    out.append(f"\n{last}: the top 20% of buyers held {shown('value.pareto_share', 'share')} "
               f"of the month's purchases (VAL-PARETO); retention "
               f"{shown('value.retention', 'share')}, defection "
               f"{shown('value.defection', 'share')} (VAL-RETENTION).")
    by_type = ws.kpi(["value.retention"], period=last, by="field:customer_type", as_of=ctx.as_of)
    out.append("  retention by customer type (VAL-TYPE): " + ", ".join(
        f"{v.scope_key or '(none)'} {format_figure(v.value, 'share')}" for v in by_type))

    years = ws.settings["value"]["ltv.years"]
    out.append(f"\nLifetime value, average monthly revenue × 12 × {years:g} years (VAL-LTV): "
               f"average {shown('value.lifetime_value', currency)}.")
    out += _fitted(ws, ctx, currency)
    out += _cohorts(ws, ctx)
    return "\n".join(out)


def _rfm_figures(ws):
    """Customers per RFM segment (largest first) and the three best scores: grouped SQL."""
    from sqlalchemy import and_, func, select

    from guanxi import tables

    s, n = tables.segments, tables.segments.alias("named")
    counted = (select(s.c.label, func.count()).where(s.c.segmentation == o.RFM_SEGMENT)
               .group_by(s.c.label).order_by(func.count().desc(), s.c.label))
    best = (select(s.c.customer_id, s.c.label, n.c.label)
            .join(n, and_(n.c.customer_id == s.c.customer_id, n.c.segmentation == o.RFM_SEGMENT))
            .where(s.c.segmentation == o.RFM)
            .order_by(s.c.score.desc(), s.c.customer_id).limit(3))
    with ws.engine.connect() as conn:
        return dict(conn.execute(counted).all()), conn.execute(best).all()


def _reason(ws, segmentation, customer_id) -> str:
    from guanxi.testing import label_reason

    return label_reason(ws, segmentation, customer_id)


def _last_month(ctx) -> str:
    first = ctx.as_of.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def _fitted(ws, ctx, currency) -> list[str]:
    from guanxi.output import format_figure

    try:
        import scipy  # noqa: F401
    except ImportError:
        return ["Lifetime value by BG/NBD and Gamma-Gamma (VAL-BGNBD): install "
                "guanxi-value[fit] (SciPy) and run `guanxi value fit`."]
    from guanxi_value import commands, fitting

    result = fitting.fit(ws, ctx.as_of)
    stored = fitting.store(ws, result)
    out = [f"Lifetime value by BG/NBD and Gamma-Gamma (VAL-BGNBD), fitted on {stored:,} "
           f"buyers' histories (`guanxi value fit`), next {result.horizon_days} days:"]
    rows = [r for r in commands.parameter_rows(result) if r["model"] in ("BG/NBD", "Gamma-Gamma")]
    out += _table(rows, ["model", "parameter", "value"], right=["value"])
    top = _top_expected(ws, ctx)
    for customer, purchases, alive, value in top:
        out.append(f"  {customer}: {purchases:.2f} purchases expected, P(active) "
                   f"{alive * 100:.1f}%, expected value {format_figure(value, currency)}")
    return out


def _top_expected(ws, ctx):
    from sqlalchemy import and_, select

    from guanxi import tables

    m = tables.measurements
    period = ctx.as_of.replace(day=1)
    a, b = m.alias("alive"), m.alias("purchases")
    query = (select(m.c.customer_id, b.c.value, a.c.value, m.c.value)
             .join(a, and_(a.c.customer_id == m.c.customer_id, a.c.metric == o.P_ALIVE,
                           a.c.period == period))
             .join(b, and_(b.c.customer_id == m.c.customer_id,
                           b.c.metric == o.EXPECTED_PURCHASES, b.c.period == period))
             .where(m.c.metric == o.EXPECTED_VALUE, m.c.period == period)
             .order_by(m.c.value.desc(), m.c.customer_id).limit(3))
    with ws.engine.connect() as conn:
        return [(r[0], float(r[1]), float(r[2]), float(r[3])) for r in conn.execute(query)]


def _cohorts(ws, ctx) -> list[str]:
    from guanxi.output import format_figure

    from guanxi_value import cohorts

    months = 6
    rows = cohorts.grid(ws, ws.query_context("value", ctx.as_of), months)
    names = cohorts.columns(months)
    shown = [{**r, **{n: format_figure(r[n], "share") for n in names[2:]}} for r in rows]
    return ([f"\nCohorts by first-purchase month (VAL-COHORT), share buying in each month after "
             f"(`guanxi value cohorts`):"] + _table(shown, names, right=names[1:]))


DEMO = [DemoData(name="value.buyers", description="Buyers with 24 months of orders, by type.",
                 generate=generate, summary=summary)]
