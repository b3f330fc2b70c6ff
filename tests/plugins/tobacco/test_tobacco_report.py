"""TOB-REPORT: the monthly sales analysis (《客户月度销售情况分析报告》), through the API and the CLI.

One manager's October 2026, built by hand so every figure is known:

| retailer | grade | Jul | Aug | Sep | Oct | Oct 2025 | Nov 2025 | what else in October |
|---|---|---|---|---|---|---|---|---|
| A | 1 | 100 | 120 | 100 | 150 | 120 | 150 | price violation (approved), complaint, special visit |
| B | 2 | 100 | 100 | 100 | 70 (−30% exactly) | 80 | 90 | a survey of 3 with a note |
| C | 2 | 100 | 100 | 100 | 71 (−29%) | | | unlicensed selling reported |
| D | — | 40 | 40 | 40 | 0 | | | two stock-out days; special visit 3 November |
| E | 4 | | | 0 | 30 | | | a quality complaint |

Cartons are ×100 in value (A's October value is 15,000).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert

from guanxi.cli import cli
from guanxi_tobacco.options import GRADE, MONTHLY_REPORT
from guanxi_tobacco.report import monthly_report, monthly_reports
from guanxi.reporting import render
from tobacco_kit import AS_OF

D = Decimal
GUIDE = Path(__file__).resolve().parents[3] / "docs" / "packs" / "tobacco.md"


def markdown(report) -> str:
    """The report as the core renders the kind tobacco.monthly_sales to Markdown."""
    return render(report, "markdown")


def html_page(reports) -> str:
    return render(reports, "html")


def set_grade(ws, customer_id: str, label: str, score: float | None = None) -> None:
    """A current tobacco.grade label, as a TOB-GRADE run would leave it.

    Written straight to the labels table so these tests read the report's
    figures, not the grading formula (segments.py has its own tests).
    """
    from guanxi.storage import tables as t

    s = t.segments
    with ws.engine.begin() as conn:
        conn.execute(delete(s).where(s.c.segmentation == GRADE, s.c.customer_id == customer_id))
        conn.execute(insert(s).values(segmentation=GRADE, customer_id=customer_id, label=label,
                                      score=score, reason="test", as_of=AS_OF, manual=False))


def month_orders(shop, customer_id, cartons: dict) -> None:
    """``cartons``: day -> cartons; the day's value is 100 a carton."""
    shop.orders(customer_id, cartons)
    shop.orders(customer_id, {day: n * 100 for day, n in cartons.items()}, metric="sales")


@pytest.fixture
def october(ws, shop):
    shop.manager("R2", territory="north")
    shop.manager("M2", territory="west", reports_to="R2")
    shop.manager("M3", territory="east", active=False)
    for cid in "ABCDE":
        shop.retailer(cid)
    month_orders(shop, "A", {"2026-07-10": 100, "2026-08-10": 120, "2026-09-10": 100,
                             "2026-10-08": 100, "2026-10-20": 50,
                             "2025-10-10": 120, "2025-11-10": 150})
    # Last year's values are not 100 a carton: the value's own seasonal factor.
    shop.orders("A", {"2025-10-10": 11000, "2025-11-10": 14000}, metric="sales")
    month_orders(shop, "B", {"2026-07-10": 100, "2026-08-10": 100, "2026-09-10": 100,
                             "2026-10-09": 70, "2025-10-10": 80, "2025-11-10": 90})
    shop.orders("B", {"2025-11-10": 8500}, metric="sales")
    month_orders(shop, "C", {"2026-07-10": 100, "2026-08-10": 100, "2026-09-10": 100,
                             "2026-10-09": 71})
    month_orders(shop, "D", {"2026-07-10": 40, "2026-08-10": 40, "2026-09-10": 40})
    shop.orders("D", {"2026-10-09": 5, "2026-10-16": 3, "2026-10-23": 0}, metric="shortfall")
    month_orders(shop, "E", {"2026-10-12": 30})
    set_grade(ws, "A", "1", 88)
    set_grade(ws, "B", "2", 70)
    set_grade(ws, "C", "2", 66)
    set_grade(ws, "E", "4", 40)
    # rule TOB-PRICE: the violation opens the downgrade case; R1 approves it.
    shop.interaction("P1", "A", "price_violation", dt.datetime(2026, 10, 15, 10), manager_id="M1",
                     brand="中华(硬)", retail_price=440, guide_price=450, note="sold below guide")
    (case,) = ws.cases(policy="tobacco.price_downgrade")
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 10, 16, 9))
    shop.interaction("U1", "C", "unlicensed", dt.datetime(2026, 10, 21, 10), manager_id="M1",
                     note="a stall without licence | next door")
    shop.interaction("S1", "A", "special_visit", dt.datetime(2026, 10, 16, 11), manager_id="M1",
                     note="explained the guide price")
    # TOB-SPECIAL after the month closed, before the report is due: a measure.
    shop.interaction("S2", "D", "special_visit", dt.datetime(2026, 11, 3, 10), manager_id="M1",
                     note="switched supplier; agreed a weekly order")
    # After the due day: too late to be in the report.
    shop.interaction("S3", "B", "special_visit", dt.datetime(2026, 11, 6, 10), manager_id="M1",
                     note="late")
    shop.interaction("Q1", "E", "quality_complaint", dt.datetime(2026, 10, 12, 10),
                     manager_id="M1", brand="玉溪", note="damp cartons")
    shop.interaction("K1", "A", "complaint", dt.datetime(2026, 10, 25, 10), manager_id="M1",
                     note="delivery came late")
    shop.interaction("K0", "A", "complaint", dt.datetime(2026, 9, 25, 10), manager_id="M1",
                     note="September's: not in the report")
    shop.interaction("V1", "A", "survey", dt.datetime(2026, 10, 5, 10), satisfaction=5)
    shop.interaction("V2", "B", "survey", dt.datetime(2026, 10, 6, 10), satisfaction=3,
                     note="wants more deliveries")
    shop.interaction("V3", "C", "survey", dt.datetime(2026, 10, 7, 10), satisfaction=4)
    shop.interaction("V4", "C", "survey", dt.datetime(2026, 11, 7, 10), satisfaction=1)
    # M2: no data last November, so no seasonal factor.
    shop.retailer("F", manager_id="M2", territory="west")
    shop.orders("F", {"2026-08-03": 10, "2026-09-03": 20, "2026-10-03": 30, "2025-10-03": 25})
    # An inactive manager's retailer: M3 gets no report unless asked.
    shop.retailer("G", manager_id="M3")
    return ws


# -- a) overall sales ---------------------------------------------------------------------


def test_overall_sales_with_month_on_month_and_year_on_year(october):
    r = monthly_report(october, "2026-10", "M1", as_of=AS_OF)
    s = r.sales
    assert (s.retailers, s.ordering) == (5, 4)
    # 321 against 340 in September (环比) and 200 in October 2025 (同比).
    assert (s.cartons.current, s.cartons.previous, s.cartons.last_year) == (321, 340, 200)
    assert (s.cartons.mom, s.cartons.yoy) == (D("-0.0559"), D("0.6050"))
    assert (s.sales.current, s.sales.previous, s.sales.last_year) == (32100, 34000, 19000)
    assert (s.sales.mom, s.sales.yoy) == (D("-0.0559"), D("0.6895"))
    assert [(g.grade, g.retailers, g.ordering, g.cartons, g.sales, g.previous_cartons, g.mom)
            for g in s.by_grade] == [
        ("1", 1, 1, 150, 15000, 100, D("0.5")),
        ("2", 2, 2, 141, 14100, 200, D("-0.295")),
        ("4", 1, 1, 30, 3000, 0, None),
        ("ungraded", 1, 0, 0, 0, 40, D("-1")),
    ]


def test_top_risers_and_fallers(october):
    s = monthly_report(october, "2026-10", "M1", as_of=AS_OF).sales
    assert [(m.customer_id, m.change, m.ratio) for m in s.risers] == [
        ("A", 50, D("0.5")), ("E", 30, None)]
    assert [(m.customer_id, m.grade, m.change) for m in s.fallers] == [
        ("D", "ungraded", -40), ("B", "2", -30), ("C", "2", -29)]


def test_only_licensed_retailers_count(ws, shop):
    # The pack serves customers with a licence_no (filter tobacco.retailers):
    # a customer without one is in no figure of the report, whoever owns it.
    shop.retailer("A")
    shop.retailer("X", licence_no=None)
    for cid in "AX":
        month_orders(shop, cid, {"2026-07-10": 100, "2026-08-10": 100, "2026-09-10": 100,
                                 "2026-10-09": 10})
        shop.orders(cid, {"2026-10-09": 5}, metric="shortfall")
    shop.interaction("KX", "X", "complaint", dt.datetime(2026, 10, 12, 10), manager_id="M1")
    shop.interaction("VX", "X", "survey", dt.datetime(2026, 10, 12, 10), satisfaction=1,
                     note="not a retailer")
    shop.interaction("SX", "X", "special_visit", dt.datetime(2026, 10, 13, 10),
                     manager_id="M1")
    shop.interaction("UX", "X", "unlicensed", dt.datetime(2026, 10, 14, 10), manager_id="M1")
    # M4 owns only a customer without a licence: no report for M4.
    shop.manager("M4", territory="east")
    shop.retailer("Y", manager_id="M4", licence_no=None)
    shop.orders("Y", {"2026-10-09": 50})
    (r,) = monthly_reports(ws, "2026-10", as_of=AS_OF)
    assert r.author_id == "M1"
    s = r.sales
    assert (s.retailers, s.ordering, s.cartons.current, s.cartons.previous) == (1, 1, 10, 100)
    assert [(g.grade, g.retailers, g.cartons) for g in s.by_grade] == [("ungraded", 1, 10)]
    assert [m.customer_id for m in s.fallers] == ["A"]
    p = r.problems
    assert [d.customer_id for d in p.drops] == ["A"]
    assert [x.customer_id for x in p.stock_outs] == ["A"]
    assert (p.unlicensed, p.special_visits, p.without_measure) == ((), (), ("A",))
    o = r.opinions
    assert (o.complaints, o.satisfaction.answers, o.remarks) == ((), 0, ())
    assert r.forecast.cartons.history == (100, 100, 10)


def test_at_most_five_risers(ws, shop):
    for n in range(7):
        shop.retailer(f"R{n}")
        shop.orders(f"R{n}", {"2026-10-05": 10 + n})
    s = monthly_report(ws, "2026-10", "M1", as_of=AS_OF).sales
    assert [m.customer_id for m in s.risers] == ["R6", "R5", "R4", "R3", "R2"]
    assert s.fallers == ()


# -- b) problems, causes and measures ---------------------------------------------------


def test_a_fall_of_exactly_the_threshold_is_a_problem_and_one_just_under_is_not(october):
    # rule TOB-SPECIAL's sales_drop (0.3): B at 70 against 100 falls 30% exactly; C at 71 does not.
    p = monthly_report(october, "2026-10", "M1", as_of=AS_OF).problems
    assert p.sales_drop == D("0.3")
    assert [(d.customer_id, d.cartons, d.average, d.fall, d.measure, d.measured_on)
            for d in p.drops] == [
        ("D", 0, 40, D("1"), "switched supplier; agreed a weekly order", dt.date(2026, 11, 3)),
        ("B", 70, 100, D("0.3"), None, None),
    ]


def test_a_higher_threshold_leaves_the_30_percent_fall_out(make_workspace):
    ws = make_workspace(packs=["tobacco"], settings={"tobacco.special": {"sales_drop": 0.31}})
    from tobacco_kit import Wholesaler

    shop = Wholesaler(ws)
    shop.manager("M1")
    shop.retailer("B")
    shop.orders("B", {"2026-07-10": 100, "2026-08-10": 100, "2026-09-10": 100, "2026-10-09": 70})
    assert monthly_report(ws, "2026-10", "M1", as_of=AS_OF).problems.drops == ()


def test_stock_outs_price_violations_and_unlicensed_with_their_cases_and_measures(october):
    p = monthly_report(october, "2026-10", "M1", as_of=AS_OF).problems
    assert [(x.customer_id, x.days, x.shortfall, x.measured_on) for x in p.stock_outs] == [
        ("D", 2, 8, dt.date(2026, 11, 3))]
    (price,) = p.price_violations
    assert (price.customer_id, price.day, price.brand, price.retail_price, price.guide_price,
            price.note) == ("A", dt.date(2026, 10, 15), "中华(硬)", 440, 450, "sold below guide")
    # rule TOB-PRICE: the regional market manager approved the downgrade.
    assert (price.case_status, price.chain_complete) == ("open, every step approved", True)
    assert (price.measure, price.measured_on) == ("explained the guide price",
                                                  dt.date(2026, 10, 16))
    (unlicensed,) = p.unlicensed
    assert unlicensed.customer_id == "C" and unlicensed.case_id is not None
    assert unlicensed.case_status == "open, awaiting forwarded"
    assert unlicensed.measured_on is None
    assert [(v.interaction_id, v.customer_id) for v in p.special_visits] == [("S1", "A"),
                                                                             ("S2", "D")]
    # B's special visit came after the due day (2026-11-05); C has none.
    assert p.without_measure == ("B", "C")


# -- c) opinions ---------------------------------------------------------------------------


def test_complaints_and_satisfaction_of_the_month(october):
    o = monthly_report(october, "2026-10", "M1", as_of=AS_OF).opinions
    assert [(c.interaction_id, c.kind, c.brand, c.note, c.case_policy, c.case_status)
            for c in o.complaints] == [
        ("Q1", "quality_complaint", "玉溪", "damp cartons", "tobacco.quality",
         "open, awaiting inspected"),
        ("K1", "complaint", None, "delivery came late", "core.complaint", "open"),
    ]
    s = o.satisfaction
    # rule TOB-SURVEY: (5 + 3 + 4) / 3; one answer below survey.action_below (4).
    assert (s.answers, s.mean, s.below, s.threshold) == (3, D("4.00"), 1, 4)
    assert [(a.customer_id, a.satisfaction, a.note) for a in o.remarks] == [
        ("B", 3, "wants more deliveries")]


# -- d) forecast ---------------------------------------------------------------------------


def test_forecast_with_last_years_seasonal_factor(october):
    f = monthly_report(october, "2026-10", "M1", as_of=AS_OF).forecast
    assert (f.month, f.months, f.last_year_months) == (
        "2026-11", ("2026-08", "2026-09", "2026-10"), ("2025-10", "2025-11"))
    c = f.cartons
    # (360 + 340 + 321) / 3 = 340.33; × 240 / 200 = 1.2 → 408.4 → 408 cartons.
    assert (c.history, c.mean, c.last_year, c.seasonal, c.factor, c.forecast) == (
        (360, 340, 321), D("340.33"), (200, 240), True, D("1.2"), 408)
    v = f.sales
    # (36,000 + 34,000 + 32,100) / 3 × (22,500 / 19,000 = 1.1842) = 40,302.27.
    assert (v.mean, v.last_year, v.factor, v.forecast) == (
        D("34033.33"), (19000, 22500), D("1.1842"), D("40302.27"))
    assert "× the seasonal factor 1.2 (2025-11 ÷ 2025-10: 240 ÷ 200 cartons)" in f.method


def test_forecast_without_both_of_last_years_months_has_factor_one(october):
    f = monthly_report(october, "2026-10", "M2", as_of=AS_OF).forecast
    # F ordered in October 2025 but not in November 2025: no seasonal factor.
    assert (f.cartons.history, f.cartons.mean, f.cartons.seasonal, f.cartons.factor,
            f.cartons.forecast) == ((10, 20, 30), 20, False, 1, 20)
    assert "× 1: no seasonal factor" in f.method


def test_forecast_months_is_a_setting(make_workspace):
    ws = make_workspace(packs=["tobacco"], settings={"tobacco.report": {"forecast_months": 1}})
    from tobacco_kit import Wholesaler

    shop = Wholesaler(ws)
    shop.manager("M1")
    shop.retailer("A")
    shop.orders("A", {"2026-09-03": 99, "2026-10-03": 30})
    f = monthly_report(ws, "2026-10", "M1", as_of=AS_OF).forecast
    assert (f.months, f.cartons.forecast) == (("2026-10",), 30)


# -- the header: due day, reviewer, status ---------------------------------------------


@pytest.mark.parametrize("month,due", [
    ("2026-10", dt.date(2026, 11, 5)),   # the 5th, a Thursday
    ("2026-06", dt.date(2026, 7, 6)),    # 5 July 2026 is a Sunday: Monday the 6th
    ("2026-04", dt.date(2026, 5, 6)),    # 5 May 2026 is in the Labour Day holiday
    ("2026-09", dt.date(2026, 10, 8)),   # 1-7 October: National Day
])
def test_due_on_the_5th_moved_past_weekends_and_holidays(ws, shop, month, due):
    # rule TOB-REPORT: 每月5日前(节假日顺延).
    shop.retailer("A")
    r = monthly_report(ws, month, "M1", as_of=AS_OF)
    assert r.due_on == due == ws.report_due_on(month, 5)
    assert r.tracked.due_on == due


def test_reviewer_is_the_regional_market_manager_as_the_case_chains_resolve_it(october, shop):
    # guanxi.service.cases.role_person: the active regional market manager of
    # the territory (M1, east: R1), else of the team (M5: R5 before R1),
    # else anywhere (M2, west, no team: R1, although M2 reports to R2).
    ws = october
    ws.save("teams", [{"id": "T1", "name": "Team 1"}])
    shop.manager("R5", role="Regional Market Manager", territory="north", team_id="T1")
    shop.manager("R0", role="regional market manager", territory="east", active=False)
    shop.manager("M5", territory="south", team_id="T1", reports_to="R2")
    shop.retailer("H", manager_id="M5", territory="south")
    m1, m2, m5 = monthly_reports(ws, "2026-10", ["M1", "M2", "M5"], as_of=AS_OF)
    assert [(r.reviewer.id, r.reviewer.name) for r in (m1, m2, m5)] == [
        ("R1", "Manager R1"), ("R1", "Manager R1"), ("R5", "Manager R5")]
    # The same person the TOB-PRICE chain waits for on the manager's retailer.
    shop.interaction("P5", "H", "price_violation", dt.datetime(2026, 10, 15, 10),
                     manager_id="M5", retail_price=440, guide_price=450)
    (case,) = [c for c in ws.cases(policy="tobacco.price_downgrade") if c.customer_id == "H"]
    assert ws.case_waiting_for(case.id) == "R5"


def test_without_a_regional_market_manager_the_reviewer_is_reports_to(ws, shop):
    shop.manager("R1", role="regional market manager", territory="east", active=False)
    shop.manager("M2", territory="west")
    shop.retailer("A")
    shop.retailer("B", manager_id="M2")
    m1, m2 = monthly_reports(ws, "2026-10", ["M1", "M2"], as_of=AS_OF)
    assert (m1.reviewer.id, m1.reviewer.name, m2.reviewer) == ("R1", "Manager R1", None)
    assert ("| Reviewed by | nobody: no regional market manager in the territory, no "
            "reports_to |") in markdown(m2)


def test_status_follows_the_tracked_report(october):
    ws = october
    assert monthly_report(ws, "2026-10", "M1", as_of=dt.date(2026, 11, 5)).status == "due"
    assert monthly_report(ws, "2026-10", "M1", as_of=dt.date(2026, 11, 6)).status == "overdue"
    ws.submit_report(MONTHLY_REPORT, "M1", "2026-10", at=dt.datetime(2026, 11, 5, 17))
    assert monthly_report(ws, "2026-10", "M1", as_of=AS_OF).status == "submitted"
    ws.review_report(MONTHLY_REPORT, "M1", "2026-10", by="R1", at=dt.datetime(2026, 11, 6, 9))
    assert monthly_report(ws, "2026-10", "M1", as_of=AS_OF).status == "reviewed"
    monthly_report(ws, "2026-10", "M2", as_of=AS_OF)
    ws.submit_report(MONTHLY_REPORT, "M2", "2026-10", at=dt.datetime(2026, 11, 6, 8))
    assert monthly_report(ws, "2026-10", "M2", as_of=AS_OF).status == "late"
    # Reviewed after a late submission: still late.
    ws.review_report(MONTHLY_REPORT, "M2", "2026-10", by="R1", at=dt.datetime(2026, 11, 9, 9))
    late = monthly_report(ws, "2026-10", "M2", as_of=AS_OF)
    assert late.status == "late, reviewed"
    assert ("| Status | submitted late, reviewed; submitted 2026-11-06 08:00, reviewed by R1 "
            "2026-11-09 09:00 (as of 2026-11-24) |") in markdown(late)
    assert ("| Status | submitted on time, reviewed; submitted 2026-11-05 17:00, reviewed by "
            "R1 2026-11-06 09:00 (as of 2026-11-24) |") in markdown(
        monthly_report(ws, "2026-10", "M1", as_of=AS_OF))


def test_every_active_manager_owning_retailers_is_expected_once(october):
    ws = october
    reports = monthly_reports(ws, "2026-10", as_of=AS_OF)
    assert [r.author_id for r in reports] == ["M1", "M2"]   # not M3 (inactive), not R1
    monthly_reports(ws, "2026-10", as_of=AS_OF)
    assert [(r.author_id, r.due_on) for r in ws.reports(kind=MONTHLY_REPORT)] == [
        ("M1", dt.date(2026, 11, 5)), ("M2", dt.date(2026, 11, 5))]


def test_a_manager_without_retailers_gets_an_empty_report(ws, shop):
    r = monthly_report(ws, "2026-10", "M1", as_of=AS_OF)
    assert (r.sales.retailers, r.sales.cartons.current, r.sales.cartons.mom) == (0, 0, None)
    assert r.forecast.cartons.forecast == 0
    text = markdown(r)
    assert "None." in text
    # No survey answers: one line, not a line and then "None.".
    assert "### Satisfaction (满意度)\n\nNo survey answers this month.\n\n## 4." in text
    assert "No survey answers this month.</p>\n<h2>4." in html_page(r)


# -- the guide's example: docs/examples/tobacco, M01, October 2026 -----------------------


def test_the_guides_report_figures_come_from_the_example_files(ws):
    from test_tobacco_examples import _load

    _load(ws)
    ws.segment(as_of=AS_OF)
    r = monthly_report(ws, "2026-10", "M01", as_of=AS_OF)
    assert (r.due_on, r.reviewer.id, r.status) == (dt.date(2026, 11, 5), "R01", "overdue")
    s = r.sales
    assert (s.ordering, s.retailers) == (3, 3)
    assert (s.cartons.current, s.cartons.previous, s.cartons.last_year, s.cartons.mom,
            s.cartons.yoy) == (360, 480, 0, D("-0.25"), None)
    assert (s.sales.current, s.sales.previous, s.sales.last_year, s.sales.mom,
            s.sales.yoy) == (52000, 52000, 0, D("0"), None)
    assert [(d.customer_id, d.cartons, d.average, d.fall, d.measured_on)
            for d in r.problems.drops] == [("T002", 40, D("173.33"), D("0.7692"), None)]
    f = r.forecast
    assert (f.cartons.history, f.cartons.mean, f.cartons.last_year, f.cartons.seasonal,
            f.cartons.factor, f.cartons.forecast) == ((630, 480, 360), 490, (0, 0), False, 1,
                                                      490)
    assert (f.sales.history, f.sales.mean, f.sales.forecast) == (
        (65000, 52000, 52000), D("56333.33"), D("56333.33"))
    # The lines the guide quotes are the report's own, word for word.
    text, guide = markdown(r), GUIDE.read_text(encoding="utf-8")
    for line in [
        "3 of 3 retailers ordered in 2026-10.",
        "| cartons | 360 | 480 | -25.0% | 0 | — |",
        "| order value | 52,000.00 | 52,000.00 | +0.0% | 0.00 | — |",
        "| cartons | 630 | 480 | 360 | 490 | 0 | 0 | 1 | 490 |",
        "| order value | 65,000.00 | 52,000.00 | 52,000.00 | 56,333.33 | 0.00 | 0.00 | 1 | "
        "56,333.33 |",
    ]:
        assert line in text.splitlines(), line
        assert line in guide.splitlines(), line
    for comment in ["# datetime.date(2026, 11, 5), 'R01', 'overdue'",
                    "# Decimal('-0.2500'): 环比 -25.0%", "# ['T002']: 40 cartons, 76.9% below",
                    "# Decimal('490')"]:
        assert comment in guide, comment


# -- rendering -------------------------------------------------------------------------------


def test_markdown_has_the_four_parts_and_pipe_tables(october):
    report = monthly_report(october, "2026-10", "M1", as_of=AS_OF)
    text = markdown(report)
    case_id = report.problems.price_violations[0].case_id
    assert text.startswith("# 《客户月度销售情况分析报告》 2026-10: Manager M1 (M1)\n")
    for heading in ("## 1. Overall sales of the month", "## 2. Problems, causes and measures",
                    "## 3. Customers' opinions on quality and service",
                    "## 4. Forecast for 2026-11"):
        assert heading in text
    assert "| Due | 2026-11-05 (TOB-REPORT" in text
    assert "| Reviewed by | Manager R1 (R1) |" in text
    assert "| cartons | 321 | 340 | -5.6% | 200 | +60.5% |" in text
    assert "| order value | 32,100.00 | 34,000.00 | -5.6% | 19,000.00 | +69.0% |" in text
    assert (f"| A | Retailer A | 中华(硬) | 440.00 | 450.00 | sold below guide | #{case_id} "
            f"downgrade approved (open) | 2026-10-16: explained the guide price |") in text
    assert "| B | Retailer B | 2 | 70 | 100 | 30.0% | no special visit yet |" in text
    # A pipe in a note stays inside its cell.
    assert "a stall without licence \\| next door" in text
    assert "4 of 5 retailers ordered in 2026-10." in text
    assert "B, C" in text


def test_html_is_one_escaped_page(october, shop):
    shop.retailer("A", name="<b>Shop & Co</b>")
    page = html_page(monthly_reports(october, "2026-10", as_of=AS_OF))
    assert page.startswith("<!DOCTYPE html>") and page.count("<article>") == 2
    assert "&lt;b&gt;Shop &amp; Co&lt;/b&gt;" in page and "<b>Shop" not in page
    assert "<link" not in page and "<script" not in page


# -- the command ------------------------------------------------------------------------------


def _run(ws, *args):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), "tobacco", *args])


def test_the_command_prints_one_managers_report(october):
    result = _run(october, "report", "--month", "2026-10", "--manager", "M1",
                  "--as-of", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert "| Status | overdue: not submitted by its due day (as of 2026-11-24) |" in result.output
    assert "| cartons | 360 | 340 | 321 | 340.33 | 200 | 240 | 1.2 | 408 |" in result.output


def test_the_command_writes_one_file_per_manager(october, tmp_path):
    out = tmp_path / "reports"
    result = _run(october, "report", "--month", "2026-10", "--format", "html", "--output",
                  str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["2026-10-M1.html", "2026-10-M2.html"]
    assert "due 2026-11-05" in result.output
    assert "<h1>《客户月度销售情况分析报告》 2026-10: Manager M2 (M2)</h1>" in (
        out / "2026-10-M2.html").read_text(encoding="utf-8")


def test_the_command_is_the_short_form_of_reports_show(october, tmp_path):
    # guanxi tobacco report --month M --manager ID == guanxi reports show tobacco.monthly_sales.
    short = _run(october, "report", "--month", "2026-10", "--manager", "M1", "--as-of",
                 "2026-11-24")
    config = ["--config", str(october.config.path)]
    long = CliRunner().invoke(cli, [*config, "reports", "show", MONTHLY_REPORT, "--period",
                                    "2026-10", "--author", "M1", "--as-of", "2026-11-24"])
    assert (short.exit_code, long.exit_code) == (0, 0)
    assert long.output == short.output == markdown(
        monthly_report(october, "2026-10", "M1", as_of=AS_OF))
    both = CliRunner().invoke(cli, [*config, "reports", "show", MONTHLY_REPORT, "--period",
                                    "2026-10", "--format", "html", "--as-of", "2026-11-24"])
    assert both.output.count("<article>") == 2


def test_the_report_as_a_workbook_holds_the_figures(october, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "october.xlsx"
    result = CliRunner().invoke(cli, ["--config", str(october.config.path), "reports", "show",
                                      MONTHLY_REPORT, "--period", "2026-10", "--as-of",
                                      "2026-11-24", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote {out} (M1 due 2026-11-05, overdue; M2 due 2026-11-05, "
                             "overdue)\n")
    book = load_workbook(out)
    summary = {row[0]: row[1:] for row in book["report"].iter_rows(min_row=2, values_only=True)}
    assert summary["author_id"] == ("M1", "M2")
    assert summary["sales.cartons.current"] == (321, 30)
    assert summary["forecast.cartons.forecast"] == (408, 20)
    assert summary["reviewer.id"] == ("R1", "R1")
    grades = [row for row in book["sales.by_grade"].iter_rows(values_only=True)]
    assert grades[0] == ("author_id", "grade", "retailers", "ordering", "cartons", "sales",
                         "previous_cartons", "mom")
    assert grades[1:3] == [("M1", "1", 1, 1, 150, 15000, 100, 0.5),
                           ("M1", "2", 2, 2, 141, 14100, 200, -0.295)]
    assert [row[:2] for row in book["problems.drops"].iter_rows(min_row=2, values_only=True)] == [
        ("M1", "D"), ("M1", "B")]


@pytest.mark.parametrize("args,message,code", [
    (["--month", "2026-13"], "Error: --month '2026-13' is not a month; write it like 2026-10",
     2),
    (["--month", "2026-10", "--manager", "M9"],
     "Error: no manager with id 'M9'; nothing was reported", 1),
])
def test_the_command_refuses_bad_input_in_one_sentence(october, args, message, code):
    result = _run(october, "report", *args)
    assert result.exit_code == code
    assert result.output.strip() == message
    assert "Traceback" not in result.output
