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
    result = ws.build_plan("2026-W49", cadences=["tobacco.plan"], as_of=AS_OF)
    (built,) = result.cadences
    assert (built.planned, built.unplaced) == (10, 1)
    days = [v.day for v in ws.plan("2026-W49", manager="M1")]
    assert days == [dt.date(2026, 11, 30)] * 2 + [dt.date(2026, 12, 1)] * 2 + \
        [dt.date(2026, 12, 2)] * 2 + [dt.date(2026, 12, 3)] * 2 + [dt.date(2026, 12, 4)] * 2
    # Grouped by territory: the five east retailers first, then the five west ones;
    # R11, tied on urgency and last by id, is the one not placed.
    assert [(v.customer_id, v.territory) for v in ws.plan("2026-W49", manager="M1")] == [
        ("R01", "east"), ("R03", "east"), ("R05", "east"), ("R07", "east"), ("R09", "east"),
        ("R02", "west"), ("R04", "west"), ("R06", "west"), ("R08", "west"), ("R10", "west")]
    first = ws.plan("2026-W49", manager="M1")[0]
    assert (first.customer_id, first.territory, first.reason) == (
        "R01", "east", "Grade 1: every 7 days, never visited")


@pytest.mark.parametrize("visited,first,second", [
    (None, "east", "west"),   # all never visited: equally overdue, by name
    ("east", "west", "east"),  # east visited 10 days before the week: west is more overdue
])
def test_tob_plan_two_territories_of_20_each_keep_a_day_of_their_own(
        make_workspace, visited, first, second):
    # rule TOB-PLAN grouping, cap 30: one territory whole on Monday, the other
    # whole on Tuesday (it does not fit Monday's 10 free places).
    ws, shop = graded_shop(make_workspace)
    for territory in ("east", "west"):
        for n in range(1, 21):
            retailer = f"{territory[0].upper()}{n:02d}"
            shop.retailer(retailer, territory=territory)
            shop.orders(retailer, FULL)
            if territory == visited:
                shop.visit(f"V-{retailer}", retailer, dt.date(2026, 11, 20))
    ws.segment(["tobacco.grade"], as_of=AS_OF)
    (built,) = ws.build_plan("2026-W49", cadences=["tobacco.plan"], as_of=AS_OF).cadences
    assert (built.planned, built.unplaced) == (40, 0)
    days: dict = {}
    for v in ws.plan("2026-W49", manager="M1"):
        days.setdefault(v.day, {}).setdefault(v.territory, 0)
        days[v.day][v.territory] += 1
    assert days == {dt.date(2026, 11, 30): {first: 20}, dt.date(2026, 12, 1): {second: 20}}


def test_a_holiday_week_has_fewer_days(make_workspace):
    # 2026-W40: 1-7 October are National Day; Monday 28 to Wednesday 30 September are worked.
    ws, shop = graded_shop(make_workspace, cap=2)
    for n in range(1, 9):
        shop.retailer(f"R{n}")
        shop.orders(f"R{n}", weekly_orders(dt.date(2026, 6, 1), 13, 50))
    ws.segment(["tobacco.grade"], as_of=dt.date(2026, 9, 25))
    ws.build_plan("2026-W40", cadences=["tobacco.plan"], as_of=dt.date(2026, 9, 25))
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
    ws.build_plan("2026-W49", cadences=["tobacco.plan"], as_of=AS_OF)
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
    # rule TOB-UNLICENSED: forwarded by the regional market manager the day it came in.
    shop.retailer("R1")
    shop.interaction("U1", "R1", "unlicensed", dt.datetime(2026, 11, 23, 16), manager_id="M1",
                     note="烟摊 at the bus station")
    # Saturday 28 November is a rest day: due on Monday 30 November.
    shop.interaction("U2", "R1", "unlicensed", dt.datetime(2026, 11, 28, 11), manager_id="M1")
    cases = {c.interaction_id: c for c in ws.cases(policy="tobacco.unlicensed")}
    assert ws.case_waiting_for(cases["U1"].id) == "R1"
    ws.run_rules(["tobacco.step_request"], as_of=dt.date(2026, 11, 28))
    found = sorted((t.customer_id, t.manager_id, t.due_at, t.dedupe_key)
                   for t in ws.tasks(rule="tobacco.step_request"))
    one, two = cases["U1"].id, cases["U2"].id
    assert found == [
        ("R1", "R1", dt.date(2026, 11, 23), f"case:{one}:step:forwarded:request"),
        ("R1", "R1", dt.date(2026, 11, 30), f"case:{two}:step:forwarded:request"),
    ]
    ws.case_step(one, "approve", "R1", at=dt.datetime(2026, 11, 28, 12), note="passed on")
    ws.run_rules(["tobacco.step_request"], as_of=dt.date(2026, 11, 28))
    open_keys = sorted(t.dedupe_key for t in ws.tasks(rule="tobacco.step_request"))
    assert open_keys == [f"case:{one}:step:outcome_reported:request",
                         f"case:{two}:step:forwarded:request"]
    ws.case_step(one, "approve", "R1", at=dt.datetime(2026, 11, 28, 13),
                 note="the monopoly department closed the stall; reported to 卷烟经营部")
    assert [e.step for e in ws.case_history(one) if e.action == "approve"] == [
        "forwarded", "outcome_reported"]
    assert [t.dedupe_key for t in ws.tasks(rule="tobacco.step_request")] == [
        f"case:{two}:step:forwarded:request"]


def test_the_brand_manager_is_asked_to_decide_a_promotion(ws, shop):
    # rule TOB-PROMO: listed by the regional market manager, then the brand manager decides.
    shop.manager("B1", role="brand manager")
    shop.retailer("R1")
    case = ws.open_case("tobacco.promotion", "R1", "M1", summary="promotion: 春节",
                        opened_at=dt.datetime(2026, 11, 23, 9))
    ws.run_rules(["tobacco.step_request"], as_of=AS_OF)
    assert [(t.manager_id, t.reason) for t in ws.tasks(rule="tobacco.step_request")] == [
        ("R1", f"case {case.id} (tobacco.promotion) of M1 waits for you: listed, the regional "
               f"market manager takes the recommendation onto the list (guanxi cases step "
               f"{case.id} approve)")]
    ws.case_step(case.id, "approve", "R1", at=dt.datetime(2026, 11, 23, 10))
    ws.run_rules(["tobacco.step_request"], as_of=AS_OF)
    assert [t.manager_id for t in ws.tasks(rule="tobacco.step_request")] == ["B1"]
