"""TOB-PLAN through the core's planner, and the TOB-QUALITY and TOB-UNLICENSED cases."""

from __future__ import annotations

import datetime as dt

import pytest
from tobacco_kit import AS_OF, Wholesaler, weekly_orders

FULL = weekly_orders(dt.date(2026, 8, 3), 13, 50)      # 100 points: grade 1
NONE: dict = {}                                          # 30 points: grade 5


def graded_shop(make_workspace, cap=None, as_of=AS_OF):
    settings = {"tobacco.plan": {"daily_cap": cap}} if cap else None
    ws = make_workspace(packs=["tobacco"], settings=settings)
    shop = Wholesaler(ws)
    shop.manager("R1", role="regional market manager", territory="east")
    shop.manager("M1", reports_to="R1", territory="east")
    return ws, shop


def test_a_week_holds_the_daily_cap_times_its_working_days_exactly(make_workspace):
    # rule TOB-PLAN: grade 1 weekly; cap 2 over the five days of 2026-W49 holds 10.
    ws, shop = graded_shop(make_workspace, cap=2)
    for n in range(1, 12):
        shop.retailer(f"R{n:02d}", territory="east" if n % 2 else "west")
        shop.orders(f"R{n:02d}", FULL)
    ws.segment(["tobacco.grade"], as_of=AS_OF)
    result = ws.build_plan("2026-W49", cadences=["tobacco.plan"])
    (built,) = result.cadences
    assert (built.planned, built.unplaced) == (10, 1)
    days = [v.day for v in ws.plan("2026-W49", manager="M1")]
    assert days == [dt.date(2026, 11, 30)] * 2 + [dt.date(2026, 12, 1)] * 2 + \
        [dt.date(2026, 12, 2)] * 2 + [dt.date(2026, 12, 3)] * 2 + [dt.date(2026, 12, 4)] * 2
    first = ws.plan("2026-W49", manager="M1")[0]
    assert (first.customer_id, first.territory, first.reason) == (
        "R01", "east", "Grade 1: every 7 days, never visited")


def test_a_holiday_week_has_fewer_days(make_workspace):
    # 2026-W40: 1-7 October are National Day; Monday 28 to Wednesday 30 September are worked.
    ws, shop = graded_shop(make_workspace, cap=2)
    for n in range(1, 9):
        shop.retailer(f"R{n}")
        shop.orders(f"R{n}", weekly_orders(dt.date(2026, 6, 1), 13, 50))
    ws.segment(["tobacco.grade"], as_of=dt.date(2026, 9, 25))
    ws.build_plan("2026-W40", cadences=["tobacco.plan"])
    days = sorted({v.day for v in ws.plan("2026-W40")})
    assert days == [dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30)]
    assert len(ws.plan("2026-W40")) == 6


def test_grades_set_the_interval(make_workspace):
    # Grade 1 weekly, grade 5 monthly: a visit 10 days before the week is due for
    # grade 1 only.
    ws, shop = graded_shop(make_workspace)
    shop.retailer("TOP")
    shop.orders("TOP", FULL)
    shop.retailer("LOW")
    for customer in ("TOP", "LOW"):
        shop.visit(f"V-{customer}", customer, dt.date(2026, 11, 20))
    ws.segment(["tobacco.grade"], as_of=AS_OF)
    ws.build_plan("2026-W49", cadences=["tobacco.plan"])
    assert [(v.customer_id, v.reason) for v in ws.plan("2026-W49")] == [
        ("TOP", "Grade 1: every 7 days, last visit 2026-11-20, 3 days overdue")]


def test_a_quality_complaint_goes_through_its_steps_with_who_and_when(ws, shop):
    # rule TOB-QUALITY (§4.6): inspected -> form signed -> approved by the regional market
    # manager -> replaced -> receipt confirmed -> result fed back.
    shop.retailer("R1")
    shop.interaction("Q1", "R1", "quality_complaint", dt.datetime(2026, 11, 23, 9),
                     manager_id="M1", brand="红塔山", note="2 cartons damp")
    (case,) = ws.cases(policy="tobacco.quality")
    assert (case.owner_id, case.step_due_at) == ("M1", dt.datetime(2026, 11, 24, 9))
    at = dt.datetime(2026, 11, 23, 15)
    ws.case_step(case.id, "approve", "M1", at=at, note="inspected on site")
    ws.case_step(case.id, "approve", "M1", at=at + dt.timedelta(hours=1), note="form signed")
    with pytest.raises(Exception, match="R1"):
        ws.case_step(case.id, "approve", "M1", at=at + dt.timedelta(hours=2))
    ws.case_step(case.id, "approve", "R1", at=at + dt.timedelta(hours=20))
    ws.case_step(case.id, "approve", "M1", at=at + dt.timedelta(hours=30), note="replaced")
    ws.case_step(case.id, "approve", "M1", at=at + dt.timedelta(hours=31),
                 note="客户确认 signed")
    ws.case_step(case.id, "resolve", "M1", at=at + dt.timedelta(hours=32), note="fed back")
    history = [(e.action, e.step, e.actor_id, e.at) for e in ws.case_history(case.id)
               if e.action in ("approve", "resolve")]
    assert history == [
        ("approve", "inspected", "M1", at),
        ("approve", "form_signed", "M1", at + dt.timedelta(hours=1)),
        ("approve", "approved", "R1", at + dt.timedelta(hours=20)),
        ("approve", "replaced", "M1", at + dt.timedelta(hours=30)),
        ("approve", "receipt_confirmed", "M1", at + dt.timedelta(hours=31)),
        ("resolve", None, "M1", at + dt.timedelta(hours=32)),
    ]
    assert ws.case(case.id).breached is False


def test_unlicensed_selling_goes_to_the_regional_manager_the_same_working_day(ws, shop):
    # rule TOB-UNLICENSED: 8 working hours (09:00-17:30) from Monday 10:00 is Tuesday 09:30.
    shop.retailer("R1")
    shop.interaction("U1", "R1", "unlicensed", dt.datetime(2026, 11, 23, 10), manager_id="M1",
                     note="烟摊 at the bus station")
    (case,) = ws.cases(policy="tobacco.unlicensed")
    assert case.step_due_at == dt.datetime(2026, 11, 24, 9, 30)
    assert ws.case_waiting_for(case.id) == "R1"
