"""The rows behind every tobacco KPI's value: what each counts, what it adds, and why.

One base holds the boundaries the KPI tests check one by one (TOB-PLAN,
TOB-SPECIAL, TOB-CHECKLIST, TOB-PRICE, TOB-REPORT, TOB-QUALITY, TOB-PROMO,
TOB-SURVEY; sales, growth and stock-outs), as of Tuesday 2026-11-24: every
KPI's rows must make its value by every scope, and some are listed exactly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_tobacco_kpis import _at, _day, _grade, _planned, _promotion, _task
from tobacco_kit import AS_OF

from guanxi.testing import kpi_rows_disagree
from guanxi_tobacco.options import MONTHLY_REPORT


@pytest.fixture
def base(ws, shop):
    ws.save("teams", [{"id": "T1", "name": "East team"}, {"id": "T2", "name": "West team"}])
    shop.manager("M1", reports_to="R1", territory="east", team_id="T1")
    shop.manager("M2", reports_to="R1", territory="west", team_id="T2")
    shop.manager("M3", reports_to="R1", territory="west", team_id="T2")
    shop.manager("B1", role="brand manager", territory="east")
    for cid in "ABCDEFG":
        shop.retailer(cid)
    shop.retailer("S1")
    shop.retailer("S2", manager_id="M2", territory="west")
    # TOB-PLAN: A on its day, B two days late, C missed, D on the as-of day,
    # E not yet come, F M2's and missed, G another cadence.
    for cid, day, manager, cadence in (("A", 16, "M1", "tobacco.plan"),
                                       ("B", 17, "M1", "tobacco.plan"),
                                       ("C", 18, "M1", "tobacco.plan"),
                                       ("D", 24, "M1", "tobacco.plan"),
                                       ("E", 25, "M1", "tobacco.plan"),
                                       ("F", 20, "M2", "tobacco.plan"),
                                       ("G", 17, "M1", "core.visits")):
        _planned(ws, cid, _day(day), manager_id=manager, cadence=cadence)
    shop.visit("VA", "A", _at(16))
    shop.visit("VB", "B", _at(19))
    shop.visit("VD", "D", _at(24, 9))
    # TOB-SPECIAL
    shop.interaction("SV1", "S1", "special_visit", _at(3), manager_id="M2")
    shop.interaction("SV2", "S1", "special_visit", _at(20))
    shop.interaction("SV3", "S1", "special_visit", _at(30, month=10), manager_id="M1")
    shop.interaction("SV4", "S1", "special_visit", _at(25), manager_id="M1")
    # TOB-CHECKLIST, TOB-PRICE, suggestions
    shop.visit("V1", "S1", _at(2), suggested_cartons=20)
    shop.visit("V2", "S2", _at(3), manager_id="M2", retailer_signed=False, manager_signed=False)
    shop.visit("V3", "S1", _at(4), price_checked=None)
    shop.visit("V4", "S1", _at(30, month=10))
    violation = dict(manager_id="M1", brand="中华(硬)", retail_price=440, guide_price=450)
    shop.interaction("P2", "S2", "price_violation", _at(3, 16), **violation)
    shop.orders("S1", {"2026-11-03": 22})
    shop.visit("V6", "S2", _at(5), manager_id="M2", suggested_cartons=10)
    # TOB-REPORT: M1 on time, M2 late, M3 never; reviewed M1 and M2.
    ws.expect_reports(MONTHLY_REPORT, ["M1", "M2", "M3"], "2026-10")
    ws.submit_report(MONTHLY_REPORT, "M1", "2026-10", at=_at(5, 23))
    ws.submit_report(MONTHLY_REPORT, "M2", "2026-10", at=_at(6, 9))
    ws.review_report(MONTHLY_REPORT, "M1", "2026-10", by="R1", at=_at(9))
    ws.review_report(MONTHLY_REPORT, "M2", "2026-10", by="R1", at=_at(24, 23))
    # TOB-QUALITY: 72 hours less 24 paused, and 24 hours.
    complaint = dict(manager_id="M1", brand="中华(硬)")
    shop.interaction("Q1", "S1", "quality_complaint", _at(10), **complaint)
    shop.interaction("Q2", "S2", "quality_complaint", _at(1), **complaint)
    cases = {c.interaction_id: c.id for c in ws.cases()}
    ws.case_step(cases["Q1"], "pause", by="M1", at=_at(11))
    ws.case_step(cases["Q1"], "resume", by="M1", at=_at(12))
    ws.case_step(cases["Q1"], "resolve", by="M1", at=_at(13), note="result fed back")
    ws.case_step(cases["Q2"], "resolve", by="M2", at=_at(2), note="result fed back")
    # TOB-PROMO
    _grade(ws, "S1", "1")
    _grade(ws, "S2", "3")
    _grade(ws, "A", "4")
    _promotion(ws, "S1", _at(2), [("R1", _at(2)), ("B1", _at(3)), ("M1", _at(10))])
    _promotion(ws, "S2", _at(1), [("R1", _at(2)), ("B1", _at(4))])
    # TOB-SURVEY
    survey = dict(ordered_by="service_centre")
    shop.interaction("Y1", "S1", "survey", _at(3), satisfaction=5, **survey)
    shop.interaction("Y2", "S1", "survey", _at(4), satisfaction=3, **survey)
    shop.interaction("Y3", "S2", "survey", _at(5), satisfaction=4, **survey)
    rule = "tobacco.survey_actions"
    _task(ws, "S1", rule, _at(10), status="done")
    _task(ws, "S2", rule, _at(20), manager_id="M2")
    _task(ws, "S1", rule, _at(12), status="cancelled")
    _task(ws, "S1", rule, _at(30))
    # Sales, growth, stock-outs
    shop.orders("S1", {"2026-11-09": 30, "2026-11-16": 40, "2026-11-25": 100,
                       "2025-11-03": 40, "2025-11-10": 40, "2025-11-26": 100})
    shop.orders("S1", {"2026-11-09": 5}, metric="shortfall")
    shop.orders("S2", {"2026-11-04": 50, "2026-11-11": 0})
    shop.orders("S2", {"2026-11-04": 50, "2026-11-11": 3}, metric="shortfall")
    return ws


def _tobacco_kpis(ws):
    return sorted(name for name, k in ws.plugins.kpis().items() if k.pack == "tobacco")


def test_every_tobacco_kpi_says_which_rows_it_counts(ws):
    kpis = {name: k for name, k in ws.plugins.kpis().items() if k.pack == "tobacco"}
    assert len(kpis) == 16
    assert [name for name, k in kpis.items() if k.rows is None] == []
    for kpi in kpis.values():
        assert kpi.reasons and kpi.combine in ("sum", "ratio"), kpi.name


#: The tobacco KPIs by family: each family's rows are checked on one base.
FAMILIES = {
    "plan": ["tobacco.plan_completion", "tobacco.plan_on_day"],
    "visits": ["tobacco.special_visits", "tobacco.checklist_complete",
               "tobacco.price_compliance", "tobacco.suggestion_adoption"],
    "reports": ["tobacco.reports_on_time", "tobacco.reports_reviewed"],
    "cases": ["tobacco.quality_hours", "tobacco.promo_signed", "tobacco.promo_coverage"],
    "surveys": ["tobacco.satisfaction_index", "tobacco.survey_actions_done"],
    "sales": ["tobacco.cartons", "tobacco.cartons_growth", "tobacco.stockout_rate"],
}


def test_the_families_hold_every_tobacco_kpi(ws):
    assert sorted(n for names in FAMILIES.values() for n in names) == _tobacco_kpis(ws)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_tobacco_kpi_is_made_by_its_rows(base, family):
    # One base per family, every scope the KPIs report: building the base is
    # the slow part.
    disagree, empty = {}, []
    for name in FAMILIES[family]:
        for by in ("all", "manager", "team", "territory"):
            if not base.explain_kpi(name, period="2026-11", by=by, as_of=AS_OF):
                empty.append((name, by))
            found = kpi_rows_disagree(base, name, period="2026-11", by=by, as_of=AS_OF)
            if found:
                disagree[(name, by)] = found
    assert (disagree, empty) == ({}, [])


def _rows(ws, name, by="all", as_of=AS_OF):
    return [(r.scope_key, r.id, r.figure, r.weight, r.reason)
            for r in ws.explain_kpi(name, period="2026-11", by=by, as_of=as_of)]


def test_the_visits_behind_the_plan_the_checklist_and_the_suggestions(base):
    # TOB-PLAN: by manager for the manager planned for; E's day has not come.
    rows = _rows(base, "tobacco.plan_completion", by="manager")
    assert [(key, figure, reason.split(": ", 1)[1]) for key, _, figure, _, reason in rows] == [
        ("M1", 1.0, "task 1 done 2026-11-16 10:00"),
        ("M1", 1.0, "task 2 done 2026-11-19 10:00"),
        ("M1", 0.0, "task 3 open"),
        ("M1", 1.0, "task 4 done 2026-11-24 09:00"),
        ("M2", 0.0, "task 6 open"),
    ]
    assert rows[0][4] == "visit 1 to A planned for M1 on 2026-11-16: task 1 done 2026-11-16 10:00"
    # TOB-CHECKLIST: the items not ticked are named.
    rows = _rows(base, "tobacco.checklist_complete", by="manager")
    assert [(key, id, figure) for key, id, figure, _, _ in rows] == [
        ("M1", "V1", 1.0), ("M1", "V3", 0.0), ("M1", "VA", 1.0), ("M1", "VB", 1.0),
        ("M1", "VD", 1.0), ("M2", "V2", 0.0), ("M2", "V6", 1.0)]
    reasons = {id: reason for _, id, _, _, reason in rows}
    assert reasons["V1"] == "visit V1 to S1 on 2026-11-02: all 8 items ticked"
    assert reasons["V2"] == ("visit V2 to S2 on 2026-11-03: not ticked: "
                             "manager_signed, retailer_signed")
    assert reasons["V3"] == "visit V3 to S1 on 2026-11-04: not ticked: price_checked"
    # The first order after the visit, within the tolerance (10%), adopts it.
    rows = _rows(base, "tobacco.suggestion_adoption")
    assert [(id, figure, reason) for _, id, figure, _, reason in rows] == [
        ("V1", 1.0, "visit V1 to S1 on 2026-11-02: suggested 20 cartons; first order "
                    "2026-11-03, 22 cartons: within 10%"),
        ("V6", 0.0, "visit V6 to S2 on 2026-11-05: suggested 10 cartons; no order in the 7 "
                    "days after it yet"),
    ]


def test_the_reports_and_the_surveys_behind_their_kpis(base):
    # TOB-REPORT: handed in on the due day (the 5th) at 23:00 is on time.
    assert [(key, figure, reason.split(": ", 1)[1])
            for key, _, figure, _, reason in _rows(base, "tobacco.reports_on_time", "manager")
            ] == [("M1", 1.0, "handed in 2026-11-05 23:00, on time"),
                  ("M2", 0.0, "handed in 2026-11-06 09:00, late"),
                  ("M3", 0.0, "not handed in")]
    # Reviewed on the as-of day at 23:00: counted that day, not the day before.
    reviewed = _rows(base, "tobacco.reports_reviewed", "manager")
    assert [(key, figure) for key, _, figure, _, _ in reviewed] == [
        ("M1", 1.0), ("M2", 1.0), ("M3", 0.0)]
    before = _rows(base, "tobacco.reports_reviewed", "manager", as_of=_day(23))
    assert [(key, figure) for key, _, figure, _, _ in before] == [
        ("M1", 1.0), ("M2", 0.0), ("M3", 0.0)]
    # TOB-SURVEY: each survey adds (score - 1) x 25 and weighs 1.
    assert _rows(base, "tobacco.satisfaction_index", by="territory") == [
        ("east", "Y1", 100.0, 1.0, "survey Y1 of S1 on 2026-11-03: score 5 of 5, 100 on 0-100"),
        ("east", "Y2", 50.0, 1.0, "survey Y2 of S1 on 2026-11-04: score 3 of 5, 50 on 0-100"),
        ("west", "Y3", 75.0, 1.0, "survey Y3 of S2 on 2026-11-05: score 4 of 5, 75 on 0-100"),
    ]


def test_the_orders_behind_growth_and_the_stockout_rate(base):
    rows = _rows(base, "tobacco.cartons_growth", by="manager")
    # M1: (30 + 40 + 22 - 40 - 40) / 80; M2's S2 had no orders a year earlier: no value,
    # no rows. 25 November (either year) is after the as-of day.
    assert [(key, id, figure, weight) for key, id, figure, weight, _ in rows] == [
        ("M1", "S1 2025-11-03", -40.0, 40.0), ("M1", "S1 2025-11-10", -40.0, 40.0),
        ("M1", "S1 2026-11-03", 22.0, 0.0), ("M1", "S1 2026-11-09", 30.0, 0.0),
        ("M1", "S1 2026-11-16", 40.0, 0.0)]
    assert rows[0][4] == ("S1 ordered 40 cartons on 2025-11-03: a year earlier, the base "
                          "(taken away and weighed)")
    (value,) = base.kpi(["tobacco.cartons_growth"], period="2026-11", by="manager", as_of=AS_OF)
    assert value.value == pytest.approx(12 / 80)
    # Order days (cartons > 0); a stock-out day has a shortfall too.
    assert _rows(base, "tobacco.stockout_rate") == [
        ("", "S1 2026-11-03", 0.0, 1.0, "S1 on 2026-11-03: ordered 22 cartons, none short"),
        ("", "S1 2026-11-09", 1.0, 1.0,
         "S1 on 2026-11-09: ordered 30 cartons, 5 short: a stock-out day"),
        ("", "S1 2026-11-16", 0.0, 1.0, "S1 on 2026-11-16: ordered 40 cartons, none short"),
        ("", "S2 2026-11-04", 1.0, 1.0,
         "S2 on 2026-11-04: ordered 50 cartons, 50 short: a stock-out day"),
    ]
