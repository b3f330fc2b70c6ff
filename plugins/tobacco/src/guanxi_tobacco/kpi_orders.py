"""Tobacco KPIs of orders: cartons, growth on a year earlier, stock-outs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, String, and_, case, cast, func, literal, select

from guanxi_tobacco.kpi_blocks import either, key_of, met_if, rows_of


def _same_span_a_year_earlier(ctx) -> tuple[dt.date, dt.date]:
    """(first, last) day of the period so far, a year earlier (29 February -> 28th)."""
    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)
    return back(ctx.period.start), back(ctx.as_of)


def _order_id(m):
    """A measurement's row id: the retailer and the day."""
    return m.c.customer_id + literal(" ") + cast(m.c.period, String)


def _cartons(ctx):
    m = ctx.tables.measurements
    return m, key_of(ctx, m.c.customer_id), and_(
        m.c.metric == "cartons", ctx.in_period(m.c.period), ctx.served(m.c.customer_id))


def cartons_query(ctx):
    m, key, ordered = _cartons(ctx)
    return select(key, cast(func.sum(m.c.value), Float).label("value")).where(ordered).group_by(key)


def cartons_rows(ctx):
    m, key, ordered = _cartons(ctx)
    return rows_of(key, _order_id(m), cast(m.c.value, Float),
                   ctx.reason("tobacco.kpi_cartons", customer=m.c.customer_id,
                              day=cast(m.c.period, String), cartons=m.c.value)).where(ordered)


def _cartons_both_years(ctx):
    # 同比: the period so far against the same days a year earlier, by the
    # retailers' scope key today; undefined without last year's cartons.
    m = ctx.tables.measurements
    first, last = _same_span_a_year_earlier(ctx)
    now = ctx.in_period(m.c.period)
    then = and_(m.c.period >= literal(first), m.c.period <= literal(last))
    return m, key_of(ctx, m.c.customer_id), now, then, and_(
        m.c.metric == "cartons", now | then, ctx.served(m.c.customer_id))


def cartons_growth_query(ctx):
    m, key, now, then, both = _cartons_both_years(ctx)
    this_year = func.sum(case((now, m.c.value), else_=0))
    last_year = func.sum(case((then, m.c.value), else_=0))
    return (select(key, (cast(this_year - last_year, Float) / cast(last_year, Float))
                   .label("value"))
            .where(both)
            .group_by(key)
            .having(last_year > 0))


def cartons_growth_rows(ctx):
    # (this year - last year) / last year as a ratio of rows: this year's
    # orders add their cartons and weigh 0, last year's take theirs away and
    # weigh them; keys without last year's cartons have no value, nor rows.
    m, key, now, then, both = _cartons_both_years(ctx)
    cartons = cast(m.c.value, Float)
    rows = (select(key, _order_id(m).label("row_id"),
                   case((now, cartons), else_=-cartons).label("figure"),
                   case((now, 0.0), else_=cartons).label("weight"),
                   either(ctx, now, "tobacco.kpi_cartons_this_year",
                          "tobacco.kpi_cartons_last_year", customer=m.c.customer_id,
                          day=cast(m.c.period, String), cartons=m.c.value).label("reason"))
            .where(both).subquery("growth_rows"))
    based = select(rows, func.sum(rows.c.weight).over(partition_by=rows.c.scope_key)
                   .label("base")).subquery("growth_based")
    return select(based.c.scope_key, based.c.row_id, based.c.figure, based.c.weight,
                  based.c.reason).where(based.c.base > 0)


def _order_days(ctx, details: bool = False):
    # Stock-out days over order days, per retailer and day: a day with an
    # order (cartons > 0) is an order day; one of them with a shortfall > 0
    # is a stock-out day (a shortfall without an order is not counted).
    # ``details``: with the day itself, for the rows.
    m = ctx.tables.measurements
    day = (select(m.c.customer_id, *([m.c.period] if details else []),
                  func.sum(case((m.c.metric == "cartons", m.c.value), else_=0)).label("cartons"),
                  func.sum(case((m.c.metric == "shortfall", m.c.value), else_=0))
                  .label("shortfall"))
           .where(m.c.metric.in_(("cartons", "shortfall")), ctx.in_period(m.c.period),
                  ctx.served(m.c.customer_id))
           .group_by(m.c.customer_id, m.c.period)
           .subquery("order_days"))
    return day, key_of(ctx, day.c.customer_id), day.c.shortfall > 0


def stockout_rate_query(ctx):
    day, key, short = _order_days(ctx)
    return select(key, ctx.share(short).label("value")).where(day.c.cartons > 0).group_by(key)


def stockout_rate_rows(ctx):
    day, key, short = _order_days(ctx, details=True)
    return rows_of(key, _order_id(day), met_if(short),
                   either(ctx, short, "tobacco.kpi_stockout", "tobacco.kpi_no_stockout",
                          customer=day.c.customer_id, day=cast(day.c.period, String),
                          cartons=day.c.cartons, shortfall=day.c.shortfall)
                   ).where(day.c.cartons > 0)
