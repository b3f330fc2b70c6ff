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

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select

from guanxi import Kpi
from guanxi.builtin import plan_kpis
from guanxi.service.cases import hours_between_sql
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


def _midnight(day: dt.date):
    return literal(dt.datetime.combine(day, dt.time()))


def _moment_in_period(ctx, column):
    """A datetime column in the period, before the end of the as-of day.

    The as-of day is at most the period's last day (the engine sees to it).
    """
    return and_(column >= _midnight(ctx.period.start),
                column < _midnight(ctx.as_of + dt.timedelta(days=1)))


def _day_in_period(ctx, column):
    """A date column (an order day, a report's due day) in the period, up to the as-of day."""
    return and_(column >= literal(ctx.period.start), column <= ctx.today)


def _ratio(numerator, denominator):
    # One float division of two integers: the same double on both databases.
    return cast(numerator, Float) / func.nullif(denominator, 0)


def _share(condition):
    return _ratio(func.sum(case((condition, 1), else_=0)), func.count())


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
        i.c.kind == kind, _moment_in_period(ctx, i.c.occurred_at), ctx.served(i.c.customer_id))


# -- TOB-PLAN ----------------------------------------------------------------------------
# The core's plan KPIs, for this cadence's visits only: the same definitions
# (due days up to the as-of day, by the manager planned for), not a copy.


def plan_completion_query(ctx):
    return plan_kpis.completion_query(ctx, cadence=PLAN_CADENCE)


def plan_on_day_query(ctx):
    return plan_kpis.on_day_query(ctx, cadence=PLAN_CADENCE)


# -- TOB-SPECIAL, TOB-CHECKLIST, TOB-PRICE --------------------------------------------------


def special_visits_query(ctx):
    i, key, when = _visits(ctx, SPECIAL_VISIT)
    return select(key, func.count().label("value")).where(when).group_by(key)


def checklist_complete_query(ctx):
    # rule TOB-CHECKLIST: a visit without every item of the record is incomplete;
    # an item left empty is not ticked.
    i, key, when = _visits(ctx)
    complete = and_(*[ctx.attribute(i, item, "boolean") for item in CHECKLIST_ITEMS])
    return select(key, _share(complete).label("value")).where(when).group_by(key)


def price_compliance_query(ctx):
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
    return (select(key, _share(~violated).label("value"))
            .where(when, ctx.attribute(i, "price_checked", "boolean"))
            .group_by(key))


def suggestion_adoption_query(ctx):
    """Visits whose order suggestion the retailer's next order followed.

    The first order (a day with cartons > 0) from the day after the visit
    through ``suggestion.days`` days after it, up to the as-of day, adopts
    the suggestion s when |cartons - s| <= tolerance x s, compared in
    integers: |cartons - s| x 10,000 <= tolerance in basis points x s.
    A visit with no such order has not been followed (yet).
    """
    i, key, when = _visits(ctx)
    suggested = ctx.attribute(i, "suggested_cartons", "integer")
    sv = (select(key, i.c.customer_id, ctx.date_of(i.c.occurred_at).label("day"),
                 suggested.label("suggested"))
          .where(when, suggested > 0)
          .subquery("suggestions"))
    m = ctx.tables.measurements.alias("next_order")
    first_day = (select(func.min(m.c.period))
                 .where(m.c.customer_id == sv.c.customer_id, m.c.metric == "cartons",
                        m.c.value > 0, m.c.period > sv.c.day,
                        m.c.period <= ctx.add_days(sv.c.day, int(ctx.config["suggestion.days"])),
                        m.c.period <= ctx.today)
                 .correlate_except(m).scalar_subquery())
    fv = (select(sv.c.scope_key, sv.c.customer_id, sv.c.suggested,
                 first_day.label("first_day"))
          .subquery("first_orders"))
    o = ctx.tables.measurements.alias("first_order")
    ordered = (select(func.sum(o.c.value))
               .where(o.c.customer_id == fv.c.customer_id, o.c.metric == "cartons",
                      o.c.period == fv.c.first_day)
               .correlate_except(o).scalar_subquery())
    bp = int(round(float(ctx.config["suggestion.tolerance"]) * 10_000))
    adopted = func.abs(ordered - fv.c.suggested) * 10_000 <= fv.c.suggested * bp
    return (select(fv.c.scope_key, _share(adopted).label("value"))
            .group_by(fv.c.scope_key))


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
    judged = and_(r.c.kind == MONTHLY_REPORT, _day_in_period(ctx, r.c.due_on),
                  (r.c.due_on < ctx.today) | r.c.submitted_at.is_not(None))
    return r, _author_key(ctx, r.c.author_id).label("scope_key"), judged


def reports_on_time_query(ctx):
    # rule TOB-REPORT: 每月5日前(节假日顺延); any time on the due day is on time.
    r, key, judged = _judged_reports(ctx)
    on_time = and_(r.c.submitted_at.is_not(None), r.c.late.is_(False))
    return select(key, _share(on_time).label("value")).where(judged).group_by(key)


def reports_reviewed_query(ctx):
    # rule TOB-REPORT: reviewed by the regional market manager, by the as-of day.
    r, key, judged = _judged_reports(ctx)
    reviewed = and_(r.c.reviewed_at.is_not(None),
                    r.c.reviewed_at < _midnight(ctx.as_of + dt.timedelta(days=1)))
    return select(key, _share(reviewed).label("value")).where(judged).group_by(key)


# -- TOB-QUALITY, TOB-PROMO (cases) ------------------------------------------------------------


def quality_hours_query(ctx):
    # rule TOB-QUALITY: as the core's mean resolution hours, for this policy only.
    c = ctx.tables.cases
    hours = hours_between_sql(ctx.dialect, c.c.opened_at, c.c.resolved_at) - c.c.paused_hours
    key = _key(ctx, c.c.customer_id)
    return (select(key, func.avg(hours).label("value"))
            .where(c.c.policy == QUALITY_POLICY, c.c.resolved_at.is_not(None),
                   _moment_in_period(ctx, c.c.resolved_at), ctx.served(c.c.customer_id))
            .group_by(key))


def promo_signed_query(ctx):
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
                     s.c.at < _midnight(ctx.as_of + dt.timedelta(days=1)))
              .correlate_except(s).exists())
    key = _key(ctx, c.c.customer_id)
    return (select(key, _share(signed).label("value"))
            .select_from(c.join(decided, decided.c.case_id == c.c.id))
            .where(c.c.policy == PROMOTION_POLICY, _moment_in_period(ctx, decided.c.decided_at),
                   ctx.served(c.c.customer_id))
            .group_by(key))


def promo_coverage_query(ctx):
    # rule TOB-PROMO: only grades 1 to promo.max_grade are eligible (限三级以上客户).
    # Grades are the labels "1", "2", ...: listed as text, none is cast.
    c, cs = ctx.tables.customers, ctx.tables.cases
    eligible = [str(g) for g in range(1, int(ctx.config["promo.max_grade"]) + 1)]
    promoted = (select(cs.c.customer_id)
                .where(cs.c.policy == PROMOTION_POLICY, _moment_in_period(ctx, cs.c.opened_at))
                .distinct().subquery("promoted"))
    key = _key(ctx, c.c.id)
    share = _ratio(func.count(promoted.c.customer_id), func.count())
    return (select(key, share.label("value"))
            .select_from(c.outerjoin(promoted, promoted.c.customer_id == c.c.id))
            .where(ctx.label(GRADE, c.c.id).in_(eligible),
                   c.c.created_at.is_(None) | (c.c.created_at <= ctx.today))
            .group_by(key))


# -- TOB-SURVEY ------------------------------------------------------------------------------


def satisfaction_index_query(ctx):
    # 满意度指数: the mean score (1-5) on 0-100, (mean - 1) / 4 x 100, computed as
    # (sum - n) x 100 / (4 n) so that only one division is made.
    i = ctx.tables.interactions
    score = ctx.attribute(i, "satisfaction", "integer")
    key = _key(ctx, i.c.customer_id)
    n = func.count()
    return (select(key, _ratio((func.sum(score) - n) * 100, n * 4).label("value"))
            .where(i.c.kind == SURVEY, score.is_not(None),
                   _moment_in_period(ctx, i.c.occurred_at), ctx.served(i.c.customer_id))
            .group_by(key))


def survey_actions_done_query(ctx):
    # rule TOB-SURVEY: the action tasks due in the period so far, cancelled ones aside;
    # a round's analysis (no customer) counts for its manager, team or territory.
    tk = ctx.tables.tasks
    key = (func.coalesce(tk.c.manager_id, "") if ctx.scope == "manager"
           else ctx.task_scope_key(tk)).label("scope_key")
    # Recorded within its days (a due day is on time all of it); a task
    # still inside them is not judged yet, one past them is late.
    on_time = ctx.task_on_time(tk)
    return (select(key, _share(on_time).label("value"))
            .where(tk.c.rule == SURVEY_RULE, _moment_in_period(ctx, tk.c.due_at),
                   or_(on_time, ctx.task_late(tk)))
            .group_by(key))


# -- orders: volume, growth, stock-outs -----------------------------------------------------------


def _same_span_a_year_earlier(ctx) -> tuple[dt.date, dt.date]:
    """(first, last) day of the period so far, a year earlier (29 February -> 28th)."""
    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)
    return back(ctx.period.start), back(ctx.as_of)


def cartons_query(ctx):
    m = ctx.tables.measurements
    key = _key(ctx, m.c.customer_id)
    return (select(key, cast(func.sum(m.c.value), Float).label("value"))
            .where(m.c.metric == "cartons", _day_in_period(ctx, m.c.period),
                   ctx.served(m.c.customer_id))
            .group_by(key))


def cartons_growth_query(ctx):
    # 同比: the period so far against the same days a year earlier, by the
    # retailers' scope key today; undefined without last year's cartons.
    m = ctx.tables.measurements
    first, last = _same_span_a_year_earlier(ctx)
    now = _day_in_period(ctx, m.c.period)
    then = and_(m.c.period >= literal(first), m.c.period <= literal(last))
    key = _key(ctx, m.c.customer_id)
    this_year = func.sum(case((now, m.c.value), else_=0))
    last_year = func.sum(case((then, m.c.value), else_=0))
    return (select(key, (cast(this_year - last_year, Float) / cast(last_year, Float))
                   .label("value"))
            .where(m.c.metric == "cartons", now | then, ctx.served(m.c.customer_id))
            .group_by(key)
            .having(last_year > 0))


def stockout_rate_query(ctx):
    # Stock-out days over order days, per retailer and day: a day with an
    # order (cartons > 0) is an order day; one of them with a shortfall > 0
    # is a stock-out day (a shortfall without an order is not counted).
    m = ctx.tables.measurements
    day = (select(m.c.customer_id,
                  func.sum(case((m.c.metric == "cartons", m.c.value), else_=0)).label("cartons"),
                  func.sum(case((m.c.metric == "shortfall", m.c.value), else_=0))
                  .label("shortfall"))
           .where(m.c.metric.in_(("cartons", "shortfall")), _day_in_period(ctx, m.c.period),
                  ctx.served(m.c.customer_id))
           .group_by(m.c.customer_id, m.c.period)
           .subquery("order_days"))
    key = _key(ctx, day.c.customer_id)
    return (select(key, _share(day.c.shortfall > 0).label("value"))
            .where(day.c.cartons > 0)
            .group_by(key))


def _k(name, title, query, unit, description, **extra) -> Kpi:
    return Kpi(name=f"tobacco.{name}", title=title, query=query, unit=unit,
               description=description, **extra)


KPIS = (
    # TOB-PLAN
    _k("plan_completion", "Visit plan completion", plan_completion_query, SHARE,
       "TOB-PLAN: share of the visits of the weekly schedule (《客户访问日程表》, cadence "
       "tobacco.plan) planned in the period up to the as-of day whose visit task is done; "
       "by manager for the manager planned for.", target=1.0),
    _k("plan_on_day", "Visits on the planned day", plan_on_day_query, SHARE,
       "TOB-PLAN (按期、按时): share of the visits of the weekly schedule planned in the "
       "period up to the as-of day made on the planned day (a visit to that retailer that "
       "day).", target=1.0),
    # TOB-SPECIAL
    _k("special_visits", "Special visits recorded", special_visits_query, "visits",
       "TOB-SPECIAL: special visits (《特殊访问记录》) recorded in the period, by the manager "
       "who made them. Shown, never a target: they follow the special situations.",
       empty=0, shown_only=True),
    # TOB-CHECKLIST
    _k("checklist_complete", "Visit records complete", checklist_complete_query, SHARE,
       "TOB-CHECKLIST: share of the period's visits whose record "
       "(《营销人员市场走访签到记录簿》) has all 8 items ticked, signatures included; by "
       "manager for the manager who visited.", target=1.0),
    # TOB-REPORT
    _k("reports_on_time", "Monthly reports on time", reports_on_time_query, SHARE,
       "TOB-REPORT: share of the monthly sales analysis reports (《客户月度销售情况分析报告》) "
       "due in the period up to the as-of day handed in by their due day (the 5th, moved "
       "past holidays); by author. One due on the as-of day and not yet in is judged the "
       "next day.", target=1.0, scopes=_MANAGED),
    _k("reports_reviewed", "Monthly reports reviewed", reports_reviewed_query, SHARE,
       "TOB-REPORT: share of the same monthly reports reviewed by the regional market "
       "manager by the as-of day; by author.", target=1.0, scopes=_MANAGED),
    # TOB-QUALITY
    _k("quality_hours", "Hours to close a quality complaint", quality_hours_query, "hours",
       "TOB-QUALITY: mean hours from opening to resolution (the result fed back) of the "
       "quality complaint cases (tobacco.quality) resolved in the period, paused time left "
       "out.", higher_is_better=False),
    # TOB-PROMO
    _k("promo_signed", "Promotion receipts signed", promo_signed_query, SHARE,
       "TOB-PROMO: of the promotion cases whose brand manager's decision (step decided) was "
       "first approved in the period, the share whose material the retailer has signed for "
       "(《宣传促销品签收单》, step material_signed) by the as-of day."),
    _k("promo_coverage", "Promotion coverage", promo_coverage_query, SHARE,
       "TOB-PROMO (default, ours): share of the retailers eligible for promotion (current "
       "tobacco.grade 1 to promo.max_grade, 限三级以上客户) with a promotion case opened in "
       "the period.", requires=(GRADE,)),
    # TOB-SURVEY
    _k("satisfaction_index", "Satisfaction index", satisfaction_index_query, "index 0-100",
       "TOB-SURVEY 满意度指数: the mean satisfaction score (1-5) of the period's surveys "
       "scaled to 0-100 as (mean - 1) / 4 x 100: 1 is 0, 3 is 50, 5 is 100."),
    _k("survey_actions_done", "Survey measures recorded", survey_actions_done_query, SHARE,
       "TOB-SURVEY: share of the measures tasks (rule tobacco.survey_actions: a round's "
       "analysis, a low answer's measures) due in the period up to the as-of day that were "
       "done by the end of their due day; tasks not yet due nor late are not judged, "
       "cancelled ones aside; by manager for the task's holder.", target=1.0),
    # sales (订货量) by manager and territory
    _k("cartons", "Cartons ordered", cartons_query, "carton",
       "Sales volume (the catalogue's KPIs, by manager and territory): cartons (条) "
       "ordered in the period up to the as-of day (metric cartons, one row per retailer "
       "and order day).", empty=0),
    _k("cartons_growth", "Cartons ordered, year on year", cartons_growth_query, SHARE,
       "Sales growth (the catalogue's KPIs, 同比): (cartons in the period up to the as-of "
       "day - cartons in the same days a year earlier) / the latter; undefined where last "
       "year had none."),
    # default, ours
    _k("stockout_rate", "Stock-out rate", stockout_rate_query, SHARE,
       "The catalogue's stock-out rate (default, ours): stock-out days (an order day with "
       "metric shortfall > 0) / order days (metric cartons > 0), per retailer and day, in "
       "the period up to the as-of day.",
       higher_is_better=False),
    _k("price_compliance", "Price compliance", price_compliance_query, SHARE,
       "TOB-PRICE (default, ours): share of the period's visits that checked prices "
       "(price_checked) with no price violation recorded for the retailer that day."),
    _k("suggestion_adoption", "Order suggestions adopted", suggestion_adoption_query, SHARE,
       "TOB-CHECKLIST (default, ours): share of the period's visits with an order suggestion "
       "(suggested_cartons > 0) whose retailer's first order in the suggestion.days days "
       "after the visit day was within suggestion.tolerance of it."),
)
