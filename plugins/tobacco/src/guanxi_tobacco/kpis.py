"""The tobacco KPIs (the Tobacco section of the sector catalogue, 第1篇 客户经理岗位职责).

Each is one set-based select of ``(scope_key, value)`` for the period
(``ctx.period``) up to the end of the as-of day, so a month under way is
judged on its days so far.

Whose figure it is:

- work a manager does (visits, special visits, the visit plan, tasks) counts
  by manager for the manager who did or holds it (the interaction's
  ``manager_id``, else the retailer's owner), as the core's plan and task
  KPIs count; by every other scope for the retailer's scope key;
- figures about retailers (orders, stock-outs, surveys, cases, promotions)
  count for the retailer's scope key (its owner, its owner's team, its
  territory);
- the monthly report (TOB-REPORT) counts for its author.

Rates over nothing are undefined (no row, ``empty`` None); counts are 0.
Every comparison that decides a boundary is made in integers (cartons
against a suggestion in basis points; satisfaction as sums and counts),
so that SQLite and PostgreSQL give the same values.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, String, and_, case, cast, func, literal, or_, select

from guanxi import Kpi
from guanxi_tobacco.options import (
    CHECKLIST_ITEMS,
    GRADE,
    MONTHLY_REPORT,
    PRICE_VIOLATION,
    SPECIAL_VISIT,
    SURVEY,
    VISIT,
)
from guanxi_tobacco.service import PROMOTION_POLICY, PROMOTION_SIGNED_STEP, QUALITY_POLICY

#: The visit cadence of TOB-PLAN (service.cadences); the core's plan KPIs
#: count every cadence, these only the tobacco schedule.
PLAN_CADENCE = "tobacco.plan"
#: The TOB-SURVEY rule whose tasks ask a manager to record the measures taken.
SURVEY_RULE = "tobacco.survey_actions"
#: The TOB-PROMO step that is the brand manager's decision.
PROMOTION_DECIDED_STEP = "decided"

SHARE = "share"
_MANAGED = ("all", "manager", "team", "territory")


# -- building blocks ------------------------------------------------------------------


def _key(ctx, customer_id):
    return ctx.scope_key(customer_id).label("scope_key")


def _work_key(ctx, manager_id, customer_id):
    """By manager: who did the work (else the retailer's owner); otherwise the retailer's key."""
    if ctx.scope == "manager":
        c = ctx.tables.customers.alias("work_owner")
        owner = (select(c.c.manager_id).where(c.c.id == customer_id)
                 .correlate_except(c).scalar_subquery())
        return func.coalesce(manager_id, owner).label("scope_key")
    return _key(ctx, customer_id)


def _visits(ctx, kind=VISIT):
    """(interactions, scope key, in-period condition) for interactions of ``kind``."""
    i = ctx.tables.interactions
    return i, _work_key(ctx, i.c.manager_id, i.c.customer_id), and_(
        i.c.kind == kind, ctx.in_period(i.c.occurred_at), ctx.served(i.c.customer_id))


# The rows behind a value: every KPI lists what it counts with ``rows``,
# built from the same pieces as its ``query`` (one helper per KPI), so that
# the two cannot drift; a share's rows add 1 (met) or 0 and weigh 1.


def _rows(key, row_id, figure, reason, weight=None):
    columns = [key.label("scope_key"), row_id.label("row_id"), figure.label("figure"),
               reason.label("reason")]
    return select(*columns, *([weight.label("weight")] if weight is not None else []))


def _met(condition):
    return case((condition, 1), else_=0)


def _either(ctx, condition, met, missed, **figures):
    """The reason ``met`` where ``condition`` holds, else ``missed``, with the same figures."""
    return case((condition, ctx.reason(met, **figures)), else_=ctx.reason(missed, **figures))


def _minute(ctx, column):
    return ctx.minute_text(column)


def _visit_figures(ctx, i):
    return dict(visit=i.c.id, customer=i.c.customer_id, day=ctx.date_of(i.c.occurred_at))


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
    i, key, when = _visits(ctx, SPECIAL_VISIT)
    return select(key, func.count().label("value")).where(when).group_by(key)


def special_visits_rows(ctx):
    i, key, when = _visits(ctx, SPECIAL_VISIT)
    return _rows(key, i.c.id, literal(1),
                 ctx.reason("tobacco.kpi_special_visit", visit=i.c.id, customer=i.c.customer_id,
                            at=_minute(ctx, i.c.occurred_at))).where(when)


def _checklist(ctx):
    # rule TOB-CHECKLIST: a visit without every item of the record is incomplete;
    # an item left empty is not ticked.
    i, key, when = _visits(ctx)
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
    return _rows(key, i.c.id, _met(complete),
                 _either(ctx, complete, "tobacco.kpi_checklist_complete",
                         "tobacco.kpi_checklist_incomplete", **_visit_figures(ctx, i),
                         missing=func.rtrim(missing, ", "))).where(when)


def _price_checks(ctx):
    # rule TOB-PRICE: of the visits that checked prices, those on whose day no
    # price violation was recorded for the retailer.
    i, key, when = _visits(ctx)
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
    return _rows(key, i.c.id, _met(clean),
                 _either(ctx, clean, "tobacco.kpi_price_clean", "tobacco.kpi_price_violated",
                         **_visit_figures(ctx, i))).where(checked)


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
    i, key, when = _visits(ctx)
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
    return _rows(fv.c.scope_key, fv.c.id, _met(adopted), reason)


# -- TOB-REPORT -------------------------------------------------------------------------------


def _author_key(ctx, author):
    """The scope key of a monthly report's author (a manager): the manager, team or territory."""
    m = ctx.tables.managers.alias("report_author")
    if ctx.scope == "manager":
        return author
    if ctx.scope == "team":
        return select(m.c.team_id).where(m.c.id == author).correlate_except(m).scalar_subquery()
    if ctx.scope == "territory":
        return (select(m.c.territory).where(m.c.id == author)
                .correlate_except(m).scalar_subquery())
    return literal("")


def _judged_reports(ctx):
    """Monthly reports due in the period up to the as-of day, whose fate is known.

    A report due on the as-of day itself and not yet in is not late yet (its
    due day is not over), so it waits for the next day to be judged.
    """
    r = ctx.tables.reports
    judged = and_(r.c.kind == MONTHLY_REPORT, ctx.in_period(r.c.due_on),
                  (r.c.due_on < ctx.today) | r.c.submitted_at.is_not(None))
    return r, _author_key(ctx, r.c.author_id).label("scope_key"), judged


def _report_on_time(r):
    # rule TOB-REPORT: 每月5日前(节假日顺延); any time on the due day is on time.
    return and_(r.c.submitted_at.is_not(None), r.c.late.is_(False))


def _report_reviewed(ctx, r):
    # rule TOB-REPORT: reviewed by the regional market manager, by the as-of day.
    return and_(r.c.reviewed_at.is_not(None),
                r.c.reviewed_at < ctx.at(ctx.as_of, 1))


def _report_figures(ctx, r):
    return dict(report=r.c.id, author=r.c.author_id, period=r.c.period,
                due=cast(r.c.due_on, String), submitted=_minute(ctx, r.c.submitted_at),
                reviewed=_minute(ctx, r.c.reviewed_at))


def reports_on_time_query(ctx):
    r, key, judged = _judged_reports(ctx)
    return select(key, ctx.share(_report_on_time(r)).label("value")).where(judged).group_by(key)


def reports_on_time_rows(ctx):
    r, key, judged = _judged_reports(ctx)
    on_time, figures = _report_on_time(r), _report_figures(ctx, r)
    reason = case((on_time, ctx.reason("tobacco.kpi_report_on_time", **figures)),
                  (r.c.submitted_at.is_not(None), ctx.reason("tobacco.kpi_report_late", **figures)),
                  else_=ctx.reason("tobacco.kpi_report_missing", **figures))
    return _rows(key, r.c.id, _met(on_time), reason).where(judged)


def reports_reviewed_query(ctx):
    r, key, judged = _judged_reports(ctx)
    return (select(key, ctx.share(_report_reviewed(ctx, r)).label("value"))
            .where(judged).group_by(key))


def reports_reviewed_rows(ctx):
    r, key, judged = _judged_reports(ctx)
    reviewed = _report_reviewed(ctx, r)
    return _rows(key, r.c.id, _met(reviewed),
                 _either(ctx, reviewed, "tobacco.kpi_report_reviewed",
                         "tobacco.kpi_report_not_reviewed", **_report_figures(ctx, r))
                 ).where(judged)


# -- TOB-QUALITY, TOB-PROMO (cases) ------------------------------------------------------------


def quality_hours_query(ctx):
    # rule TOB-QUALITY: as the core's mean resolution hours, for this policy only.
    return ctx.case_hours_mean(QUALITY_POLICY)


def quality_hours_rows(ctx):
    # Each case adds its hours and weighs 1: their mean is the value.
    d = ctx.case_hours(QUALITY_POLICY)
    return _rows(d.c.scope_key, d.c.id, d.c.hours,
                 ctx.reason("tobacco.kpi_quality_hours", case=d.c.id, customer=d.c.customer_id,
                            opened=_minute(ctx, d.c.opened_at),
                            resolved=_minute(ctx, d.c.done_at), paused=d.c.paused_hours,
                            hours=d.c.hours))


def _promotions_decided(ctx):
    # rule TOB-PROMO: of the promotions decided in the period (the brand
    # manager's first approval of the decision), those whose material the
    # retailer has signed for (《宣传促销品签收单》) by the as-of day.
    c, e = ctx.tables.cases, ctx.tables.case_events
    decided = (select(e.c.case_id, func.min(e.c.at).label("decided_at"))
               .where(e.c.action == "approve", e.c.step == PROMOTION_DECIDED_STEP)
               .group_by(e.c.case_id)
               .subquery("promotions_decided"))
    s = ctx.tables.case_events.alias("material_signed")
    signed = (select(s.c.id)
              .where(s.c.case_id == c.c.id, s.c.action == "approve",
                     s.c.step == PROMOTION_SIGNED_STEP,
                     s.c.at < ctx.at(ctx.as_of, 1))
              .correlate_except(s).exists())
    return (c, decided, _key(ctx, c.c.customer_id), signed,
            c.join(decided, decided.c.case_id == c.c.id),
            and_(c.c.policy == PROMOTION_POLICY, ctx.in_period(decided.c.decided_at),
                 ctx.served(c.c.customer_id)))


def promo_signed_query(ctx):
    c, decided, key, signed, source, within = _promotions_decided(ctx)
    return (select(key, ctx.share(signed).label("value"))
            .select_from(source).where(within).group_by(key))


def promo_signed_rows(ctx):
    c, decided, key, signed, source, within = _promotions_decided(ctx)
    return (_rows(key, c.c.id, _met(signed),
                  _either(ctx, signed, "tobacco.kpi_promo_signed", "tobacco.kpi_promo_unsigned",
                          case=c.c.id, customer=c.c.customer_id,
                          decided=_minute(ctx, decided.c.decided_at)))
            .select_from(source).where(within))


def _promo_eligible(ctx):
    # rule TOB-PROMO: only grades 1 to promo.max_grade are eligible (限三级以上客户).
    # Grades are the labels "1", "2", ...: listed as text, none is cast.
    c, cs = ctx.tables.customers, ctx.tables.cases
    eligible = [str(g) for g in range(1, int(ctx.config["promo.max_grade"]) + 1)]
    promoted = (select(cs.c.customer_id)
                .where(cs.c.policy == PROMOTION_POLICY, ctx.in_period(cs.c.opened_at))
                .distinct().subquery("promoted"))
    return (c, promoted, _key(ctx, c.c.id),
            c.outerjoin(promoted, promoted.c.customer_id == c.c.id),
            and_(ctx.label(GRADE, c.c.id).in_(eligible),
                 c.c.created_at.is_(None) | (c.c.created_at <= ctx.today)))


def promo_coverage_query(ctx):
    c, promoted, key, source, eligible = _promo_eligible(ctx)
    share = ctx.ratio(func.count(promoted.c.customer_id), func.count())
    return select(key, share.label("value")).select_from(source).where(eligible).group_by(key)


def promo_coverage_rows(ctx):
    c, promoted, key, source, eligible = _promo_eligible(ctx)
    reached = promoted.c.customer_id.is_not(None)
    return (_rows(key, c.c.id, _met(reached),
                  _either(ctx, reached, "tobacco.kpi_promo_covered",
                          "tobacco.kpi_promo_not_covered", customer=c.c.id, name=c.c.name,
                          grade=ctx.label(GRADE, c.c.id)))
            .select_from(source).where(eligible))


# -- TOB-SURVEY ------------------------------------------------------------------------------


def _surveys(ctx):
    i = ctx.tables.interactions
    score = ctx.attribute(i, "satisfaction", "integer")
    return i, _key(ctx, i.c.customer_id), score, and_(
        i.c.kind == SURVEY, score.is_not(None), ctx.in_period(i.c.occurred_at),
        ctx.served(i.c.customer_id))


def satisfaction_index_query(ctx):
    # 满意度指数: the mean score (1-5) on 0-100, (mean - 1) / 4 x 100, computed as
    # (sum - n) x 100 / (4 n) so that only one division is made.
    i, key, score, surveyed = _surveys(ctx)
    n = func.count()
    return (select(key, ctx.ratio((func.sum(score) - n) * 100, n * 4).label("value"))
            .where(surveyed).group_by(key))


def satisfaction_index_rows(ctx):
    # Each survey adds its score on 0-100, (score - 1) x 25, and weighs 1:
    # their mean is the index.
    i, key, score, surveyed = _surveys(ctx)
    points = cast((score - 1) * 25, Float)
    return _rows(key, i.c.id, points,
                 ctx.reason("tobacco.kpi_survey", survey=i.c.id, customer=i.c.customer_id,
                            day=ctx.date_of(i.c.occurred_at), score=score, points=points)
                 ).where(surveyed)


def _survey_actions(ctx):
    # rule TOB-SURVEY: the action tasks due in the period so far, cancelled ones aside;
    # a round's analysis (no customer) counts for its manager, team or territory.
    tk = ctx.tables.tasks
    key = (func.coalesce(tk.c.manager_id, "") if ctx.scope == "manager"
           else ctx.task_scope_key(tk)).label("scope_key")
    # Recorded within its days (a due day is on time all of it); a task
    # still inside them is not judged yet, one past them is late.
    on_time = ctx.task_on_time(tk)
    return tk, key, on_time, and_(tk.c.rule == SURVEY_RULE,
                                  ctx.in_period(tk.c.due_at),
                                  or_(on_time, ctx.task_late(tk)))


def survey_actions_done_query(ctx):
    tk, key, on_time, judged = _survey_actions(ctx)
    return select(key, ctx.share(on_time).label("value")).where(judged).group_by(key)


def survey_actions_done_rows(ctx):
    tk, key, on_time, judged = _survey_actions(ctx)
    return _rows(key, tk.c.id, _met(on_time),
                 _either(ctx, on_time, "tobacco.kpi_survey_task_on_time",
                         "tobacco.kpi_survey_task_late", task=tk.c.id, manager=tk.c.manager_id,
                         about=func.coalesce(tk.c.customer_id, "the round's analysis"),
                         due=ctx.date_of(tk.c.due_at), status=tk.c.status,
                         done=_minute(ctx, tk.c.closed_at))).where(judged)


# -- orders: volume, growth, stock-outs -----------------------------------------------------------


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
    return m, _key(ctx, m.c.customer_id), and_(
        m.c.metric == "cartons", ctx.in_period(m.c.period), ctx.served(m.c.customer_id))


def cartons_query(ctx):
    m, key, ordered = _cartons(ctx)
    return select(key, cast(func.sum(m.c.value), Float).label("value")).where(ordered).group_by(key)


def cartons_rows(ctx):
    m, key, ordered = _cartons(ctx)
    return _rows(key, _order_id(m), cast(m.c.value, Float),
                 ctx.reason("tobacco.kpi_cartons", customer=m.c.customer_id,
                            day=cast(m.c.period, String), cartons=m.c.value)).where(ordered)


def _cartons_both_years(ctx):
    # 同比: the period so far against the same days a year earlier, by the
    # retailers' scope key today; undefined without last year's cartons.
    m = ctx.tables.measurements
    first, last = _same_span_a_year_earlier(ctx)
    now = ctx.in_period(m.c.period)
    then = and_(m.c.period >= literal(first), m.c.period <= literal(last))
    return m, _key(ctx, m.c.customer_id), now, then, and_(
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
                   _either(ctx, now, "tobacco.kpi_cartons_this_year",
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
    return day, _key(ctx, day.c.customer_id), day.c.shortfall > 0


def stockout_rate_query(ctx):
    day, key, short = _order_days(ctx)
    return select(key, ctx.share(short).label("value")).where(day.c.cartons > 0).group_by(key)


def stockout_rate_rows(ctx):
    day, key, short = _order_days(ctx, details=True)
    return _rows(key, _order_id(day), _met(short),
                 _either(ctx, short, "tobacco.kpi_stockout", "tobacco.kpi_no_stockout",
                         customer=day.c.customer_id, day=cast(day.c.period, String),
                         cartons=day.c.cartons, shortfall=day.c.shortfall)
                 ).where(day.c.cartons > 0)


def _both(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


_VISIT = "visit {visit} to {customer} on {day}"
_VISIT_ZH = "{day} 拜访 {customer}（{visit}）"
_REPORT = "report {report} of {author} for {period}, due {due}"
_REPORT_ZH = "{author} 的 {period} 月报（{report}），应于 {due} 前提交"
#: The templates of the rows' reasons (the plan KPIs' are the core's, which
#: the core's own plan KPIs declare for every workspace).
ROW_REASONS = {
    "tobacco.kpi_special_visit": _both("special visit {visit} to {customer} at {at}",
                                       "特殊访问 {visit}：{customer}，{at}"),
    "tobacco.kpi_checklist_complete": _both(_VISIT + ": all 8 items ticked",
                                            _VISIT_ZH + "：8 项全部勾选"),
    "tobacco.kpi_checklist_incomplete": _both(_VISIT + ": not ticked: {missing}",
                                              _VISIT_ZH + "：未勾选：{missing}"),
    "tobacco.kpi_price_clean": _both(_VISIT + ": prices checked, no violation recorded that day",
                                     _VISIT_ZH + "：已检查价格，当天无价格违规"),
    "tobacco.kpi_price_violated": _both(_VISIT + ": prices checked, a price violation recorded "
                                        "that day", _VISIT_ZH + "：已检查价格，当天有价格违规"),
    "tobacco.kpi_suggestion_adopted": _both(
        _VISIT + ": suggested {suggested} cartons; first order {first}, {ordered} cartons: "
        "within {tolerance}%", _VISIT_ZH + "：建议 {suggested} 条；首次订货 {first}，{ordered} "
        "条：在 {tolerance}% 以内"),
    "tobacco.kpi_suggestion_not_adopted": _both(
        _VISIT + ": suggested {suggested} cartons; first order {first}, {ordered} cartons: "
        "more than {tolerance}% off", _VISIT_ZH + "：建议 {suggested} 条；首次订货 {first}，"
        "{ordered} 条：偏差超过 {tolerance}%"),
    "tobacco.kpi_suggestion_no_order": _both(
        _VISIT + ": suggested {suggested} cartons; no order in the {days} days after it yet",
        _VISIT_ZH + "：建议 {suggested} 条；其后 {days} 天内尚无订货"),
    "tobacco.kpi_report_on_time": _both(_REPORT + ": handed in {submitted}, on time",
                                        _REPORT_ZH + "：{submitted} 提交，按时"),
    "tobacco.kpi_report_late": _both(_REPORT + ": handed in {submitted}, late",
                                     _REPORT_ZH + "：{submitted} 提交，逾期"),
    "tobacco.kpi_report_missing": _both(_REPORT + ": not handed in", _REPORT_ZH + "：未提交"),
    "tobacco.kpi_report_reviewed": _both(_REPORT + ": reviewed {reviewed}",
                                         _REPORT_ZH + "：{reviewed} 已审阅"),
    "tobacco.kpi_report_not_reviewed": _both(_REPORT + ": not reviewed yet",
                                             _REPORT_ZH + "：尚未审阅"),
    "tobacco.kpi_quality_hours": _both(
        "quality case {case} of {customer}: opened {opened}, resolved {resolved}, {paused} "
        "paused hours left out: {hours} hours", "质量投诉 {case}（{customer}）：{opened} 受理，"
        "{resolved} 办结，扣除暂停 {paused} 小时：{hours} 小时"),
    "tobacco.kpi_promo_signed": _both(
        "promotion case {case} of {customer}, decided {decided}: material signed for",
        "促销案件 {case}（{customer}），{decided} 决定：促销品已签收"),
    "tobacco.kpi_promo_unsigned": _both(
        "promotion case {case} of {customer}, decided {decided}: material not signed for yet",
        "促销案件 {case}（{customer}），{decided} 决定：促销品尚未签收"),
    "tobacco.kpi_promo_covered": _both(
        "retailer {customer} ({name}), grade {grade}: a promotion opened in the period",
        "零售户 {customer}（{name}），{grade} 档：期内有促销"),
    "tobacco.kpi_promo_not_covered": _both(
        "retailer {customer} ({name}), grade {grade}: no promotion opened in the period",
        "零售户 {customer}（{name}），{grade} 档：期内无促销"),
    "tobacco.kpi_survey": _both(
        "survey {survey} of {customer} on {day}: score {score} of 5, {points} on 0-100",
        "{day} 调查 {customer}（{survey}）：{score} 分（满分 5），折合 {points}"),
    "tobacco.kpi_survey_task_on_time": _both(
        "task {task} of {manager} ({about}), due {due}: measures recorded {done}, on time",
        "任务 {task}（{manager}，{about}），应于 {due} 完成：{done} 已记录措施，按时"),
    "tobacco.kpi_survey_task_late": _both(
        "task {task} of {manager} ({about}), due {due}: {status}, late (done {done})",
        "任务 {task}（{manager}，{about}），应于 {due} 完成：{status}，逾期（完成于 {done}）"),
    "tobacco.kpi_cartons": _both("{customer} ordered {cartons} cartons on {day}",
                                 "{customer} {day} 订货 {cartons} 条"),
    "tobacco.kpi_cartons_this_year": _both(
        "{customer} ordered {cartons} cartons on {day}: this year, added",
        "{customer} {day} 订货 {cartons} 条：本期，计入"),
    "tobacco.kpi_cartons_last_year": _both(
        "{customer} ordered {cartons} cartons on {day}: a year earlier, the base (taken away "
        "and weighed)", "{customer} {day} 订货 {cartons} 条：去年同期，作为基数"),
    "tobacco.kpi_stockout": _both(
        "{customer} on {day}: ordered {cartons} cartons, {shortfall} short: a stock-out day",
        "{customer} {day}：订货 {cartons} 条，缺 {shortfall} 条：断货日"),
    "tobacco.kpi_no_stockout": _both(
        "{customer} on {day}: ordered {cartons} cartons, none short",
        "{customer} {day}：订货 {cartons} 条，未断货"),
}


def _k(name, title, query, unit, description, *, rows, row_kind, combine="ratio",
       **extra) -> Kpi:
    return Kpi(name=f"tobacco.{name}", title=title, query=query, unit=unit,
               description=description, rows=rows, row_kind=row_kind, combine=combine,
               reasons=ROW_REASONS, **extra)


KPIS = (
    # TOB-PLAN
    _k("plan_completion", "Visit plan completion", plan_completion_query, SHARE,
       "TOB-PLAN: share of the visits of the weekly schedule (《客户访问日程表》, cadence "
       "tobacco.plan) planned in the period up to the as-of day whose visit task is done; "
       "by manager for the manager planned for.", target=1.0,
       rows=plan_completion_rows, row_kind="visit"),
    _k("plan_on_day", "Visits on the planned day", plan_on_day_query, SHARE,
       "TOB-PLAN (按期、按时): share of the visits of the weekly schedule planned in the "
       "period up to the as-of day made on the planned day (a visit to that retailer that "
       "day).", target=1.0,
       rows=plan_on_day_rows, row_kind="visit"),
    # TOB-SPECIAL
    _k("special_visits", "Special visits recorded", special_visits_query, "visits",
       "TOB-SPECIAL: special visits (《特殊访问记录》) recorded in the period, by the manager "
       "who made them. Shown, never a target: they follow the special situations.",
       empty=0, shown_only=True,
       rows=special_visits_rows, row_kind="interaction", combine="sum"),
    # TOB-CHECKLIST
    _k("checklist_complete", "Visit records complete", checklist_complete_query, SHARE,
       "TOB-CHECKLIST: share of the period's visits whose record "
       "(《营销人员市场走访签到记录簿》) has all 8 items ticked, signatures included; by "
       "manager for the manager who visited.", target=1.0,
       rows=checklist_complete_rows, row_kind="interaction"),
    # TOB-REPORT
    _k("reports_on_time", "Monthly reports on time", reports_on_time_query, SHARE,
       "TOB-REPORT: share of the monthly sales analysis reports (《客户月度销售情况分析报告》) "
       "due in the period up to the as-of day handed in by their due day (the 5th, moved "
       "past holidays); by author. One due on the as-of day and not yet in is judged the "
       "next day.", target=1.0, scopes=_MANAGED,
       rows=reports_on_time_rows, row_kind="report"),
    _k("reports_reviewed", "Monthly reports reviewed", reports_reviewed_query, SHARE,
       "TOB-REPORT: share of the same monthly reports reviewed by the regional market "
       "manager by the as-of day; by author.", target=1.0, scopes=_MANAGED,
       rows=reports_reviewed_rows, row_kind="report"),
    # TOB-QUALITY
    _k("quality_hours", "Hours to close a quality complaint", quality_hours_query, "hours",
       "TOB-QUALITY: mean hours from opening to resolution (the result fed back) of the "
       "quality complaint cases (tobacco.quality) resolved in the period, paused time left "
       "out.", higher_is_better=False,
       rows=quality_hours_rows, row_kind="case"),
    # TOB-PROMO
    _k("promo_signed", "Promotion receipts signed", promo_signed_query, SHARE,
       "TOB-PROMO: of the promotion cases whose brand manager's decision (step decided) was "
       "first approved in the period, the share whose material the retailer has signed for "
       "(《宣传促销品签收单》, step material_signed) by the as-of day.",
       rows=promo_signed_rows, row_kind="case"),
    _k("promo_coverage", "Promotion coverage", promo_coverage_query, SHARE,
       "TOB-PROMO (default, ours): share of the retailers eligible for promotion (current "
       "tobacco.grade 1 to promo.max_grade, 限三级以上客户) with a promotion case opened in "
       "the period.", requires=(GRADE,),
       rows=promo_coverage_rows, row_kind="customer"),
    # TOB-SURVEY
    _k("satisfaction_index", "Satisfaction index", satisfaction_index_query, "index 0-100",
       "TOB-SURVEY 满意度指数: the mean satisfaction score (1-5) of the period's surveys "
       "scaled to 0-100 as (mean - 1) / 4 x 100: 1 is 0, 3 is 50, 5 is 100.",
       rows=satisfaction_index_rows, row_kind="interaction"),
    _k("survey_actions_done", "Survey measures recorded", survey_actions_done_query, SHARE,
       "TOB-SURVEY: share of the measures tasks (rule tobacco.survey_actions: a round's "
       "analysis, a low answer's measures) due in the period up to the as-of day that were "
       "done by the end of their due day; tasks not yet due nor late are not judged, "
       "cancelled ones aside; by manager for the task's holder.", target=1.0,
       rows=survey_actions_done_rows, row_kind="task"),
    # sales (订货量) by manager and territory
    _k("cartons", "Cartons ordered", cartons_query, "carton",
       "Sales volume (the catalogue's KPIs, by manager and territory): cartons (条) "
       "ordered in the period up to the as-of day (metric cartons, one row per retailer "
       "and order day).", empty=0,
       rows=cartons_rows, row_kind="measurement", combine="sum"),
    _k("cartons_growth", "Cartons ordered, year on year", cartons_growth_query, SHARE,
       "Sales growth (the catalogue's KPIs, 同比): (cartons in the period up to the as-of "
       "day - cartons in the same days a year earlier) / the latter; undefined where last "
       "year had none.",
       rows=cartons_growth_rows, row_kind="measurement"),
    # default, ours
    _k("stockout_rate", "Stock-out rate", stockout_rate_query, SHARE,
       "The catalogue's stock-out rate (default, ours): stock-out days (an order day with "
       "metric shortfall > 0) / order days (metric cartons > 0), per retailer and day, in "
       "the period up to the as-of day.",
       higher_is_better=False,
       rows=stockout_rate_rows, row_kind="measurement"),
    _k("price_compliance", "Price compliance", price_compliance_query, SHARE,
       "TOB-PRICE (default, ours): share of the period's visits that checked prices "
       "(price_checked) with no price violation recorded for the retailer that day.",
       rows=price_compliance_rows, row_kind="interaction"),
    _k("suggestion_adoption", "Order suggestions adopted", suggestion_adoption_query, SHARE,
       "TOB-CHECKLIST (default, ours): share of the period's visits with an order suggestion "
       "(suggested_cartons > 0) whose retailer's first order in the suggestion.days days "
       "after the visit day was within suggestion.tolerance of it.",
       rows=suggestion_adoption_rows, row_kind="interaction"),
)
