"""The tobacco KPIs with exact values and their boundaries (TOB-PLAN, TOB-SPECIAL,
TOB-CHECKLIST, TOB-REPORT, TOB-QUALITY, TOB-PROMO, TOB-SURVEY, TOB-PRICE; sales,
stock-outs and order suggestions). As of Tuesday 2026-11-24, period 2026-11."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert
from tobacco_kit import AS_OF, Wholesaler

from guanxi.storage import service_tables as st
from guanxi.storage import tables as t
from guanxi_tobacco.options import MONTHLY_REPORT


def _kpi(ws, name, by="all", period="2026-11", as_of=AS_OF):
    return {v.scope_key: v.value for v in ws.kpi([name], period=period, by=by, as_of=as_of)}


def _at(day: int, hour: int = 10, month: int = 11, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour)


def _day(day: int, month: int = 11, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def _planned(ws, customer_id, day: dt.date, manager_id="M1", cadence="tobacco.plan"):
    """One planned visit as the planner writes it: an open visit task and its plan row.

    Written directly, so that the plan KPIs are tested apart from TOB-GRADE's
    labels, which the planner plans by.
    """
    year, week, _ = day.isocalendar()
    label = f"{year}-W{week:02d}"
    with ws.engine.begin() as conn:
        task_id = conn.execute(insert(t.tasks).values(
            rule=cadence, customer_id=customer_id, manager_id=manager_id, kind="visit",
            due_at=dt.datetime.combine(day, dt.time()), status="open", reason="planned",
            dedupe_key=label, created_at=dt.datetime(2026, 11, 1))).inserted_primary_key[0]
        conn.execute(insert(st.plan_visits).values(
            cadence=cadence, week=label, manager_id=manager_id, day=day,
            customer_id=customer_id, territory="east", reason="planned", task_id=task_id,
            visit_kinds="visit"))


def _task(ws, customer_id, rule, due: dt.datetime, status="open", manager_id="M1"):
    with ws.engine.begin() as conn:
        conn.execute(insert(t.tasks).values(
            rule=rule, customer_id=customer_id, manager_id=manager_id, kind="task",
            due_at=due, status=status, reason="measures", dedupe_key=due.isoformat(),
            created_at=dt.datetime(2026, 10, 1),
            closed_at=None if status == "open" else due))


def _grade(ws, customer_id, label):
    """A current TOB-GRADE label, as a segmentation run leaves it.

    Written directly so that promotion coverage is tested apart from the
    comprehensive evaluation's inputs.
    """
    with ws.engine.begin() as conn:
        conn.execute(insert(t.segments).values(
            segmentation="tobacco.grade", customer_id=customer_id, label=label, score=None,
            reason="test", as_of=AS_OF))


@pytest.fixture
def m2(shop):
    shop.manager("M2", reports_to="R1", territory="west")
    return shop


# -- TOB-PLAN ------------------------------------------------------------------------------


def test_plan_completion_and_on_day_count_the_tobacco_schedule_only(ws, m2):
    shop = m2
    for cid in "ABCDEFG":
        shop.retailer(cid)
    _planned(ws, "A", _day(16))                    # visited that day: done, on the day
    _planned(ws, "B", _day(17))                    # visited on the 19th: done, not on the day
    _planned(ws, "C", _day(18))                    # not visited
    _planned(ws, "D", AS_OF)                       # the as-of day counts
    _planned(ws, "E", _day(25))                    # not yet come: not judged
    _planned(ws, "F", _day(20), manager_id="M2")   # M2's, not visited
    _planned(ws, "G", _day(17), cadence="core.visits")   # another cadence
    shop.visit("VA", "A", _at(16))
    shop.visit("VB", "B", _at(19))
    shop.visit("VD", "D", _at(24, 9))
    assert _kpi(ws, "tobacco.plan_completion") == {"": 0.6}            # A, B, D of 5
    assert _kpi(ws, "tobacco.plan_on_day") == {"": 0.4}                # A, D of 5
    assert _kpi(ws, "tobacco.plan_completion", by="manager") == {"M1": 0.75, "M2": 0.0}
    assert _kpi(ws, "tobacco.plan_on_day", by="manager") == {"M1": 0.5, "M2": 0.0}
    # The core's KPI counts every cadence: G's missed visit too.
    assert _kpi(ws, "core.plan_completion") == {"": 0.5}
    # Nothing planned: undefined, not 0.
    assert _kpi(ws, "tobacco.plan_completion", period="2026-10") == {}


# -- TOB-SPECIAL, TOB-CHECKLIST -----------------------------------------------------------------


def test_special_visits_are_counted_for_who_made_them(ws, m2):
    shop = m2
    shop.retailer("S1")
    shop.interaction("SV1", "S1", "special_visit", _at(3), manager_id="M2")
    shop.interaction("SV2", "S1", "special_visit", _at(20))          # no manager: the owner
    shop.interaction("SV3", "S1", "special_visit", _at(30, month=10), manager_id="M1")
    shop.interaction("SV4", "S1", "special_visit", _at(25), manager_id="M1")   # after as-of
    shop.visit("V1", "S1", _at(4))                                     # not a special visit
    assert _kpi(ws, "tobacco.special_visits") == {"": 2}
    assert _kpi(ws, "tobacco.special_visits", by="manager") == {"M1": 1, "M2": 1}
    assert _kpi(ws, "tobacco.special_visits", period="2026-09") == {"": 0}
    # Shown, never a target (they follow the special situations).
    (row,) = ws.kpi(["tobacco.special_visits"], period="2026-11", as_of=AS_OF)
    assert row.target is None


def test_a_visit_is_complete_only_with_all_eight_checklist_items(ws, m2):
    # rule TOB-CHECKLIST
    shop = m2
    shop.retailer("S1")
    shop.visit("V1", "S1", _at(2))                                     # all 8 ticked
    shop.visit("V2", "S1", _at(3), manager_id="M2", retailer_signed=False)
    shop.visit("V3", "S1", _at(4), price_checked=None)                 # an item left empty
    shop.visit("V4", "S1", _at(30, month=10))                          # October
    shop.visit("V5", "S1", _at(25))                                    # after the as-of day
    shop.interaction("SV1", "S1", "special_visit", _at(5))             # not a visit
    assert _kpi(ws, "tobacco.checklist_complete") == {"": 1 / 3}
    assert _kpi(ws, "tobacco.checklist_complete", by="manager") == {"M1": 0.5, "M2": 0.0}
    (row,) = ws.kpi(["tobacco.checklist_complete"], period="2026-11", as_of=AS_OF)
    assert row.target == 1.0                                           # every visit (§4.1.3-4)


# -- TOB-PRICE, order suggestions ---------------------------------------------------------------


def test_price_compliance_is_a_checked_visit_without_a_violation_that_day(ws, shop):
    # rule TOB-PRICE
    for cid in ("S1", "S2", "S3", "S4"):
        shop.retailer(cid)
    violation = dict(manager_id="M1", brand="中华(硬)", retail_price=440, guide_price=450)
    shop.visit("V1", "S1", _at(10))                                    # clean
    shop.visit("V2", "S2", _at(11))
    shop.interaction("P2", "S2", "price_violation", _at(11, 16), **violation)   # same day
    shop.visit("V3", "S3", _at(12))
    shop.interaction("P3", "S3", "price_violation", _at(13, 9), **violation)    # next day
    shop.visit("V4", "S4", _at(12), price_checked=False)               # prices not checked
    assert _kpi(ws, "tobacco.price_compliance") == {"": 2 / 3}


def test_an_order_within_the_tolerance_of_the_suggestion_adopts_it(ws, shop):
    # Defaults: the first order in the 7 days after the visit, within 10% (2 of 20 cartons).
    for cid in "ABCDEFG":
        shop.retailer(cid)
    for cid in "ABCD":
        shop.visit(f"V{cid}", cid, _at(2), suggested_cartons=20)
    shop.orders("A", {"2026-11-02": 50, "2026-11-05": 22})  # same day not counted; 22 at the edge
    shop.orders("B", {"2026-11-05": 23, "2026-11-06": 20})  # one carton more; only the first counts
    shop.orders("C", {"2026-11-04": 0, "2026-11-09": 18})   # 0 is no order; day 7 is in the window
    shop.orders("D", {"2026-11-10": 20})                    # day 8: too late
    shop.visit("VE", "E", _at(3), suggested_cartons=0)      # no suggestion
    shop.visit("VF", "F", _at(3))
    shop.visit("VG", "G", _at(20), suggested_cartons=10)
    shop.orders("G", {"2026-11-25": 10})                    # after the as-of day
    assert _kpi(ws, "tobacco.suggestion_adoption") == {"": 0.4}        # A, C of A, B, C, D, G
    assert _kpi(ws, "tobacco.suggestion_adoption", as_of=dt.date(2026, 11, 30)) == {"": 0.6}


def test_the_suggestion_window_and_tolerance_are_settings(make_workspace):
    ws = make_workspace(packs=["tobacco"],
                        settings={"tobacco.suggestion": {"days": 3, "tolerance": 0.15}})
    shop = Wholesaler(ws)
    shop.manager("M1")
    shop.retailer("A")
    shop.retailer("B")
    shop.visit("VA", "A", _at(2), suggested_cartons=20)
    shop.visit("VB", "B", _at(2), suggested_cartons=20)
    shop.orders("A", {"2026-11-05": 23})                    # 15% over, day 3: adopted
    shop.orders("B", {"2026-11-06": 20})                    # day 4: outside 3 days
    assert _kpi(ws, "tobacco.suggestion_adoption") == {"": 0.5}


# -- TOB-REPORT --------------------------------------------------------------------------------


def test_monthly_reports_on_time_and_reviewed_by_author(ws, m2):
    shop = m2
    shop.manager("M3", reports_to="R1", territory="west")
    shop.manager("M4", reports_to="R1", territory="east")
    # October's reports are due Thursday 5 November (TOB-REPORT: 每月5日前).
    (due,) = {r.due_on for r in ws.expect_reports(MONTHLY_REPORT, ["M1", "M2", "M3"], "2026-10")}
    assert due == _day(5)
    ws.submit_report(MONTHLY_REPORT, "M1", "2026-10", at=_at(5, 23))   # on the due day: on time
    ws.submit_report(MONTHLY_REPORT, "M2", "2026-10", at=_at(6, 9))    # a day later: late
    ws.review_report(MONTHLY_REPORT, "M1", "2026-10", by="R1", at=_at(9))
    ws.review_report(MONTHLY_REPORT, "M2", "2026-10", by="R1", at=_at(9))
    # M3 never hands it in. M4's is due on the as-of day and not in: not late yet.
    ws.expect_reports(MONTHLY_REPORT, ["M4"], "2026-11", due=AS_OF)
    # Not counted: due after the as-of day though handed in, and another kind.
    ws.expect_reports(MONTHLY_REPORT, ["M1"], "2026-11", due=_day(30))
    ws.submit_report(MONTHLY_REPORT, "M1", "2026-11", at=_at(20))
    ws.expect_reports("other.kind", ["M1"], "2026-10", due=_day(5))
    assert _kpi(ws, "tobacco.reports_on_time") == {"": 1 / 3}
    assert _kpi(ws, "tobacco.reports_reviewed") == {"": 2 / 3}
    assert _kpi(ws, "tobacco.reports_on_time", by="manager") == {"M1": 1.0, "M2": 0.0,
                                                                 "M3": 0.0}
    assert _kpi(ws, "tobacco.reports_reviewed", by="manager") == {"M1": 1.0, "M2": 1.0,
                                                                  "M3": 0.0}
    assert _kpi(ws, "tobacco.reports_on_time", by="territory") == {"east": 1.0, "west": 0.0}
    # Handed in on its due day, M4's report is judged at once: on time.
    ws.submit_report(MONTHLY_REPORT, "M4", "2026-11", at=_at(24, 17))
    assert _kpi(ws, "tobacco.reports_on_time") == {"": 0.5}
    assert _kpi(ws, "tobacco.reports_on_time", period="2026-09") == {}


# -- TOB-QUALITY, TOB-PROMO ---------------------------------------------------------------------


def test_quality_complaint_hours_leave_paused_time_out(ws, shop):
    # rule TOB-QUALITY: a quality complaint opens a tobacco.quality case.
    shop.retailer("S1")
    complaint = dict(manager_id="M1", brand="中华(硬)")
    shop.interaction("Q1", "S1", "quality_complaint", _at(10), **complaint)
    shop.interaction("Q2", "S1", "quality_complaint", _at(1), **complaint)
    shop.interaction("Q3", "S1", "quality_complaint", _at(1, month=10), **complaint)
    shop.interaction("Q4", "S1", "quality_complaint", _at(20), **complaint)     # still open
    shop.interaction("K1", "S1", "complaint", _at(2), manager_id="M1")           # not quality
    cases = {c.interaction_id: c.id for c in ws.cases()}
    note = "result fed back"
    ws.case_step(cases["Q1"], "pause", by="M1", at=_at(11))
    ws.case_step(cases["Q1"], "resume", by="M1", at=_at(12))
    ws.case_step(cases["Q1"], "resolve", by="M1", at=_at(13), note=note)   # 72 h less 24 paused
    ws.case_step(cases["Q2"], "resolve", by="M1", at=_at(2), note=note)    # 24 h
    ws.case_step(cases["Q3"], "resolve", by="M1", at=_at(2, month=10), note=note)   # October
    ws.case_step(cases["K1"], "resolve", by="M1", at=_at(2, 11), note=note)          # 1 h
    assert _kpi(ws, "tobacco.quality_hours") == {"": 36.0}
    assert _kpi(ws, "tobacco.quality_hours", by="manager") == {"M1": 36.0}


def _promotion(ws, customer_id, opened: dt.datetime, steps: list[tuple[str, dt.datetime]]):
    """A promotion case (TOB-PROMO) taken through ``steps``: (who approves, when)."""
    case = ws.open_case("tobacco.promotion", customer_id, owner_id="M1", opened_at=opened)
    for by, at in steps:
        ws.case_step(case.id, "approve", by=by, at=at)
    return case


def test_promotion_receipts_signed_of_the_promotions_decided_in_the_period(ws, shop):
    # rule TOB-PROMO: listed (regional market manager) -> decided (brand manager) ->
    # material signed for by the retailer (recorded by the owner).
    shop.manager("B1", role="brand manager", territory="east")
    for cid in ("S1", "S2", "S3", "S4"):
        shop.retailer(cid)
    _promotion(ws, "S1", _at(20, month=10),
               [("R1", _at(21, month=10)), ("B1", _at(3)), ("M1", _at(10))])   # signed
    _promotion(ws, "S2", _at(1), [("R1", _at(2)), ("B1", _at(4))])             # not yet
    _promotion(ws, "S3", _at(1, month=10),
               [("R1", _at(2, month=10)), ("B1", _at(25, month=10)), ("M1", _at(2))])
    _promotion(ws, "S4", _at(1), [("R1", _at(2))])                             # undecided
    assert _kpi(ws, "tobacco.promo_signed") == {"": 0.5}
    assert _kpi(ws, "tobacco.promo_signed", period="2026-10") == {"": 0.0}     # S3 then


def test_promotion_coverage_of_the_eligible_grades(ws, shop):
    # rule TOB-PROMO: grades 1-3 eligible (限三级以上客户).
    shop.manager("B1", role="brand manager", territory="east")
    for cid, grade in (("S1", "1"), ("S2", "3"), ("S3", "3"), ("S4", "4"), ("S5", None)):
        shop.retailer(cid)
        if grade:
            _grade(ws, cid, grade)
    _promotion(ws, "S1", _at(2), [])
    _promotion(ws, "S1", _at(3), [])                     # a second one counts once
    _promotion(ws, "S2", _at(20, month=10), [])          # October
    _promotion(ws, "S4", _at(2), [])                     # not eligible
    assert _kpi(ws, "tobacco.promo_coverage") == {"": 1 / 3}
    assert _kpi(ws, "tobacco.promo_coverage", by="segment:tobacco.grade") == {
        "1": 1.0, "3": 0.0}


def test_promotion_coverage_follows_the_eligible_grades_setting(make_workspace):
    ws = make_workspace(packs=["tobacco"], settings={"tobacco.promo": {"max_grade": 4}})
    shop = Wholesaler(ws)
    shop.manager("M1")
    # Here through the engine: grades set by hand win over the evaluation (TOB-GRADE).
    for cid, grade in (("S1", "1"), ("S4", "4"), ("S5", "5")):
        shop.retailer(cid)
        ws.set_label("tobacco.grade", cid, grade, "published grade")
    ws.segment(["tobacco.grade"], as_of=AS_OF)
    ws.open_case("tobacco.promotion", "S4", owner_id="M1", opened_at=_at(2))
    assert _kpi(ws, "tobacco.promo_coverage") == {"": 0.5}


# -- TOB-SURVEY ---------------------------------------------------------------------------------


def test_satisfaction_index_scales_the_mean_score_to_100(ws, m2):
    shop = m2
    shop.retailer("S1")
    shop.retailer("S2", manager_id="M2", territory="west")
    survey = dict(ordered_by="service_centre")
    shop.interaction("Y1", "S1", "survey", _at(3), satisfaction=5, **survey)
    shop.interaction("Y2", "S1", "survey", _at(4), satisfaction=3, **survey)
    shop.interaction("Y3", "S2", "survey", _at(5), satisfaction=4, **survey)
    shop.interaction("Y4", "S2", "survey", _at(5, month=10), satisfaction=1, **survey)
    # 满意度指数: mean 4 -> (4 - 1) / 4 x 100 = 75.
    assert _kpi(ws, "tobacco.satisfaction_index") == {"": 75.0}
    assert _kpi(ws, "tobacco.satisfaction_index", by="territory") == {"east": 75.0,
                                                                      "west": 75.0}
    assert _kpi(ws, "tobacco.satisfaction_index", period="2026-10") == {"": 0.0}
    assert _kpi(ws, "tobacco.satisfaction_index", period="2026-09") == {}


def test_survey_measures_done_of_the_tasks_due_so_far(ws, m2):
    # rule TOB-SURVEY: the measures tasks (tobacco.survey_actions).
    shop = m2
    shop.retailer("S1")
    rule = "tobacco.survey_actions"
    _task(ws, "S1", rule, _at(10), status="done")
    _task(ws, "S1", rule, _at(20), manager_id="M2")                   # held by M2, open
    _task(ws, "S1", rule, _at(12), status="cancelled")
    _task(ws, "S1", rule, _at(30))                                    # not yet due
    _task(ws, "S1", rule, _at(30, month=10), status="done")           # October
    _task(ws, "S1", "tobacco.other", _at(10))                         # another rule
    assert _kpi(ws, "tobacco.survey_actions_done") == {"": 0.5}
    assert _kpi(ws, "tobacco.survey_actions_done", by="manager") == {"M1": 1.0, "M2": 0.0}


# -- sales, growth (同比), stock-outs ---------------------------------------------------------------


def test_cartons_growth_and_stockouts_by_manager_and_territory(ws, m2):
    shop = m2
    shop.retailer("S1")
    shop.retailer("S2", manager_id="M2", territory="west")
    shop.orders("S1", {"2026-11-02": 30, "2026-11-09": 30, "2026-11-16": 40,
                       "2026-11-25": 100,                              # after the as-of day
                       "2025-11-03": 40, "2025-11-10": 40,
                       "2025-11-26": 100,                              # after 24 Nov 2025
                       "2025-10-06": 500})
    shop.orders("S1", {"2026-11-09": 5}, metric="shortfall")           # a stock-out day
    shop.orders("S2", {"2026-11-04": 50, "2026-11-11": 0, "2026-10-05": 999})
    shop.orders("S2", {"2026-11-04": 50, "2026-11-11": 3, "2026-10-05": 1},
                metric="shortfall")              # nothing supplied on the 4th; the 11th no order
    assert _kpi(ws, "tobacco.cartons") == {"": 150.0}
    assert _kpi(ws, "tobacco.cartons", by="manager") == {"M1": 100.0, "M2": 50.0}
    assert _kpi(ws, "tobacco.cartons", by="territory") == {"east": 100.0, "west": 50.0}
    assert _kpi(ws, "tobacco.cartons", period="2026-08") == {"": 0}
    # 1-24 November against 1-24 November 2025: (150 - 80) / 80; S2 had nothing then.
    assert _kpi(ws, "tobacco.cartons_growth") == {"": 0.875}
    assert _kpi(ws, "tobacco.cartons_growth", by="manager") == {"M1": 0.25}
    # A closed month against the same month a year earlier: (999 - 500) / 500.
    assert _kpi(ws, "tobacco.cartons_growth", period="2026-10") == {"": 0.998}
    assert _kpi(ws, "tobacco.cartons_growth", period="2026-09") == {}
    # Order days: S1 the 2nd, 9th, 16th; S2 the 4th. Stock-outs: S1 the 9th, S2 the 4th.
    assert _kpi(ws, "tobacco.stockout_rate") == {"": 0.5}
    assert _kpi(ws, "tobacco.stockout_rate", by="manager") == {"M1": 1 / 3, "M2": 1.0}


def test_every_kpi_cites_its_source_and_runs_by_each_of_its_scopes(ws, m2):
    # Values are compared exactly above: one division of whole numbers gives the
    # same double on SQLite and PostgreSQL. Here every scope must at least run.
    shop = m2
    shop.retailer("S1")
    shop.retailer("S2", manager_id="M2", territory="west")
    _grade(ws, "S1", "2")
    shop.visit("V1", "S1", _at(2), suggested_cartons=10)
    shop.orders("S1", {"2026-11-03": 10, "2025-11-03": 5})
    ws.expect_reports(MONTHLY_REPORT, ["M1", "M2"], "2026-10")
    kpis = {k.name: k for k in ws.plugins.kpis().values() if k.pack == "tobacco"}
    assert len(kpis) == 16
    for kpi in kpis.values():
        assert kpi.unit and kpi.title and kpi.name.startswith("tobacco.")
        assert "TOB-" in kpi.description or "catalogue" in kpi.description, kpi.name
        for by in [s for s in kpi.scopes if s not in ("segment", "list", "field")]:
            ws.kpi([kpi.name], period="2026-11", by=by, as_of=AS_OF)
        if "segment" in kpi.scopes:
            ws.kpi([kpi.name], period="2026-11", by="segment:tobacco.grade", as_of=AS_OF)
    assert _kpi(ws, "tobacco.reports_on_time", by="team") == {"": 0.0}
