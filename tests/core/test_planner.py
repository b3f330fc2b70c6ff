"""The visit planner at its boundaries (rule BANK-VISIT, POWER-VISIT, TOB-PLAN).

Every value is exact; the week 2026-W48 runs Monday 2026-11-23 to Sunday
2026-11-29 with five working days, 2026-W40 and 2026-W41 hold mainland
China's National Day (1-7 October 2026) and the make-up Saturday 10 October.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import attrs
import pytest
from click.testing import CliRunner
from sqlalchemy import insert, literal, select

import guanxi
from core_helpers import count
from guanxi.cli import cli
from guanxi.errors import PackError, UsageError
from guanxi.service.planner import CadenceRun, Unplaced, Week
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t

W48 = dt.date(2026, 11, 23)  # Monday of 2026-W48
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the workspaces' time zone


def day(n: int) -> dt.date:
    """The n-th day of 2026-W48, Monday = 0."""
    return W48 + dt.timedelta(days=n)


def grade_query(ctx):
    c = ctx.tables.customers
    grade = ctx.attribute(c, "grade")
    return select(c.c.id.label("customer_id"), grade.label("label"), literal(0.0).label("score"),
                  literal("graded by hand").label("reason")).where(grade.is_not(None))


class GradePack:
    """A TOB-PLAN-like pack: grades 1 weekly, 3 every two weeks, 5 monthly."""

    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="grade", entity="customers", type="text")]

    @guanxi.hookimpl
    def guanxi_config_options(self):
        return [guanxi.ConfigOption(name="plan.cap", type="integer", default=3, minimum=1,
                                    description="Planned visits per manager a day.")]

    @guanxi.hookimpl
    def guanxi_segmentations(self):
        return [guanxi.Segmentation(name="p.grade", title="Grade", description="The grade.",
                                    query=grade_query, labels=("1", "3", "5", "9"))]

    @guanxi.hookimpl
    def guanxi_visit_cadences(self, workspace):
        return [guanxi.VisitCadence(
            name="p.plan", title="Weekly plan", segmentation="p.grade",
            intervals={"1": 7, "3": 14, "5": 30}, daily_cap=workspace.settings["p"]["plan.cap"],
            visit_kinds=("visit", "meeting"))]


@pytest.fixture
def planning(make_workspace):
    """``planning(cap)``: a workspace with the grade pack and managers M1, M2 (north), OFF."""

    def make(cap: int = 3, **settings):
        ws = make_workspace(extra_packs={"p": GradePack()},
                            settings={"p.plan": {"cap": cap}, **settings})
        ws.save("managers", [{"id": "M1", "name": "Wang"},
                             {"id": "M2", "name": "Li", "territory": "north"},
                             {"id": "OFF", "name": "Gone", "active": False}])
        return ws

    return make


def customers(ws, *rows):
    """Customers as (id, grade, territory[, manager]); M1's unless named."""
    ws.save("customers", [
        {"id": r[0], "name": f"Customer {r[0]}", "grade": r[1], "territory": r[2],
         "manager_id": r[3] if len(r) > 3 else "M1"} for r in rows])


def visits(ws, *rows):
    """Interactions as (customer, when[, kind]); ``when`` a date (10:00) or datetime."""
    ws.save("interactions", [
        {"id": f"I-{r[0]}-{r[1]}-{r[2] if len(r) > 2 else 'visit'}", "customer_id": r[0],
         "kind": r[2] if len(r) > 2 else "visit",
         "occurred_at": r[1] if isinstance(r[1], dt.datetime)
         else dt.datetime.combine(r[1], dt.time(10))} for r in rows])


def friday_before(week: str) -> dt.date:
    """TOB-PLAN's planning day: the Friday before the week, so the week is not over."""
    return Week.parse(week).start - dt.timedelta(days=3)


def plan(ws, week="2026-W48"):
    ws.segment(["p.grade"], as_of=Week.parse(week).start)
    return ws.build_plan(week, ["p.plan"], as_of=friday_before(week))


def schedule(ws, week="2026-W48", manager=None) -> dict:
    """{day: [customer, ...]} in the plan's order (by territory, then customer)."""
    days: dict = {}
    for v in ws.plan(week, manager):
        days.setdefault(v.day, []).append(v.customer_id)
    return days


# -- the daily cap -------------------------------------------------------------


@pytest.mark.parametrize("due,expected", [
    (3, {day(0): ["C1", "C2", "C3"]}),
    (4, {day(0): ["C1", "C2", "C3"], day(1): ["C4"]}),
])
def test_a_daily_cap_exactly_reached_fills_one_day_and_one_more_opens_the_next(
        planning, due, expected):
    ws = planning(cap=3)
    customers(ws, *[(f"C{i}", "1", "east") for i in range(1, due + 1)])
    result = plan(ws)
    assert result.cadences == (CadenceRun(cadence="p.plan", planned=due, already_planned=0,
                                          unplaced=0),)
    assert result.unplaced == ()
    assert schedule(ws) == expected


def test_more_due_than_the_week_holds_reports_the_rest_and_plans_them_first_next_week(planning):
    ws = planning(cap=2)  # five working days: room for 10
    # Weekly customers, C01 1 day overdue at the week's start ... C13 13 days.
    customers(ws, *[(f"C{k:02d}", "1", "east") for k in range(1, 14)])
    visits(ws, *[(f"C{k:02d}", day(-7 - k)) for k in range(1, 14)])
    result = plan(ws)
    assert result.unplaced == (Unplaced(cadence="p.plan", manager_id="M1", count=3),)
    assert result.cadences[0].planned == 10
    # The most overdue fill the week, most overdue first.
    assert schedule(ws) == {day(0): ["C12", "C13"], day(1): ["C10", "C11"],
                            day(2): ["C08", "C09"], day(3): ["C06", "C07"],
                            day(4): ["C04", "C05"]}
    first = ws.plan("2026-W48")[1]
    assert first.reason == "Grade 1: every 7 days, last visit 2026-11-03, 13 days overdue"
    # Each visit is made on its day; next week the three left over are the
    # most overdue and come first (then C07, C05, C04 are the ones left over).
    visits(ws, *[(v.customer_id, v.day) for v in ws.plan("2026-W48")])
    following = plan(ws, "2026-W49")
    assert following.unplaced == (Unplaced(cadence="p.plan", manager_id="M1", count=3),)
    nxt = schedule(ws, "2026-W49")
    assert nxt[dt.date(2026, 11, 30)] == ["C02", "C03"]
    assert nxt[dt.date(2026, 12, 1)] == ["C01", "C12"]
    assert "C07" not in sum(nxt.values(), []) and "C04" not in sum(nxt.values(), [])


# -- holidays and make-up days ------------------------------------------------------


def test_a_holiday_week_has_fewer_days_and_a_make_up_saturday_is_one(planning):
    ws = planning(cap=2)
    # The calendar's answer for the week after National Day: Thursday,
    # Friday and the make-up Saturday.
    assert ws.calendar().working_days(dt.date(2026, 10, 5), dt.date(2026, 10, 12)) == [
        dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]
    customers(ws, *[(f"C{i}", "5", "east") for i in range(1, 8)])
    result = plan(ws, "2026-W41")
    assert schedule(ws, "2026-W41") == {dt.date(2026, 10, 8): ["C1", "C2"],
                                        dt.date(2026, 10, 9): ["C3", "C4"],
                                        dt.date(2026, 10, 10): ["C5", "C6"]}
    assert result.unplaced == (Unplaced(cadence="p.plan", manager_id="M1", count=1),)
    tasks = ws.tasks(rule="p.plan")
    assert [x.due_at for x in tasks][-2:] == [dt.date(2026, 10, 10)] * 2


def test_a_holiday_on_the_due_date_moves_the_visit_to_the_next_working_week(planning):
    ws = planning(cap=5)
    # 2026-W40: working days 28-30 September only (1-4 October are off).
    customers(ws, ("LAST", "1", "east"), ("HOLIDAY", "1", "east"))
    visits(ws, ("LAST", dt.date(2026, 9, 23)), ("HOLIDAY", dt.date(2026, 9, 24)))
    plan(ws, "2026-W40")
    # Due 30 September, the week's last working day: planned; due 1
    # October, a holiday after it: not this week.
    assert schedule(ws, "2026-W40") == {dt.date(2026, 9, 28): ["LAST"]}
    assert [v.reason for v in ws.plan("2026-W40")] == [
        "Grade 1: every 7 days, last visit 2026-09-23, due 2026-09-30"]
    plan(ws, "2026-W41")
    (moved,) = [v for v in ws.plan("2026-W41") if v.customer_id == "HOLIDAY"]
    assert (moved.day, moved.reason) == (
        dt.date(2026, 10, 8), "Grade 1: every 7 days, last visit 2026-09-24, 4 days overdue")


def test_each_manager_plans_on_the_calendar_of_their_territory(planning):
    ws = planning(cap=1)
    # A local holiday in the north on Monday: M2 starts on Tuesday.
    ws.save("calendar_days", [{"calendar": "north", "day": "2026-11-23", "working": False,
                               "note": "local holiday"}])
    customers(ws, ("A", "1", "east", "M1"), ("B", "1", "east", "M2"))
    plan(ws)
    assert [(v.manager_id, v.day, v.customer_id) for v in ws.plan("2026-W48")] == [
        ("M1", day(0), "A"), ("M2", day(1), "B")]


def test_a_manager_without_a_working_day_in_the_week_places_nothing(planning):
    ws = planning(cap=5)
    ws.save("calendar_days", [{"calendar": "north", "day": day(n), "working": False}
                              for n in range(5)])
    customers(ws, ("A", "1", "east", "M1"), ("B", "1", "east", "M2"), ("C", "5", "west", "M2"))
    result = plan(ws)
    assert schedule(ws) == {day(0): ["A"]}
    assert result.unplaced == (Unplaced(cadence="p.plan", manager_id="M2", count=2),)


def test_a_workspace_without_managers_plans_nothing(workspace):
    result = workspace.build_plan("2026-W48", as_of=W48)
    assert result.cadences == (CadenceRun(cadence="core.visits", planned=0, already_planned=0,
                                          unplaced=0),)
    assert count(workspace, st.plan_visits) == 0


# -- what is due ------------------------------------------------------------------


def test_who_is_due_in_the_week(planning):
    ws = planning(cap=10)
    customers(ws,
              ("WITHIN", "1", "east"),   # visited 21 Nov: due Saturday 28th, after Friday
              ("LASTDAY", "1", "east"),  # visited 20 Nov: due Friday 27th, the last working day
              ("FORTNIGHT", "3", "east"),  # grade 3, visited 13 Nov: due Friday 27th
              ("CALLED", "1", "east"),   # only a call: not a visit, so never visited
              ("MET", "1", "east"),      # a meeting is one of this cadence's visit kinds
              ("NOGRADE", "9", "east"),  # grade 9 has no interval
              ("UNGRADED", None, "east"),
              ("ORPHAN", "1", "east", "OFF"))  # owned by an inactive manager
    visits(ws, ("WITHIN", dt.date(2026, 11, 21)), ("LASTDAY", dt.date(2026, 11, 20)),
           ("FORTNIGHT", dt.date(2026, 11, 13)), ("CALLED", dt.date(2026, 11, 20), "call"),
           ("MET", dt.date(2026, 11, 22), "meeting"))
    plan(ws)
    reasons = {v.customer_id: v.reason for v in ws.plan("2026-W48")}
    assert reasons == {
        "LASTDAY": "Grade 1: every 7 days, last visit 2026-11-20, due 2026-11-27",
        "FORTNIGHT": "Grade 3: every 14 days, last visit 2026-11-13, due 2026-11-27",
        "CALLED": "Grade 1: every 7 days, never visited",
    }


def test_overdue_by_one_day_and_on_the_week_start(planning):
    ws = planning(cap=10)
    customers(ws, ("ONE", "1", "east"), ("ZERO", "1", "east"))
    visits(ws, ("ONE", dt.date(2026, 11, 15)), ("ZERO", dt.date(2026, 11, 16)))
    plan(ws)
    assert [v.reason for v in ws.plan("2026-W48")] == [
        "Grade 1: every 7 days, last visit 2026-11-15, 1 day overdue",
        "Grade 1: every 7 days, last visit 2026-11-16, due 2026-11-23",
    ]


def test_a_customer_gets_one_planned_visit_a_week_the_sector_cadence_first(planning):
    ws = planning(cap=1, **{"core.visits": {"daily_cap": 1}})
    # BOTH has a grade and is active: the pack's cadence plans it, and the
    # core's generic cadence, planning last, leaves it alone; CORE has no
    # grade, so only the core's cadence plans it.
    customers(ws, ("BOTH", "1", "east"), ("CORE", None, "east"))
    visits(ws, ("BOTH", dt.date(2026, 10, 20)), ("CORE", dt.date(2026, 10, 20)))
    ws.segment(as_of=W48)
    result = ws.build_plan("2026-W48", as_of=W48)
    assert [(run.cadence, run.planned) for run in result.cadences] == [
        ("p.plan", 1), ("core.visits", 1)]
    # Monday's one place is taken by the pack's visit: the cap counts every
    # visit of the manager's day, whichever cadence planned it.
    assert [(v.cadence, v.customer_id, v.day) for v in ws.plan("2026-W48")] == [
        ("p.plan", "BOTH", day(0)), ("core.visits", "CORE", day(1))]
    # Asked for alone, the core's cadence still sees the week's plan.
    assert ws.build_plan("2026-W48", ["core.visits"], as_of=W48).cadences[0].planned == 0


# -- territory grouping ------------------------------------------------------------


def test_territory_grouping_keeps_a_day_to_one_territory_as_far_as_the_cap_allows(planning):
    ws = planning(cap=2)
    # Days overdue: E1 5, W1 9, E2 3, W2 7, E3 1; NONE (no territory) 20.
    customers(ws, ("E1", "1", "east"), ("W1", "1", "west"), ("E2", "1", "east"),
              ("W2", "1", "west"), ("E3", "1", "east"), ("NONE", "1", None))
    overdue = {"E1": 5, "W1": 9, "E2": 3, "W2": 7, "E3": 1, "NONE": 20}
    visits(ws, *[(c, W48 - dt.timedelta(days=7 + n)) for c, n in overdue.items()])
    plan(ws)
    rows = [(v.day, v.territory, v.customer_id) for v in ws.plan("2026-W48")]
    # West first (its most overdue, 9 days, beats east's 5): whole on Monday.
    # East (3) is larger than any day (2): it spans Tuesday and Wednesday.
    # Customers without a territory fill what is left, in day order.
    assert rows == [(day(0), "west", "W1"), (day(0), "west", "W2"),
                    (day(1), "east", "E1"), (day(1), "east", "E2"),
                    (day(2), "east", "E3"), (day(2), None, "NONE")]


def test_grouping_decides_the_day_never_who_fits_the_week(planning):
    ws = planning(cap=1)  # five places
    # Five east customers just due, two west ones long overdue: the week
    # keeps the two west ones and the three most overdue east ones.
    overdue = {"E1": 0, "E2": 1, "E3": 2, "E4": 3, "E5": 4, "W1": 30, "W2": 20}
    customers(ws, *[(c, "1", "east" if c[0] == "E" else "west") for c in overdue])
    visits(ws, *[(c, W48 - dt.timedelta(days=7 + n)) for c, n in overdue.items()])
    result = plan(ws)
    assert [(v.day, v.customer_id) for v in ws.plan("2026-W48")] == [
        (day(0), "W1"), (day(1), "W2"), (day(2), "E5"), (day(3), "E4"), (day(4), "E3")]
    assert result.unplaced == (Unplaced(cadence="p.plan", manager_id="M1", count=2),)


def territory_customers(ws, territory: str, size: int, overdue: int, manager="M1"):
    """``size`` grade-1 customers in ``territory``: the first ``overdue`` days overdue
    on 2026-W48's Monday, the others due that Monday."""
    ids = [f"{territory}{k:02d}" for k in range(1, size + 1)]
    customers(ws, *[(c, "1", territory, manager) for c in ids])
    visits(ws, *[(c, W48 - dt.timedelta(days=7 + (overdue if k == 0 else 0)))
                 for k, c in enumerate(ids)])
    return ids


def per_day(ws, manager="M1") -> dict:
    """{day: {territory: visits}} of 2026-W48."""
    days: dict = {}
    for v in ws.plan("2026-W48", manager):
        days.setdefault(v.day, {}).setdefault(v.territory, 0)
        days[v.day][v.territory] += 1
    return days


def test_tob_plan_two_territories_of_20_with_cap_30_each_get_a_day_of_their_own(planning):
    # rule TOB-PLAN grouping: east (most overdue) whole on Monday; west does
    # not fit Monday's 10 free places, so it goes whole on Tuesday.
    ws = planning(cap=30)
    territory_customers(ws, "east", 20, overdue=25)
    territory_customers(ws, "west", 20, overdue=24)
    result = plan(ws)
    assert (result.planned, result.unplaced) == (40, ())
    assert per_day(ws) == {day(0): {"east": 20}, day(1): {"west": 20}}


def test_tob_plan_a_territory_larger_than_a_day_spans_days_and_others_fit_where_they_can(
        planning):
    # rule TOB-PLAN grouping: east (45, most overdue) spans Monday and
    # Tuesday; west (20) does not fit Tuesday's 15 free places and goes whole
    # on Wednesday; north (10, least overdue) fits Tuesday's free places.
    ws = planning(cap=30)
    territory_customers(ws, "east", 45, overdue=60)
    territory_customers(ws, "west", 20, overdue=14)
    territory_customers(ws, "north", 10, overdue=12)
    plan(ws)
    assert per_day(ws) == {day(0): {"east": 30}, day(1): {"east": 15, "north": 10},
                           day(2): {"west": 20}}
    # Within a spanning territory the most overdue go first.
    monday = [v.customer_id for v in ws.plan("2026-W48") if v.day == day(0)]
    assert sorted(monday) == [f"east{k:02d}" for k in range(1, 31)]


@pytest.mark.parametrize("alpha,zulu,first,second", [
    (10, 10, "alpha", "zulu"),   # equally overdue: by name
    (9, 10, "zulu", "alpha"),    # zulu's most overdue customer is a day more overdue
])
def test_tob_plan_territories_go_by_their_most_overdue_customer_ties_by_name(
        planning, alpha, zulu, first, second):
    ws = planning(cap=30)
    territory_customers(ws, "zulu", 20, overdue=zulu)
    territory_customers(ws, "alpha", 20, overdue=alpha)
    plan(ws)
    assert per_day(ws) == {day(0): {first: 20}, day(1): {second: 20}}


def test_tob_plan_territories_take_the_working_days_of_the_business_calendar(planning):
    # A holiday Monday in M2's territory (north): the week starts on Tuesday.
    ws = planning(cap=30)
    ws.save("calendar_days", [{"calendar": "north", "day": "2026-11-23", "working": False,
                               "note": "local holiday"}])
    territory_customers(ws, "east", 20, overdue=25, manager="M2")
    territory_customers(ws, "west", 20, overdue=24, manager="M2")
    plan(ws)
    assert per_day(ws, "M2") == {day(1): {"east": 20}, day(2): {"west": 20}}


def test_without_grouping_the_most_overdue_fill_the_days_in_order(make_workspace):
    class Ungrouped(GradePack):
        @guanxi.hookimpl
        def guanxi_visit_cadences(self, workspace):
            return [guanxi.VisitCadence(
                name="p.plan", title="Weekly plan", segmentation="p.grade",
                intervals={"1": 7}, daily_cap=30, group_by="none", visit_kinds=("visit",))]

    ws = make_workspace(extra_packs={"p": Ungrouped()})
    ws.save("managers", [{"id": "M1", "name": "Wang"}])
    territory_customers(ws, "east", 20, overdue=25)
    territory_customers(ws, "west", 20, overdue=24)
    plan(ws)
    # Urgency alone: east01 (25 days overdue), west01 (24), then the others
    # (due Monday) by id: 20 east and 10 west on Monday, the other 10 west on Tuesday.
    assert per_day(ws) == {day(0): {"east": 20, "west": 10}, day(1): {"west": 10}}


# -- re-planning -------------------------------------------------------------------


def test_replanning_a_week_duplicates_nothing_and_fills_the_free_places(planning):
    ws = planning(cap=3)
    customers(ws, *[(f"C{i}", "1", "east") for i in range(1, 5)])
    plan(ws)
    again = plan(ws)
    assert again.cadences == (CadenceRun(cadence="p.plan", planned=0, already_planned=4,
                                         unplaced=0),)
    assert (count(ws, t.tasks), count(ws, st.plan_visits)) == (4, 4)
    # A visit made and a customer new to the plan: the visited one stays as
    # planned, the new one takes Tuesday's first free place.
    ws.task_done(ws.plan("2026-W48")[0].task_id)
    customers(ws, ("C0", "1", "east"))
    third = plan(ws)
    assert third.cadences[0].planned == 1
    assert schedule(ws) == {day(0): ["C1", "C2", "C3"], day(1): ["C0", "C4"]}
    assert (count(ws, t.tasks), count(ws, st.plan_visits)) == (5, 5)


def test_each_planned_visit_is_one_open_visit_task_linked_to_its_row(planning):
    ws = planning(cap=3)
    customers(ws, ("C1", "1", "east"))
    plan(ws)
    (visit,) = ws.plan("2026-W48")
    (task,) = ws.tasks(rule="p.plan")
    assert visit.task_id == task.id
    assert (task.kind, task.status, task.manager_id, task.customer_id, task.due_at,
            task.dedupe_key, task.reason) == (
        "visit", "open", "M1", "C1", dt.date(2026, 11, 23), "2026-W48",
        "Grade 1: every 7 days, never visited")


# -- visits close their tasks; the KPIs ---------------------------------------------


def test_a_visit_closes_its_task_and_the_plan_kpis_count_it(planning):
    ws = planning(cap=2)
    customers(ws, ("K1", "1", "east"), ("K2", "1", "east"), ("K3", "1", "west"),
              ("K4", "1", "west"))
    plan(ws)
    assert schedule(ws) == {day(0): ["K1", "K2"], day(1): ["K3", "K4"]}
    visits(ws, ("K1", dt.datetime(2026, 11, 23, 9, 30)),  # on the planned day
           ("K2", day(2), "meeting"),                      # a visit kind, another day
           ("K3", day(1), "call"),                         # not a visit
           ("K4", day(-1)))                                # before the week began
    tasks = {x.customer_id: x for x in ws.tasks(rule="p.plan", status=None)}
    assert {c: x.status for c, x in tasks.items()} == {
        "K1": "done", "K2": "done", "K3": "open", "K4": "open"}
    assert (tasks["K1"].closed_at, tasks["K1"].outcome) == (
        dt.datetime(2026, 11, 23, 9, 30), "visit recorded")
    assert tasks["K2"].closed_at == dt.datetime(2026, 11, 25, 10)

    def kpis(as_of, by="all"):
        return {(r.kpi, r.scope_key): r.value
                for r in ws.kpi(["core.plan_completion", "core.plan_on_day"], period="2026-11",
                                by=by, as_of=as_of)}

    assert kpis(dt.date(2026, 11, 30)) == {("core.plan_completion", ""): 0.5,
                                           ("core.plan_on_day", ""): 0.25}
    assert kpis(dt.date(2026, 11, 30), "territory") == {
        ("core.plan_completion", "east"): 1.0, ("core.plan_completion", "west"): 0.0,
        ("core.plan_on_day", "east"): 0.5, ("core.plan_on_day", "west"): 0.0}
    # Only the days that have come: on Monday, Monday's two visits.
    assert kpis(dt.date(2026, 11, 23), "manager") == {("core.plan_completion", "M1"): 1.0,
                                                      ("core.plan_on_day", "M1"): 0.5}


def test_a_missed_visit_is_carried_into_the_next_plan_not_duplicated(planning):
    ws = planning(cap=2)
    customers(ws, ("C1", "1", "east"), ("C2", "1", "east"))
    plan(ws)
    first = {v.customer_id: v.task_id for v in ws.plan("2026-W48")}
    # C2 is visited in its week; C1 is not.
    visits(ws, ("C2", day(0)))
    result = plan(ws, "2026-W49")
    assert result.cadences == (CadenceRun(cadence="p.plan", planned=2, already_planned=0,
                                          unplaced=0, carried=1),)
    rows = {(v.week, v.customer_id): v for v in ws.plan()}
    # C1's open task moved: re-dated to the new day, its week and reason with it.
    carried = "Grade 1: every 7 days, never visited, carried from week 2026-W48 " \
              "(was due 2026-11-23)"
    c1 = rows["2026-W49", "C1"]
    assert (c1.day, c1.task_id, c1.reason, c1.status) == (
        dt.date(2026, 11, 30), first["C1"], carried, "open")
    (task,) = ws.tasks(rule="p.plan", customer="C1", status=None)
    assert (task.id, task.status, task.due_at, task.dedupe_key, task.reason) == (
        first["C1"], "open", dt.date(2026, 11, 30), "2026-W49", carried)
    # The earlier week's row stays as history, marked moved, with its own reason.
    old = rows["2026-W48", "C1"]
    assert (old.day, old.task_id, old.status, old.reason) == (
        day(0), first["C1"], "moved", "Grade 1: every 7 days, never visited")
    # C2's visit was made: its next visit is a new task.
    c2 = rows["2026-W49", "C2"]
    assert c2.task_id != first["C2"]
    assert c2.reason == "Grade 1: every 7 days, last visit 2026-11-23, due 2026-11-30"
    assert [(x.customer_id, x.dedupe_key, x.status) for x in ws.tasks(rule="p.plan",
                                                                       status=None)] == [
        ("C2", "2026-W48", "done"), ("C1", "2026-W49", "open"), ("C2", "2026-W49", "open")]
    # Building the week again moves and adds nothing.
    again = plan(ws, "2026-W49")
    assert (again.cadences[0].planned, again.cadences[0].carried) == (0, 0)
    assert (count(ws, t.tasks), count(ws, st.plan_visits)) == (3, 4)
    # One visit closes the one task.
    visits(ws, ("C1", dt.date(2026, 12, 1)))
    assert [(x.dedupe_key, x.status, x.closed_at) for x in ws.tasks(
        rule="p.plan", customer="C1", status=None)] == [
        ("2026-W49", "done", dt.datetime(2026, 12, 1, 10))]


def test_a_carried_visit_counts_as_missed_in_its_first_week_and_kept_in_the_next(planning):
    ws = planning(cap=2)
    customers(ws, ("C1", "1", "east"))
    plan(ws)
    plan(ws, "2026-W49")
    visits(ws, ("C1", dt.date(2026, 11, 30)))  # made on the new day
    values = {r.kpi: r.value for r in ws.kpi(["core.plan_completion", "core.plan_on_day"],
                                              period="2026-11", as_of=dt.date(2026, 11, 30))}
    # 2026-W48's row (moved) was missed; 2026-W49's (Monday 30th) was kept.
    assert values == {"core.plan_completion": 0.5, "core.plan_on_day": 0.5}


def test_a_visit_missed_twice_is_carried_from_its_latest_week(planning):
    ws = planning(cap=2)
    ws.config = attrs.evolve(ws.config, language="zh")
    customers(ws, ("C1", "1", "east"))
    plan(ws)
    plan(ws, "2026-W49")
    plan(ws, "2026-W50")
    assert [(v.week, v.status) for v in ws.plan()] == [
        ("2026-W48", "moved"), ("2026-W49", "moved"), ("2026-W50", "open")]
    (task,) = ws.tasks(rule="p.plan")
    assert (task.due_at, task.reason) == (
        dt.date(2026, 12, 7),
        "Grade1：每 7 天拜访一次，从未拜访，自 2026-W49 顺延（原定 2026-11-30）")


def test_only_earlier_weeks_are_carried_and_only_planned_visit_tasks(planning):
    ws = planning(cap=2)
    customers(ws, ("C1", "1", "east"), ("C2", "1", "east"))
    # An open visit task of another rule (not a planned visit) stays as it is.
    with ws.engine.begin() as conn:
        conn.execute(insert(t.tasks).values(
            rule="x.followup", customer_id="C2", manager_id="M1", kind="visit",
            due_at=dt.datetime(2026, 11, 16), reason="follow up", dedupe_key="x",
            created_at=dt.datetime(2026, 11, 10)))
    # W49 is planned first, then W48 (forced: its Sunday is before the as-of day).
    plan(ws, "2026-W49")
    ws.segment(["p.grade"], as_of=W48)
    result = ws.build_plan("2026-W48", ["p.plan"], as_of=dt.date(2026, 12, 1), force=True)
    # W49's open tasks are later, not earlier: W48 gets tasks of its own.
    assert (result.planned, result.cadences[0].carried) == (2, 0)
    assert sorted((x.rule, x.customer_id, x.dedupe_key, x.due_at)
                  for x in ws.tasks(status=None)) == [
        ("p.plan", "C1", "2026-W48", dt.date(2026, 11, 23)),
        ("p.plan", "C1", "2026-W49", dt.date(2026, 11, 30)),
        ("p.plan", "C2", "2026-W48", dt.date(2026, 11, 23)),
        ("p.plan", "C2", "2026-W49", dt.date(2026, 11, 30)),
        ("x.followup", "C2", "x", dt.date(2026, 11, 16))]


def test_a_sector_cadence_carries_the_core_cadences_open_visit(planning):
    # One planned visit a customer: the core's earlier open visit becomes the
    # pack's when the pack plans the customer (its rule follows the plan row).
    ws = planning(cap=2)
    customer = {"id": "C1", "name": "C1", "manager_id": "M1", "territory": "east",
                "created_at": "2026-01-01"}
    ws.save("customers", [customer])
    ws.segment(as_of=W48)
    (run,) = ws.build_plan("2026-W48", ["core.visits"], as_of=W48).cadences
    assert run.planned == 1
    ws.save("customers", [{**customer, "grade": "1"}])
    ws.segment(as_of=dt.date(2026, 11, 30))
    result = ws.build_plan("2026-W49", as_of=dt.date(2026, 11, 30))
    assert [(r.cadence, r.planned, r.carried) for r in result.cadences] == [
        ("p.plan", 1, 1), ("core.visits", 0, 0)]
    (task,) = ws.tasks(status=None)
    assert (task.rule, task.dedupe_key, task.due_at) == (
        "p.plan", "2026-W49", dt.date(2026, 11, 30))
    assert task.reason.endswith(", carried from week 2026-W48 (was due 2026-11-23)")
    assert [(v.cadence, v.week, v.status) for v in ws.plan()] == [
        ("core.visits", "2026-W48", "moved"), ("p.plan", "2026-W49", "open")]


def test_the_plan_kpis_count_a_visit_for_the_manager_it_was_planned_for(planning, time_machine):
    # Customers saved without created_at are owned from the day they are
    # saved: that day is the planning week's Monday, not the wall clock's.
    time_machine.move_to(dt.datetime(2026, 11, 23, 9, 0), tick=False)
    ws = planning(cap=2)
    customers(ws, ("A", "1", "east", "M1"))
    plan(ws)
    visits(ws, ("A", day(0)))
    # A handover after planning: the plan and its KPI stay with M1.
    ws.reassign("M1", "M2", on=day(1))
    (row,) = ws.kpi(["core.plan_completion"], period="2026-11", by="manager",
                    as_of=dt.date(2026, 11, 30))
    assert (row.scope_key, row.value) == ("M1", 1.0)


# -- the generic cadence ------------------------------------------------------------


@pytest.mark.parametrize("settings,planned", [
    (None, {"ACTIVE": "Activity active: every 30 days, last visit 2026-10-20, 4 days overdue",
            "DORMANT": "Activity dormant: every 14 days, last visit 2026-08-01, 100 days overdue"}),
    ({"core.visits": {"dormant_days": 0}},
     {"ACTIVE": "Activity active: every 30 days, last visit 2026-10-20, 4 days overdue"}),
])
def test_the_core_cadence_visits_by_activity(make_workspace, settings, planned):
    ws = make_workspace(settings=settings)
    ws.save("managers", [{"id": "M1", "name": "Wang"}])
    ws.save("customers", [{"id": c, "name": c, "manager_id": "M1", "created_at": "2020-01-01"}
                          for c in ("ACTIVE", "SOON", "DORMANT", "LOST")])
    visits(ws, ("ACTIVE", dt.date(2026, 10, 20)),   # due 19 Nov
           ("SOON", dt.date(2026, 10, 30)),         # due Sunday 29 Nov: after Friday
           ("DORMANT", dt.date(2026, 8, 1)),
           ("LOST", dt.date(2025, 1, 1)))            # lost: never planned
    ws.segment(as_of=W48)
    (cadence,) = ws.visit_cadences()
    assert (cadence.name, cadence.segmentation, dict(cadence.intervals), cadence.daily_cap) == (
        "core.visits", "core.activity",
        {"active": 30, "dormant": 0 if settings else 14}, 8)
    ws.build_plan("2026-W48", as_of=W48)
    assert {v.customer_id: v.reason for v in ws.plan("2026-W48")} == planned


def test_reasons_are_written_in_the_workspace_language(planning):
    ws = planning(cap=3)
    ws.config = attrs.evolve(ws.config, language="zh")
    customers(ws, ("C1", "3", "east"), ("C2", "1", "east"))
    visits(ws, ("C1", dt.date(2026, 11, 2)))
    plan(ws)
    assert [v.reason for v in ws.plan("2026-W48")] == [
        "Grade3：每 14 天拜访一次，上次拜访 2026-11-02，已逾期 7 天",
        "Grade1：每 7 天拜访一次，从未拜访",
    ]


# -- weeks and cadences named wrongly ----------------------------------------------------


def test_weeks_are_iso_weeks_and_the_default_is_next_week(planning, monkeypatch):
    assert Week.parse("2026-W48") == Week("2026-W48", W48, dt.date(2026, 11, 30))
    assert Week.parse("2026-W53").start == dt.date(2026, 12, 28)
    with pytest.raises(UsageError, match=r"^week '2026-48' must be an ISO week like 2026-W48$"):
        Week.parse("2026-48")
    with pytest.raises(UsageError, match=r"^week '2025-W53' does not exist: 2025 has no week 53$"):
        Week.parse("2025-W53")
    ws = planning()
    monkeypatch.setattr(ws, "today", lambda: dt.date(2026, 11, 20))  # Friday of W47
    assert ws.build_plan(cadences=["p.plan"]).week == "2026-W48"


def test_an_unknown_or_broken_cadence_is_one_clear_error(planning, make_workspace):
    ws = planning()
    with pytest.raises(UsageError, match=r"^unknown cadence 'p.nope'; cadences: core.visits, "
                                         r"p.plan$"):
        ws.build_plan("2026-W48", ["p.nope"])

    class Broken:
        @guanxi.hookimpl
        def guanxi_visit_cadences(self):
            return [guanxi.VisitCadence(name="b.plan", title="x", segmentation="b.none")]

    broken = make_workspace(extra_packs={"b": Broken()})
    with pytest.raises(PackError, match=r"^cadence 'b.plan' of pack 'b' names the segmentation "
                                        r"'b.none', which no enabled pack has$"):
        broken.build_plan("2026-W48")


# -- the command line ----------------------------------------------------------------


def test_plan_commands_and_the_stable_json(workspace, time_machine):
    # Built on the Friday before the week: it is not over.
    time_machine.move_to(dt.datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI), tick=False)
    ws = workspace
    ws.save("managers", [{"id": "M1", "name": "Wang"}])
    ws.save("customers", [{"id": c, "name": n, "manager_id": "M1", "territory": "east",
                           "created_at": "2026-01-01"}
                          for c, n in (("C1", "张伟"), ("C2", "Li"))])
    visits(ws, ("C1", dt.date(2026, 10, 1)))
    ws.segment(as_of=W48)

    def run(*args):
        result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "plan", *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("build", "--week", "2026-W48", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "week": "2026-W48", "start": "2026-11-23", "end": "2026-11-30",
        "cadences": [{"cadence": "core.visits", "planned": 2, "already_planned": 0,
                      "unplaced": 0, "carried": 0}],
        "unplaced": []}
    code, out, _ = run("show", "--week", "2026-W48", "--format", "json")
    assert code == 0
    tasks = {x.customer_id: x.id for x in ws.tasks()}
    assert json.loads(out) == [
        {"manager_id": "M1", "date": "2026-11-23", "customer_id": "C1", "territory": "east",
         "reason": "Activity active: every 30 days, last visit 2026-10-01, 23 days overdue",
         "task_id": tasks["C1"]},
        {"manager_id": "M1", "date": "2026-11-23", "customer_id": "C2", "territory": "east",
         "reason": "Activity dormant: every 14 days, never visited", "task_id": tasks["C2"]},
    ]
    code, out, _ = run("show", "--week", "2026-W48", "--manager", "M1", "--format", "csv")
    assert out.splitlines()[0] == "manager_id,date,customer_id,territory,reason,task_id"
    assert len(out.splitlines()) == 3
    code, out, _ = run("show", "--week", "all")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "M1  Wang"
    assert lines[1] == "  Mon 2026-11-23  2026-W48  2 visit(s)"
    assert "张伟" in out and "never visited" in out
    code, out, _ = run("build", "--week", "2026-W48")
    assert out.splitlines() == [
        "Plan 2026-W48 (2026-11-23 to 2026-11-29)",
        "  core.visits: 0 visit(s) planned, 2 already planned, 0 not placed"]
    code, out, _ = run("cadences", "--format", "json")
    assert json.loads(out) == [{"cadence": "core.visits", "pack": "core",
                                "segmentation": "core.activity",
                                "intervals": {"active": 30, "dormant": 14}, "daily_cap": 8,
                                "group_by": "territory", "visit_kinds": ["visit"]}]
    code, _, err = run("show", "--manager", "NOPE")
    assert (code, err.strip()) == (1, "Error: no manager with id 'NOPE'")
    code, _, err = run("build", "--week", "2026-48")
    assert (code, err.strip()) == (2, "Error: week '2026-48' must be an ISO week like 2026-W48")


# -- a week already over --------------------------------------------------------------


@pytest.mark.parametrize("as_of,over", [
    (dt.date(2026, 11, 29), False),   # the week's Sunday: not over yet
    (dt.date(2026, 11, 30), True),    # the Monday after
])
def test_a_week_already_over_is_planned_only_when_forced(planning, as_of, over):
    ws = planning(cap=3)
    customers(ws, ("C1", "1", "east"))
    ws.segment(["p.grade"], as_of=W48)
    if over:
        with pytest.raises(UsageError, match=r"^week 2026-W48 is over: it ended on 2026-11-29, "
                                             r"before 2026-11-30; use --force to plan it "
                                             r"anyway$"):
            ws.build_plan("2026-W48", ["p.plan"], as_of=as_of)
        assert (count(ws, t.tasks), count(ws, st.plan_visits)) == (0, 0)
        result = ws.build_plan("2026-W48", ["p.plan"], as_of=as_of, force=True)
    else:
        result = ws.build_plan("2026-W48", ["p.plan"], as_of=as_of)
    assert result.planned == 1
    assert [(v.day, v.customer_id) for v in ws.plan("2026-W48")] == [(day(0), "C1")]


@pytest.mark.parametrize("now,code", [
    (dt.datetime(2026, 11, 29, 23, 59), 0),   # Sunday 23:59 in Shanghai: the week is on
    (dt.datetime(2026, 11, 30, 0, 0), 2),     # Monday 00:00: it is over
])
def test_plan_build_refuses_a_past_week_by_the_clock_unless_forced(workspace, time_machine,
                                                                   now, code):
    time_machine.move_to(now.replace(tzinfo=SHANGHAI), tick=False)
    ws = workspace
    ws.save("managers", [{"id": "M1", "name": "Wang"}])
    ws.save("customers", [{"id": "C1", "name": "C1", "manager_id": "M1",
                           "created_at": "2026-01-01"}])
    ws.segment(as_of=W48)

    def run(*args):
        result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "plan", "build",
                                          "--week", "2026-W48", *args])
        return result.exit_code, result.stdout, result.stderr

    got, out, err = run()
    assert got == code
    if code:
        assert (out, err) == ("", "Error: week 2026-W48 is over: it ended on 2026-11-29, before "
                                  "2026-11-30; use --force to plan it anyway\n")
        assert count(ws, st.plan_visits) == 0
        got, out, _ = run("--force")
        assert got == 0
    assert out.splitlines() == [
        "Plan 2026-W48 (2026-11-23 to 2026-11-29)",
        "  core.visits: 1 visit(s) planned, 0 already planned, 0 not placed"]
    # --as-of decides instead of the clock.
    assert run("--as-of", "2026-11-30")[0] == 2
    assert run("--as-of", "2026-11-29")[0] == 0


def test_plan_build_says_how_many_visits_it_carried(workspace):
    ws = workspace
    ws.save("managers", [{"id": "M1", "name": "Wang"}])
    ws.save("customers", [{"id": "C1", "name": "C1", "manager_id": "M1",
                           "created_at": "2026-01-01"}])
    ws.segment(as_of=W48)
    ws.build_plan("2026-W48", as_of=W48)
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "plan", "build",
                                      "--week", "2026-W49", "--as-of", "2026-11-27"])
    assert (result.exit_code, result.stderr, result.stdout.splitlines()) == (0, "", [
        "Plan 2026-W49 (2026-11-30 to 2026-12-06)",
        "  core.visits: 1 visit(s) planned (1 carried from earlier weeks), 0 already planned, "
        "0 not placed"])
