"""The rows behind a KPI's value: ``ws.explain_kpi`` and ``guanxi kpi NAME --explain``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.errors import UsageError
from guanxi.testing import kpi_rows_disagree

AS_OF = dt.date(2026, 12, 3)


@pytest.fixture
def ws(workspace):
    workspace.save("managers", [{"id": "M1", "name": "Wang"}, {"id": "M2", "name": "Li"}])
    workspace.save("customers", [{"id": c, "name": c, "manager_id": m, "created_at": "2026-01-01"}
                                 for c, m in (("C1", "M1"), ("C2", "M1"), ("C3", "M2"))])
    from sqlalchemy import insert

    from guanxi.storage import tables as t

    # Due 11-20 (a day): done on its day at 23:59 (on time), the next day
    # at 00:00 (late), still open (late), cancelled (not counted).
    rows = [("C1", "M1", "done", dt.datetime(2026, 11, 20, 23, 59)),
            ("C2", "M1", "done", dt.datetime(2026, 11, 21, 0, 0)),
            ("C3", "M2", "open", None),
            ("C3", "M2", "cancelled", None)]
    with workspace.engine.begin() as conn:
        for i, (customer, manager, status, closed) in enumerate(rows, 1):
            conn.execute(insert(t.tasks).values(
                rule="core.test", customer_id=customer, manager_id=manager, status=status,
                due_at=dt.datetime(2026, 11, 20), reason="call", dedupe_key=str(i),
                created_at=dt.datetime(2026, 11, 1), closed_at=closed))
    return workspace


def test_the_late_tasks_are_the_rows_behind_overdue_tasks(ws):
    rows = ws.explain_kpi("core.overdue_tasks", period="2026-11", by="manager", as_of=AS_OF)
    assert [(r.scope_key, r.kind, r.id, r.figure, r.weight, r.reason) for r in rows] == [
        ("M1", "task", "2", 1.0, None,
         "task 2 (core.test) for C2, due 2026-11-20: done late, 2026-11-21 00:00"),
        ("M2", "task", "3", 1.0, None,
         "task 3 (core.test) for C3, due 2026-11-20: still open past its due"),
    ]
    only = ws.explain_kpi("core.overdue_tasks", period="2026-11", by="manager",
                          scope_key="M2", as_of=AS_OF)
    assert [r.id for r in only] == ["3"]


@pytest.mark.parametrize("by", ["all", "manager", "team", "territory"])
@pytest.mark.parametrize("name", ["core.overdue_tasks", "core.task_completion"])
def test_the_rows_make_the_value(ws, name, by):
    assert kpi_rows_disagree(ws, name, period="2026-11", by=by, as_of=AS_OF) == []


def test_completion_weighs_each_task_not_cancelled(ws):
    rows = ws.explain_kpi("core.task_completion", period="2026-11", as_of=AS_OF)
    assert [(r.id, r.figure, r.weight) for r in rows] == [
        ("1", 1.0, 1.0), ("2", 1.0, 1.0), ("3", 0.0, 1.0)]
    (value,) = ws.kpi(["core.task_completion"], period="2026-11", as_of=AS_OF)
    assert value.value == pytest.approx(2 / 3)


def test_explain_on_the_command_line(ws, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0), tick=False)
    runner = CliRunner()
    base = ["--config", str(ws.config.path), "kpi"]
    done = runner.invoke(cli, [*base, "core.overdue_tasks", "--period", "2026-11", "--by",
                               "manager", "--scope", "M1", "--explain"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0].split() == ["scope_key", "kind", "id", "figure", "reason"]
    assert done.output.splitlines()[-1] == "1 task row(s); their sum: 1 tasks"
    done = runner.invoke(cli, [*base, "core.task_completion", "--period", "2026-11",
                               "--explain", "--format", "json"])
    assert [(r["id"], r["figure"], r["weight"]) for r in json.loads(done.output)] == [
        ("1", 1, 1), ("2", 1, 1), ("3", 0, 1)]
    done = runner.invoke(cli, [*base, "core.overdue_tasks", "core.customers", "--explain"])
    assert done.exit_code == 2
    assert "--explain takes exactly one KPI name" in done.output
    done = runner.invoke(cli, [*base, "core.overdue_tasks", "--scope", "M1"])
    assert done.exit_code == 2


def test_an_unknown_kpi_is_named_with_a_suggestion(ws):
    with pytest.raises(UsageError) as caught:
        ws.explain_kpi("core.overdue_task", period="2026-11")
    assert str(caught.value) == "no KPI named 'core.overdue_task' (did you mean 'core.overdue_tasks'?)"


# -- every core KPI: its rows make its value --------------------------------------------


@pytest.fixture
def base(ws, builder):
    """Customers, interactions and revenue at the period's edges (2026-11), in two teams."""
    builder.team("T1", name="North")
    builder.team("T2", name="South")
    ws.save("managers", [{"id": "M1", "name": "Wang", "team_id": "T1", "territory": "east"},
                         {"id": "M2", "name": "Li", "team_id": "T2", "territory": "west"}])
    builder.customer("C4", manager_id="M2", created_at="2026-11-01", territory="west")
    builder.customer("C5", manager_id="M2", created_at="2026-11-30", territory="west")
    builder.customer("C6", manager_id="M1", created_at="2026-12-01", territory="east")
    builder.interaction("i1", "C1", "visit", dt.datetime(2026, 11, 1, 0, 0))
    builder.interaction("i2", "C1", "call", dt.datetime(2026, 11, 30, 23, 59))
    builder.interaction("i3", "C4", "call", dt.datetime(2026, 12, 1, 0, 0))
    builder.interaction("i4", "C3", "visit", dt.datetime(2026, 10, 31, 23, 59))
    ws.save("customer_team", [
        {"customer_id": "C1", "manager_id": "M2", "role": "partner", "share": "0.3333"}])
    ws.save("measurements", [
        {"customer_id": "C1", "metric": "revenue", "period": "2026-11", "value": "100.00"},
        {"customer_id": "C3", "metric": "revenue", "period": "2026-11", "value": "10.00"},
        {"customer_id": "C3", "metric": "revenue", "period": "2026-10", "value": "999.00"},
    ])
    return ws


CORE_KPIS = ["core.customers", "core.new_customers", "core.interactions", "core.open_tasks",
             "core.overdue_tasks", "core.task_completion", "core.revenue",
             "core.contact_coverage"]


@pytest.mark.parametrize("by", ["all", "manager", "team", "territory"])
@pytest.mark.parametrize("name", CORE_KPIS)
def test_every_core_kpi_is_made_by_its_rows(base, name, by):
    assert kpi_rows_disagree(base, name, period="2026-11", by=by, as_of=AS_OF) == []


def test_every_kpi_of_the_core_says_which_rows_it_counts(ws):
    core = {name: k for name, k in ws.plugins.kpis().items() if name.startswith("core.")}
    assert set(CORE_KPIS) <= set(core)
    assert [name for name, k in core.items() if k.rows is None] == []
    for kpi in core.values():
        assert kpi.reasons, kpi.name


def test_the_customers_on_the_books_and_the_new_ones(base):
    rows = base.explain_kpi("core.customers", period="2026-11", by="manager", as_of=AS_OF)
    # Created 11-30 counts; created 12-01 is after the period.
    assert [(r.scope_key, r.id) for r in rows] == [
        ("M1", "C1"), ("M1", "C2"), ("M2", "C3"), ("M2", "C4"), ("M2", "C5")]
    assert rows[3].reason == "customer C4 (Customer C4), on the books since 2026-11-01"
    new = base.explain_kpi("core.new_customers", period="2026-11", as_of=AS_OF)
    assert [(r.id, r.figure, r.reason) for r in new] == [
        ("C4", 1.0, "customer C4 (Customer C4), created 2026-11-01"),
        ("C5", 1.0, "customer C5 (Customer C5), created 2026-11-30")]


def test_the_interactions_of_the_period_to_its_last_minute(base):
    rows = base.explain_kpi("core.interactions", period="2026-11", by="manager", as_of=AS_OF)
    assert [(r.scope_key, r.kind, r.id, r.reason) for r in rows] == [
        ("M1", "interaction", "i1", "interaction i1 (visit) with C1 at 2026-11-01 00:00"),
        ("M1", "interaction", "i2", "interaction i2 (call) with C1 at 2026-11-30 23:59"),
    ]


def test_coverage_weighs_every_customer_on_the_books(base):
    rows = base.explain_kpi("core.contact_coverage", period="2026-11", by="manager",
                            as_of=AS_OF)
    assert [(r.scope_key, r.id, r.figure, r.weight) for r in rows] == [
        ("M1", "C1", 1.0, 1.0), ("M1", "C2", 0.0, 1.0),
        ("M2", "C3", 0.0, 1.0), ("M2", "C4", 0.0, 1.0), ("M2", "C5", 0.0, 1.0)]
    assert rows[0].reason == ("customer C1 (C1): contacted 2 time(s) in the period, "
                              "last 2026-11-30 23:59")
    assert rows[1].reason == "customer C2 (C2): not contacted in the period"


def test_revenue_rows_split_by_credit_share(base):
    rows = base.explain_kpi("core.revenue", period="2026-11", by="manager", as_of=AS_OF)
    assert [(r.scope_key, r.id, round(r.figure, 6)) for r in rows] == [
        ("M1", "C1 2026-11-01 M1", 66.67), ("M2", "C1 2026-11-01 M2", 33.33),
        ("M2", "C3 2026-11-01 M2", 10.0)]
    assert rows[1].reason == "customer C1: revenue 100 for 2026-11-01 x 33.33% credited to M2"
    whole = base.explain_kpi("core.revenue", period="2026-11", as_of=AS_OF)
    assert [(r.id, r.figure, r.reason) for r in whole] == [
        ("C1 2026-11-01", 100.0, "customer C1: revenue 100 for 2026-11-01"),
        ("C3 2026-11-01", 10.0, "customer C3: revenue 10 for 2026-11-01")]


def test_open_tasks_at_the_end_of_the_period(base):
    rows = base.explain_kpi("core.open_tasks", period="2026-11", by="manager", as_of=AS_OF)
    # Done 11-20 23:59 is closed by the end; done 11-21 00:00 too; still open counts.
    assert [(r.scope_key, r.id, r.reason) for r in rows] == [
        ("M2", "3", "task 3 (core.test) for C3, made 2026-11-01, due 2026-11-20: open at the "
                    "end of the period")]


# -- the case KPIs ---------------------------------------------------------------------

T0 = dt.datetime(2026, 11, 2, 9, 0)  # a Monday
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
CASE_KPIS = ["core.case_response_on_time", "core.case_resolution_on_time",
             "core.case_escalation_rate", "core.case_callback_rate",
             "core.case_resolution_hours_mean", "core.case_resolution_hours_p90"]


@pytest.fixture
def cases(base):
    """Complaints at the response deadline (24 h): met to the second, missed by one, never."""
    kept = base.open_case("core.complaint", "C1", "M1", opened_at=T0)
    base.case_step(kept.id, "respond", "M1", at=T0 + 24 * HOUR)
    base.case_step(kept.id, "resolve", "M1", at=T0 + 30 * HOUR)
    base.case_step(kept.id, "callback", "M1", at=T0 + 31 * HOUR)
    late = base.open_case("core.complaint", "C4", "M2", opened_at=T0)
    base.case_step(late.id, "respond", "M2", at=T0 + 24 * HOUR + SECOND)
    base.case_step(late.id, "resolve", "M2", at=T0 + 48 * HOUR)
    never = base.open_case("core.complaint", "C3", "M2", opened_at=T0)
    base.tick_cases(dt.datetime(2026, 11, 20))
    return base, (kept.id, late.id, never.id)


@pytest.mark.parametrize("by", ["all", "manager", "team", "territory"])
@pytest.mark.parametrize("name", CASE_KPIS)
def test_every_case_kpi_is_made_by_its_rows(cases, name, by):
    ws, _ = cases
    assert kpi_rows_disagree(ws, name, period="2026-11", by=by, as_of=AS_OF) == []


def test_the_cases_behind_response_on_time(cases):
    ws, (kept, late, never) = cases
    rows = ws.explain_kpi("core.case_response_on_time", period="2026-11", as_of=AS_OF)
    assert [(r.kind, r.id, r.figure, r.reason) for r in rows] == [
        ("case", str(kept), 1.0, f"case {kept} (core.complaint) for C1: response due "
                                 "2026-11-03 09:00, made 2026-11-03 09:00: on time"),
        ("case", str(late), 0.0, f"case {late} (core.complaint) for C4: response due "
                                 "2026-11-03 09:00, made 2026-11-03 09:00: late"),
        ("case", str(never), 0.0, f"case {never} (core.complaint) for C3: response due "
                                  "2026-11-03 09:00, not made yet: late"),
    ]
    hours = ws.explain_kpi("core.case_resolution_hours_p90", period="2026-11", by="manager",
                           as_of=AS_OF)
    assert [(r.scope_key, r.id, r.figure) for r in hours] == [
        ("M1", str(kept), 30.0), ("M2", str(late), 48.0)]
    assert hours[0].reason == (
        f"case {kept} (core.complaint) for C1: opened 2026-11-02 09:00, resolved "
        "2026-11-03 15:00, 0 paused hours left out: 30 hours, rank 1 of 1 (the 90th "
        "percentile is rank 1)")


# -- the plan KPIs ----------------------------------------------------------------------

PLAN_KPIS = ["core.plan_completion", "core.plan_on_day"]


@pytest.fixture
def planned(base, builder):
    """Five planned visits of 2026-W48 and W49: kept on the day, kept later, carried, open."""
    from sqlalchemy import insert

    from guanxi.storage import service_tables as st
    from guanxi.storage import tables as t

    builder.interaction("p1", "C1", "visit", dt.datetime(2026, 11, 23, 10, 0))
    builder.interaction("p2", "C2", "visit", dt.datetime(2026, 11, 26, 9, 0))
    D = dt.datetime
    # (plan row, customer, planned for, day, task status, closed, task's week)
    plan = [(1, "C1", "M1", dt.date(2026, 11, 23), "done", D(2026, 11, 23, 10), "2026-W48"),
            (2, "C2", "M1", dt.date(2026, 11, 24), "done", D(2026, 11, 26, 9), "2026-W48"),
            # C3 is M2's, planned for M1, carried into W49 and done there
            (3, "C3", "M1", dt.date(2026, 11, 25), "done", D(2026, 12, 1, 9), "2026-W49"),
            (4, "C4", "M2", dt.date(2026, 11, 30), "open", None, "2026-W48"),
            (5, "C5", "M2", dt.date(2026, 12, 1), "open", None, "2026-W49")]
    with base.engine.begin() as conn:
        for n, customer, manager, day, status, closed, week in plan:
            conn.execute(insert(t.tasks).values(
                id=10 + n, rule="p.plan", customer_id=customer, manager_id=manager,
                kind="visit", status=status, due_at=D.combine(day, dt.time()), reason="plan",
                dedupe_key=week, created_at=D(2026, 11, 20), closed_at=closed))
            conn.execute(insert(st.plan_visits).values(
                id=n, cadence="p.plan", week="2026-W48" if n < 5 else "2026-W49",
                manager_id=manager, day=day, customer_id=customer, reason="plan",
                task_id=10 + n, visit_kinds="visit,meeting"))
    return base


@pytest.mark.parametrize("by", ["all", "manager", "team", "territory"])
@pytest.mark.parametrize("name", PLAN_KPIS)
def test_every_plan_kpi_is_made_by_its_rows(planned, name, by):
    assert kpi_rows_disagree(planned, name, period="2026-11", by=by, as_of=AS_OF) == []


def test_the_planned_visits_behind_plan_completion(planned):
    rows = planned.explain_kpi("core.plan_completion", period="2026-11", by="manager",
                               as_of=AS_OF)
    assert [(r.scope_key, r.kind, r.id, r.figure, r.reason) for r in rows] == [
        ("M1", "visit", "1", 1.0,
         "visit 1 to C1 planned for M1 on 2026-11-23: task 11 done 2026-11-23 10:00"),
        ("M1", "visit", "2", 1.0,
         "visit 2 to C2 planned for M1 on 2026-11-24: task 12 done 2026-11-26 09:00"),
        ("M1", "visit", "3", 0.0,
         "visit 3 to C3 planned for M1 on 2026-11-25: missed, carried into a later week "
         "(task 13)"),
        ("M2", "visit", "4", 0.0,
         "visit 4 to C4 planned for M2 on 2026-11-30: task 14 open"),
    ]
    # On the 24th only the days that have come: visits 1 and 2.
    early = planned.explain_kpi("core.plan_on_day", period="2026-11", as_of=dt.date(2026, 11, 24))
    assert [(r.id, r.figure, r.reason) for r in early] == [
        ("1", 1.0, "visit 1 to C1 planned for M1 on 2026-11-23: made that day"),
        ("2", 0.0, "visit 2 to C2 planned for M1 on 2026-11-24: no visit (visit,meeting) "
                   "that day")]
