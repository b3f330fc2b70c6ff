"""Tobacco KPIs of visits: the weekly schedule (TOB-PLAN), special visits
(TOB-SPECIAL), the visit checklist (TOB-CHECKLIST), prices (TOB-PRICE) and order
suggestions.
"""

from __future__ import annotations

from sqlalchemy import String, and_, case, cast, func, literal, select

from guanxi_tobacco.kpi_blocks import (
    PLAN_CADENCE,
    either,
    met_if,
    minute_of,
    period_visits,
    rows_of,
    visit_figures,
)
from guanxi_tobacco.options import CHECKLIST_ITEMS, PRICE_VIOLATION, SPECIAL_VISIT


# -- TOB-PLAN ----------------------------------------------------------------------------
# The core's plan KPIs, for this cadence's visits only: the same definitions
# (due days up to the as-of day, by the manager planned for), not a copy.


def plan_completion_query(ctx):
    return ctx.plan_completion(PLAN_CADENCE)


def plan_completion_rows(ctx):
    return ctx.plan_completion_rows(PLAN_CADENCE)


def plan_on_day_query(ctx):
    return ctx.plan_on_day(PLAN_CADENCE)


def plan_on_day_rows(ctx):
    return ctx.plan_on_day_rows(PLAN_CADENCE)


# -- TOB-SPECIAL, TOB-CHECKLIST, TOB-PRICE --------------------------------------------------


def special_visits_query(ctx):
    i, key, when = period_visits(ctx, SPECIAL_VISIT)
    return select(key, func.count().label("value")).where(when).group_by(key)


def special_visits_rows(ctx):
    i, key, when = period_visits(ctx, SPECIAL_VISIT)
    return rows_of(key, i.c.id, literal(1),
                   ctx.reason("tobacco.kpi_special_visit", visit=i.c.id, customer=i.c.customer_id,
                              at=minute_of(ctx, i.c.occurred_at))).where(when)


def _checklist(ctx):
    # rule TOB-CHECKLIST: a visit without every item of the record is incomplete;
    # an item left empty is not ticked.
    i, key, when = period_visits(ctx)
    ticked = [ctx.attribute(i, item, "boolean") for item in CHECKLIST_ITEMS]
    return i, key, when, and_(*ticked), ticked


def checklist_complete_query(ctx):
    i, key, when, complete, _ = _checklist(ctx)
    return select(key, ctx.share(complete).label("value")).where(when).group_by(key)


def checklist_complete_rows(ctx):
    i, key, when, complete, ticked = _checklist(ctx)
    missing = literal("", String)
    for item, is_ticked in zip(CHECKLIST_ITEMS, ticked):
        missing = missing + case((is_ticked, literal("", String)), else_=literal(item + ", "))
    return rows_of(key, i.c.id, met_if(complete),
                   either(ctx, complete, "tobacco.kpi_checklist_complete",
                          "tobacco.kpi_checklist_incomplete", **visit_figures(ctx, i),
                          missing=func.rtrim(missing, ", "))).where(when)


def _price_checks(ctx):
    # rule TOB-PRICE: of the visits that checked prices, those on whose day no
    # price violation was recorded for the retailer.
    i, key, when = period_visits(ctx)
    p = ctx.tables.interactions.alias("same_day_violation")
    # The kind as an expression (the same rows): the lookup goes by the
    # retailer's index, where SQLite read every price violation ever recorded,
    # by the kind's index, for each visit (28 s at 100,000 customers).
    violated = (select(p.c.id)
                .where(p.c.customer_id == i.c.customer_id,
                       p.c.kind + literal("") == PRICE_VIOLATION,
                       ctx.date_of(p.c.occurred_at) == ctx.date_of(i.c.occurred_at))
                .correlate_except(p).exists())
    return i, key, and_(when, ctx.attribute(i, "price_checked", "boolean")), ~violated


def price_compliance_query(ctx):
    i, key, checked, clean = _price_checks(ctx)
    return select(key, ctx.share(clean).label("value")).where(checked).group_by(key)


def price_compliance_rows(ctx):
    i, key, checked, clean = _price_checks(ctx)
    return rows_of(key, i.c.id, met_if(clean),
                   either(ctx, clean, "tobacco.kpi_price_clean", "tobacco.kpi_price_violated",
                          **visit_figures(ctx, i))).where(checked)


def _suggestions(ctx, details: bool = False):
    """The period's visits with a suggestion, each with its first order: (rows, ordered, adopted).

    ``details``: with the visit's id and day, for the rows (the value's
    select carries nothing it does not aggregate).

    The first order (a day with cartons > 0) from the day after the visit
    through ``suggestion.days`` days after it, up to the as-of day, adopts
    the suggestion s when |cartons - s| <= tolerance x s, compared in
    integers: |cartons - s| x 10,000 <= tolerance in basis points x s.
    A visit with no such order has not been followed (yet).
    """
    i, key, when = period_visits(ctx)
    suggested = ctx.attribute(i, "suggested_cartons", "integer")
    sv = (select(key, *([i.c.id] if details else []), i.c.customer_id,
                 ctx.date_of(i.c.occurred_at).label("day"), suggested.label("suggested"))
          .where(when, suggested > 0)
          .subquery("suggestions"))
    m = ctx.tables.measurements.alias("next_order")
    first_day = (select(func.min(m.c.period))
                 .where(m.c.customer_id == sv.c.customer_id, m.c.metric == "cartons",
                        m.c.value > 0, m.c.period > sv.c.day,
                        m.c.period <= ctx.add_days(sv.c.day, int(ctx.config["suggestion.days"])),
                        m.c.period <= ctx.today)
                 .correlate_except(m).scalar_subquery())
    fv = (select(sv.c.scope_key, *([sv.c.id, sv.c.day] if details else []), sv.c.customer_id,
                 sv.c.suggested, first_day.label("first_day"))
          .subquery("first_orders"))
    o = ctx.tables.measurements.alias("first_order")
    ordered = (select(func.sum(o.c.value))
               .where(o.c.customer_id == fv.c.customer_id, o.c.metric == "cartons",
                      o.c.period == fv.c.first_day)
               .correlate_except(o).scalar_subquery())
    bp = int(round(float(ctx.config["suggestion.tolerance"]) * 10_000))
    adopted = func.abs(ordered - fv.c.suggested) * 10_000 <= fv.c.suggested * bp
    return fv, ordered, adopted


def suggestion_adoption_query(ctx):
    """Visits whose order suggestion the retailer's next order followed (see _suggestions)."""
    fv, _, adopted = _suggestions(ctx)
    return (select(fv.c.scope_key, ctx.share(adopted).label("value"))
            .group_by(fv.c.scope_key))


def suggestion_adoption_rows(ctx):
    fv, ordered, adopted = _suggestions(ctx, details=True)
    figures = dict(visit=fv.c.id, customer=fv.c.customer_id, day=cast(fv.c.day, String),
                   suggested=fv.c.suggested, first=cast(fv.c.first_day, String),
                   ordered=ordered, days=int(ctx.config["suggestion.days"]),
                   tolerance=float(ctx.config["suggestion.tolerance"]) * 100)
    reason = case((adopted, ctx.reason("tobacco.kpi_suggestion_adopted", **figures)),
                  (fv.c.first_day.is_not(None),
                   ctx.reason("tobacco.kpi_suggestion_not_adopted", **figures)),
                  else_=ctx.reason("tobacco.kpi_suggestion_no_order", **figures))
    return rows_of(fv.c.scope_key, fv.c.id, met_if(adopted), reason)
