"""TOB-GRADE (the comprehensive evaluation) and TOB-NETWORK labels, at their boundaries.

As of 2026-11-24 the evaluation looks at August to October 2026: 13 order
weeks (the Mondays 3 August to 26 October). Points: volume 40 (full at 200
cartons a month, 600 in three), regularity 30, price 15, lawful 15.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tobacco_kit import AS_OF, labels, reason, weekly_orders

FIRST_MONDAY = dt.date(2026, 8, 3)


def grade(ws, as_of=AS_OF):
    ws.segment(["tobacco.grade"], as_of=as_of)
    return labels(ws, "tobacco.grade")


def thirteen_weeks(total: int) -> dict:
    """13 weekly orders adding up to ``total`` cartons."""
    each, extra = divmod(total, 13)
    return {FIRST_MONDAY + dt.timedelta(weeks=w): each + (1 if w < extra else 0)
            for w in range(13)}


def test_a_score_of_exactly_80_is_grade_1_and_79_is_grade_2(ws, shop):
    # volume 300 cartons: 300 * 40 // 600 = 20; + 30 + 15 + 15 = 80
    shop.retailer("R080")
    shop.orders("R080", thirteen_weeks(300))
    shop.retailer("R079")
    shop.orders("R079", thirteen_weeks(299))  # 11960 // 600 = 19: 79
    assert grade(ws) == {"R080": "1", "R079": "2"}
    assert reason(ws, "tobacco.grade", "R080") == (
        "score 80 = volume 20/40 (100 cartons a month) + regularity 30/30 (0 of 13 weekly "
        "orders missed) + price 15/15 (0 of 0 price checks below the guide price) + lawful "
        "15/15 (0 visits saw unlawful operation): grade 1 from 80")
    assert reason(ws, "tobacco.grade", "R079").endswith(": grade 2 from 65")


def test_missed_weekly_orders_cost_regularity_points_and_say_so(ws, shop):
    shop.retailer("R1")
    shop.orders("R1", weekly_orders(FIRST_MONDAY, 13, 60, skip=(0, 5, 9)))  # 10 of 13 weeks
    # volume 600 cartons: full 40; regularity 10 * 30 // 13 = 23; 40 + 23 + 30 = 93
    assert grade(ws) == {"R1": "1"}
    assert "regularity 23/30 (3 of 13 weekly orders missed)" in reason(ws, "tobacco.grade", "R1")


def test_an_order_before_the_first_monday_adds_cartons_but_no_week(ws, shop):
    # Saturday 1 August is in the window; its week began on Monday 27 July, before it.
    shop.retailer("R1")
    shop.orders("R1", {**thirteen_weeks(260), "2026-08-01": 40})
    # 300 cartons: 20 points; 13 of 13 weeks: 30; 20 + 30 + 15 + 15 = 80
    assert grade(ws) == {"R1": "1"}
    assert "regularity 30/30 (0 of 13 weekly orders missed)" in reason(ws, "tobacco.grade", "R1")


def test_no_orders_at_all_is_the_lowest_grade(ws, shop):
    shop.retailer("R1")
    assert grade(ws) == {"R1": "5"}   # 0 + 0 + 15 + 15 = 30, below 35
    assert reason(ws, "tobacco.grade", "R1").endswith(": grade 5, below 35")


def test_price_checks_and_unlawful_operation_count(ws, shop):
    shop.retailer("R1")
    shop.orders("R1", thirteen_weeks(600))
    shop.visit("V1", "R1", dt.date(2026, 9, 7), price_checked=True)
    shop.visit("V2", "R1", dt.date(2026, 9, 14), price_checked=True, unlawful=True)
    shop.visit("V3", "R1", dt.date(2026, 9, 21), price_checked=True)
    shop.interaction("P1", "R1", "price_violation", dt.date(2026, 9, 21), manager_id="M1",
                     retail_price=400, guide_price=450)
    # price: 3 check days, 1 with a violation: 2 * 15 // 3 = 10; lawful 0: 40 + 30 + 10 = 80
    assert grade(ws) == {"R1": "1"}
    assert ("price 10/15 (1 of 3 price checks below the guide price) + lawful 0/15 (1 visits "
            "saw unlawful operation)") in reason(ws, "tobacco.grade", "R1")


def _violation(ws, shop, customer_id, at=dt.datetime(2026, 11, 23, 10)):
    shop.interaction(f"P-{customer_id}", customer_id, "price_violation", at, manager_id="M1",
                     brand="中华(硬)", retail_price=400, guide_price=450)
    (case,) = [c for c in ws.cases(policy="tobacco.price_downgrade") if c.customer_id == customer_id]
    return case


def test_an_approved_price_violation_lowers_the_grade_by_one(ws, shop):
    # rule TOB-PRICE: reported -> the regional market manager approves -> downgraded.
    shop.retailer("R1")
    shop.orders("R1", thirteen_weeks(600))
    case = _violation(ws, shop, "R1")
    # November is not yet a closed month: the evaluation still gives 100 points.
    assert grade(ws) == {"R1": "1"}
    with pytest.raises(Exception, match="R1"):
        ws.case_step(case.id, "approve", "M1", at=dt.datetime(2026, 11, 23, 15))
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 11, 23, 16))
    assert grade(ws) == {"R1": "2"}
    assert reason(ws, "tobacco.grade", "R1").endswith(
        ": grade 1 from 80; lowered to grade 2 for the price violation approved 2026-11-23")


def test_a_rejected_downgrade_leaves_the_grade(ws, shop):
    shop.retailer("R1")
    shop.orders("R1", thirteen_weeks(600))
    case = _violation(ws, shop, "R1")
    ws.case_step(case.id, "reject", "R1", at=dt.datetime(2026, 11, 23, 16),
                 note="the price tag was the old one; the price is right")
    assert grade(ws) == {"R1": "1"}


def test_a_downgrade_from_grade_5_stays_at_grade_5(ws, shop):
    shop.retailer("R1")                                     # no orders: grade 5
    case = _violation(ws, shop, "R1")
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 11, 23, 16))
    assert grade(ws) == {"R1": "5"}
    assert reason(ws, "tobacco.grade", "R1").endswith(
        ": grade 5, below 35; the price violation approved 2026-11-23 cannot lower it below "
        "the lowest grade")


def test_retailers_out_of_the_network_are_not_graded(ws, shop):
    shop.retailer("IN")
    shop.retailer("LEFT", network_status="out")
    shop.retailer("EXPIRED", licence_expires=AS_OF - dt.timedelta(days=1))
    shop.retailer("TODAY", licence_expires=AS_OF)           # valid through its last day
    assert sorted(grade(ws)) == ["IN", "TODAY"]


def test_thresholds_set_the_number_of_grades(make_workspace):
    from tobacco_kit import Wholesaler

    ws = make_workspace(packs=["tobacco"], settings={"tobacco.grade": {
        "thresholds": [90, 80, 70, 60, 50, 40, 30]}})
    shop = Wholesaler(ws)
    shop.manager("M1")
    shop.retailer("R1")                                     # 30 points
    shop.retailer("R2")
    shop.orders("R2", thirteen_weeks(300))                  # 80 points
    assert grade(ws) == {"R1": "7", "R2": "2"}
    (cadence,) = [c for c in ws.visit_cadences() if c.name == "tobacco.plan"]
    assert cadence.intervals == {"1": 7, "2": 7, "3": 14, "4": 30, "5": 30, "6": 30, "7": 30,
                                 "8": 30}


def test_an_imported_grade_is_used_and_still_lowered(make_workspace):
    from tobacco_kit import Wholesaler

    ws = make_workspace(packs=["tobacco"], settings={"tobacco.grade": {"source": "imported"}})
    shop = Wholesaler(ws)
    shop.manager("R1", role="regional market manager")
    shop.manager("M1")
    shop.retailer("A", grade=2)
    shop.retailer("B", grade=4)
    shop.retailer("C")                                      # not graded by the source
    case = _violation(ws, shop, "B")
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 11, 23, 16))
    assert grade(ws) == {"A": "2", "B": "5"}
    assert reason(ws, "tobacco.grade", "A") == "grade 2 from the source system"


def test_a_locked_month_keeps_its_published_grades(ws, shop):
    # TOB-GRADE: a period's grades are published and locked (the basis of supply).
    shop.retailer("R1")
    shop.orders("R1", thirteen_weeks(600))
    assert grade(ws) == {"R1": "1"}
    ws.lock_segmentation("tobacco.grade", "2026-11")
    case = _violation(ws, shop, "R1")
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 11, 23, 16))
    assert grade(ws) == {"R1": "1"}
    # December, unlocked: September to November hold 8 of 13 order weeks, 368 cartons:
    # 24 + 18 + 0 (the violation) + 15 = 57, grade 3, lowered to 4.
    assert grade(ws, as_of=dt.date(2026, 12, 1)) == {"R1": "4"}


@pytest.mark.parametrize(("expires_in", "label"), [
    (None, "in"), (31, "in"), (30, "expiring"), (0, "expiring"), (-1, "out")])
def test_network_status_by_licence_expiry(ws, shop, expires_in, label):
    # rule TOB-NETWORK: expiring within 30 days (inclusive); expired: out.
    expires = None if expires_in is None else AS_OF + dt.timedelta(days=expires_in)
    shop.retailer("R1", licence_expires=expires)
    ws.segment(["tobacco.network"], as_of=AS_OF)
    assert labels(ws, "tobacco.network") == {"R1": label}


def test_network_out_by_status_and_its_reasons(ws, shop):
    shop.retailer("LEFT", network_status="out")
    shop.retailer("SOON", licence_expires=dt.date(2026, 12, 24))
    ws.segment(["tobacco.network"], as_of=AS_OF)
    assert reason(ws, "tobacco.network", "LEFT") == "left the network (network_status out)"
    assert reason(ws, "tobacco.network", "SOON") == "licence expires 2026-12-24, in 30 days"


def test_only_licensed_retailers_are_served(ws, shop):
    # A customer without a licence number (another pack's, say) gets no grade and no task.
    shop.retailer("SHOP")
    shop.retailer("BANKC", licence_no=None, licence_expires=AS_OF)
    shop.interaction("C1", "BANKC", "complaint", dt.datetime(2026, 11, 23, 9))
    shop.visit("V1", "BANKC", dt.date(2026, 11, 23), retailer_signed=False)
    assert grade(ws) == {"SHOP": "5"}
    ws.run_rules(as_of=AS_OF)
    assert [t.customer_id for t in ws.tasks() if t.rule.startswith("tobacco.")] == []
    # The visit is not a retailer's: no visit counted, so no rate at all.
    assert ws.kpi(["tobacco.checklist_complete"], period="2026-11", as_of=AS_OF) == []
    shop.orders("SHOP", {"2026-11-02": 30})
    shop.orders("BANKC", {"2026-11-02": 70, "2026-11-09": 5}, metric="cartons")
    shop.orders("BANKC", {"2026-11-09": 5}, metric="shortfall")
    values = {v.kpi: v.value for v in ws.kpi(
        ["tobacco.cartons", "tobacco.stockout_rate"], period="2026-11", as_of=AS_OF)}
    assert values == {"tobacco.cartons": 30.0, "tobacco.stockout_rate": 0.0}


@pytest.mark.parametrize("thresholds", [[], [80, 80, 50], list(range(30, 0, -1))])
def test_thresholds_that_cannot_make_grades_are_refused_at_load(make_workspace, thresholds):
    from guanxi import ConfigError

    with pytest.raises(ConfigError) as caught:
        make_workspace(packs=["tobacco"], settings={"tobacco.grade": {"thresholds": thresholds}})
    assert str(caught.value) == (
        f"guanxi.toml: [tobacco.grade] thresholds = {thresholds!r} must be 1 to 29 different "
        "numbers, one per grade after the first")
