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

The selects live by subject: :mod:`guanxi_tobacco.kpi_blocks` (the pieces
they share), :mod:`guanxi_tobacco.kpi_visits` (TOB-PLAN, TOB-SPECIAL,
TOB-CHECKLIST, TOB-PRICE), :mod:`guanxi_tobacco.kpi_reports` (TOB-REPORT),
:mod:`guanxi_tobacco.kpi_cases` (TOB-QUALITY, TOB-PROMO),
:mod:`guanxi_tobacco.kpi_surveys` (TOB-SURVEY), :mod:`guanxi_tobacco.kpi_orders`
(orders); the rows' reasons are in :mod:`guanxi_tobacco.kpi_reasons`. This
module declares the KPIs.
"""

from __future__ import annotations

from guanxi import Kpi
from guanxi_tobacco.kpi_cases import (
    promo_coverage_query,
    promo_coverage_rows,
    promo_signed_query,
    promo_signed_rows,
    quality_hours_query,
    quality_hours_rows,
)
from guanxi_tobacco.kpi_orders import (
    cartons_growth_query,
    cartons_growth_rows,
    cartons_query,
    cartons_rows,
    stockout_rate_query,
    stockout_rate_rows,
)
from guanxi_tobacco.kpi_reasons import ROW_REASONS
from guanxi_tobacco.kpi_reports import (
    reports_on_time_query,
    reports_on_time_rows,
    reports_reviewed_query,
    reports_reviewed_rows,
)
from guanxi_tobacco.kpi_surveys import (
    satisfaction_index_query,
    satisfaction_index_rows,
    survey_actions_done_query,
    survey_actions_done_rows,
)
from guanxi_tobacco.kpi_visits import (
    checklist_complete_query,
    checklist_complete_rows,
    plan_completion_query,
    plan_completion_rows,
    plan_on_day_query,
    plan_on_day_rows,
    price_compliance_query,
    price_compliance_rows,
    special_visits_query,
    special_visits_rows,
    suggestion_adoption_query,
    suggestion_adoption_rows,
)
from guanxi_tobacco.options import GRADE


SHARE = "share"
_MANAGED = ("all", "manager", "team", "territory")


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
