"""The public query kit (ctx.*), each helper at the boundaries it defines, on
stored rows, so that SQLite's text datetimes and PostgreSQL's timestamps are
both what is compared (docs/writing-a-pack.md, "The query kit")."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from sqlalchemy import Date, DateTime, func, insert, literal, select

from guanxi import Period, tables
from guanxi.builtin import plan_kpis

AS_OF = dt.date(2026, 11, 30)
NOVEMBER = Period.containing(AS_OF, "month")


def kpi_ctx(ws, scope="all", as_of=AS_OF, period=NOVEMBER, pack="core"):
    return attrs.evolve(ws.query_context(pack, as_of), period=period, scope=scope)


def rows(ws, query):
    with ws.engine.connect() as conn:
        return conn.execute(query).all()


def scalar(ws, expr):
    with ws.engine.connect() as conn:
        return conn.execute(select(expr)).scalar()


@pytest.fixture
def people(builder):
    builder.team("T1", territory="north")
    builder.team("T2", territory="south")
    builder.manager("L1", team_id="T1", territory="north", role="team lead")
    builder.manager("M1", team_id="T1", territory="north", reports_to="L1")
    builder.manager("M2", team_id="T1", territory="north")
    builder.customer("C1", manager_id="M1", territory="north")
    builder.customer("C2", manager_id="M2", territory="north")
    return builder


# -- dates and hours -------------------------------------------------------------------


def test_hours_between_stored_datetimes_to_the_second(workspace, people):
    people.interaction("I1", "C1", "visit", "2026-11-23 09:00:00")
    i = tables.interactions
    ctx = workspace.query_context("core", AS_OF)
    hours = ctx.hours_between(i.c.occurred_at, literal(dt.datetime(2026, 11, 23, 10, 30), DateTime))
    overnight = ctx.hours_between(i.c.occurred_at, literal(dt.datetime(2026, 11, 24, 9, 0, 36),
                                                           DateTime))
    same = ctx.hours_between(i.c.occurred_at, i.c.occurred_at)
    assert rows(workspace, select(hours, overnight, same)) == [(1.5, 24.01, 0.0)]


def test_day_and_month_text_read_the_same_on_both_databases(workspace, people):
    people.interaction("I1", "C1", "visit", "2026-11-03 17:45:00")
    i = tables.interactions
    ctx = workspace.query_context("core", AS_OF)
    assert rows(workspace, select(ctx.day_text(i.c.occurred_at), ctx.month_text(i.c.occurred_at),
                                  ctx.day_text(ctx.today))) == [("2026-11-03", "2026-11", "2026-11-30")]


@pytest.mark.parametrize("due,days", [
    (dt.date(2026, 12, 1), 0),    # not yet due
    (dt.date(2026, 11, 30), 0),   # due today: on time all of it
    (dt.date(2026, 11, 29), 1),   # the day after the due day
    (dt.date(2026, 10, 31), 30),
    (None, None),                 # no due day, no figure
])
def test_days_past_due_counts_whole_days_after_the_due_day(workspace, due, days):
    ctx = workspace.query_context("core", AS_OF)
    assert scalar(workspace, ctx.days_past_due(literal(due, Date))) == days


def test_days_past_due_of_a_datetime_goes_by_its_day(workspace, people):
    # A bill due 2026-11-29 23:59 is one day past due on the 30th, as one due at 00:00.
    people.interaction("I1", "C1", "bill", "2026-11-29 23:59:00")
    people.interaction("I2", "C1", "bill", "2026-11-30 00:00:00")
    i = tables.interactions
    ctx = workspace.query_context("core", AS_OF)
    assert rows(workspace, select(i.c.id, ctx.days_past_due(i.c.occurred_at))
                .order_by(i.c.id)) == [("I1", 1), ("I2", 0)]


# -- inside the period ---------------------------------------------------------------


@pytest.mark.parametrize("as_of,inside", [
    # A closed month computed later: the whole month, never December.
    (dt.date(2026, 12, 5), ["I2", "I3"]),
    # Month to date: up to the end of the as-of day, never tomorrow.
    (dt.date(2026, 11, 20), ["I2"]),
])
def test_in_period_from_the_first_moment_to_the_end_of_the_last_day_or_as_of(workspace, people,
                                                                            as_of, inside):
    for id_, at in (("I1", "2026-10-31 23:59:59"), ("I2", "2026-11-01 00:00:00"),
                    ("I3", "2026-11-30 23:59:00"), ("I4", "2026-12-01 00:00:00"),
                    ("I5", "2026-11-21 00:00:00")):
        people.interaction(id_, "C1", "visit", at)
    i = tables.interactions
    ctx = kpi_ctx(workspace, as_of=as_of)
    found = [r[0] for r in rows(workspace, select(i.c.id).where(ctx.in_period(i.c.occurred_at))
                                .order_by(i.c.id))]
    expected = sorted(inside + (["I5"] if as_of > dt.date(2026, 11, 21) else []))
    assert found == expected
    assert ctx.period_start == dt.datetime(2026, 11, 1)
    assert ctx.period_end == min(dt.datetime(2026, 12, 1),
                                 dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))


def test_in_period_of_a_date_column(workspace, people):
    for month in ("2026-10", "2026-11", "2026-12"):
        people.measurement("C1", "revenue", month, 10)
    m = tables.measurements
    ctx = kpi_ctx(workspace, as_of=dt.date(2026, 12, 31))
    assert rows(workspace, select(m.c.period).where(ctx.in_period(m.c.period))) == [
        (dt.date(2026, 11, 1),)]


def test_in_period_needs_a_kpi_period(workspace):
    ctx = workspace.query_context("core", AS_OF)
    with pytest.raises(ValueError, match="no KPI period"):
        ctx.in_period(tables.interactions.c.occurred_at)


# -- shares and ratios ---------------------------------------------------------------


def test_share_and_ratio(workspace, people):
    for n, kind in enumerate(("visit", "call", "call", "call"), 1):
        people.interaction(f"I{n}", "C1", kind, f"2026-11-0{n} 10:00:00")
    i = tables.interactions
    ctx = workspace.query_context("core", AS_OF)
    assert rows(workspace, select(ctx.share(i.c.kind == "visit"), ctx.ratio(func.count(), 8),
                                  ctx.ratio(func.count(), 0))) == [(0.25, 0.5, None)]
    # A share of nothing is no figure, not 0 and not an error.
    assert rows(workspace, select(ctx.share(i.c.kind == "visit")).where(i.c.kind == "none")) == [
        (None,)]


# -- credited sums ---------------------------------------------------------------------


def test_credited_sum_splits_a_customer_by_the_team_shares(workspace, people):
    people.rows("customer_team", [{"customer_id": "C1", "manager_id": "M2", "role": "product",
                                   "share": 0.4}])
    people.measurement("C1", "revenue", "2026-11", 100)
    people.measurement("C2", "revenue", "2026-11", 50)
    people.measurement("C1", "revenue", "2026-12", 1000)   # outside the period
    by_manager = kpi_ctx(workspace, scope="manager")
    result = {k: pytest.approx(v) for k, v in rows(workspace, by_manager.credited_sum("revenue"))}
    assert result == {"M1": 60, "M2": 90}
    assert rows(workspace, kpi_ctx(workspace).credited_sum("revenue")) == [("", 150.0)]
    by_team = kpi_ctx(workspace, scope="team")
    assert rows(workspace, by_team.credited_sum("revenue")) == [("T1", pytest.approx(150.0))]
    m = tables.measurements
    december = by_manager.credited_sum("revenue", m.c.period >= dt.date(2026, 12, 1))
    assert sorted(rows(workspace, december)) == [("M1", pytest.approx(600.0)),
                                                 ("M2", pytest.approx(400.0))]


# -- who holds a role ------------------------------------------------------------------


def test_role_person_nearest_active_holder_smallest_id_first(workspace, people):
    people.manager("R9", territory="north", role="Regional Manager", active=False)
    people.manager("R3", team_id="T2", territory="north", role="regional manager")
    people.manager("R2", team_id="T2", territory="north", role="regional manager")
    people.manager("R1", team_id="T2", territory="south", role="regional manager")
    people.manager("Q1", team_id="T1", territory="south", role="quality officer")
    people.manager("Q2", team_id="T2", territory="south", role="quality officer")
    ctx = workspace.query_context("core", AS_OF)
    m = tables.managers
    asked = select(ctx.role_person("regional manager", m.c.id),  # the territory's: R2 < R3
                   ctx.role_person("quality officer", m.c.id),   # none in north: the team's
                   ctx.role_person("reports_to", m.c.id), ctx.role_person("owner", m.c.id),
                   ctx.role_person("auditor", m.c.id)).where(m.c.id == "M1")
    assert rows(workspace, asked) == [("R2", "Q1", "L1", "M1", None)]
    # Outside the territory and the team: anywhere, the smallest id.
    people.manager("M7", team_id="T2", territory="east")
    assert rows(workspace, select(ctx.role_person("quality officer", m.c.id))
                .where(m.c.id == "M7")) == [("Q2",)]


# -- a label at a date -----------------------------------------------------------------


def _history(ws, *changes):
    h = tables.segment_history
    with ws.engine.begin() as conn:
        conn.execute(insert(h), [{"segmentation": "core.activity", "customer_id": c,
                                  "old_label": None, "new_label": label, "changed_on": day,
                                  "reason": "test"} for c, label, day in changes])


def test_label_at_a_day_from_the_history(workspace, people):
    _history(workspace, ("C1", "active", dt.date(2026, 11, 1)),
             ("C1", "dormant", dt.date(2026, 11, 10)))
    ctx = workspace.query_context("core", AS_OF)
    c = tables.customers
    at = [ctx.label_at("core.activity", c.c.id, day) for day in
          (dt.date(2026, 10, 31), dt.date(2026, 11, 9), dt.date(2026, 11, 10))]
    assert rows(workspace, select(*at).where(c.c.id == "C1")) == [(None, "active", "dormant")]


def test_label_at_the_start_of_the_period(workspace, people):
    _history(workspace, ("C1", "active", dt.date(2026, 10, 15)),
             ("C1", "dormant", dt.date(2026, 11, 1)),    # changed on the first day: after the start
             ("C2", "lost", dt.date(2026, 11, 12)),      # first labelled in the period
             ("C2", "active", dt.date(2026, 11, 20)))
    ctx = kpi_ctx(workspace)
    c = tables.customers
    assert rows(workspace, select(c.c.id, ctx.label_at_start("core.activity", c.c.id))
                .order_by(c.c.id)) == [("C1", "active"), ("C2", "lost")]


# -- a KPI over a case policy's clocks -----------------------------------------------------


def _case(ws, policy, customer, opened, **clocks):
    with ws.engine.begin() as conn:
        conn.execute(insert(tables.cases).values(policy=policy, customer_id=customer,
                                                 opened_at=opened, **clocks))


def test_case_hours_mean_of_one_policy_inside_the_period(workspace, people):
    d = dt.datetime
    _case(workspace, "p.quality", "C1", d(2026, 11, 2, 9), resolved_at=d(2026, 11, 2, 19),
          paused_hours=4.0, responded_at=d(2026, 11, 2, 10))          # 10 h - 4 paused = 6
    _case(workspace, "p.quality", "C2", d(2026, 11, 29, 8), resolved_at=d(2026, 11, 30, 23, 59),
          responded_at=d(2026, 11, 29, 11))                            # 39.98 h, last minute
    _case(workspace, "p.quality", "C1", d(2026, 11, 30, 8), resolved_at=d(2026, 12, 1, 0, 0))
    _case(workspace, "p.other", "C1", d(2026, 11, 3, 8), resolved_at=d(2026, 11, 3, 9))
    _case(workspace, "p.quality", "C1", d(2026, 11, 5, 8))               # not resolved
    ctx = kpi_ctx(workspace, scope="manager", as_of=dt.date(2026, 12, 3))
    resolution = dict(rows(workspace, ctx.case_hours_mean("p.quality")))
    assert resolution == {"M1": pytest.approx(6.0), "M2": pytest.approx(39 + 59 / 60)}
    response = dict(rows(workspace, ctx.case_hours_mean("p.quality", "response")))
    assert response == {"M1": pytest.approx(1.0), "M2": pytest.approx(3.0)}
    every = dict(rows(workspace, kpi_ctx(workspace, as_of=dt.date(2026, 12, 3)).case_hours_mean()))
    assert every == {"": pytest.approx((6 + 39 + 59 / 60 + 1) / 3)}
    with pytest.raises(ValueError, match="resolution"):
        ctx.case_hours_mean("p.quality", "callback")


# -- once per key, never again ---------------------------------------------------------------


def _task(ws, rule, key, status, customer_id=None, manager_id="M1"):
    with ws.engine.begin() as conn:
        conn.execute(insert(tables.tasks).values(
            rule=rule, customer_id=customer_id, manager_id=manager_id, due_at=dt.datetime(2026, 11, 1),
            status=status, reason="test", dedupe_key=key, created_at=dt.datetime(2026, 11, 1)))


@pytest.mark.parametrize("status,never", [("done", False), ("cancelled", False), ("open", True)])
def test_never_tasked_once_a_task_of_the_key_was_closed(workspace, people, status, never):
    _task(workspace, "p.call", "k1", status, customer_id="C1")
    ctx = workspace.query_context("core", AS_OF)
    c = tables.customers
    asked = select(c.c.id, ctx.never_tasked("p.call", literal("k1"), customer_id=c.c.id),
                   ctx.never_tasked("p.call", literal("k2"), customer_id=c.c.id),
                   ctx.never_tasked("p.other", literal("k1"), customer_id=c.c.id)).order_by(c.c.id)
    # Only C1's task of this rule and key counts; an open one the engine itself dedupes.
    assert [tuple(r) for r in rows(workspace, asked)] == [("C1", never, True, True),
                                                          ("C2", True, True, True)]


def test_never_tasked_for_a_managers_own_task(workspace, people):
    _task(workspace, "p.round", "round:2026-11", "done", manager_id="M1")
    ctx = workspace.query_context("core", AS_OF)
    m = tables.managers
    asked = select(m.c.id, ctx.never_tasked("p.round", literal("round:2026-11"),
                                            manager_id=m.c.id)).where(m.c.id.in_(("M1", "M2")))
    assert sorted(tuple(r) for r in rows(workspace, asked)) == [("M1", False), ("M2", True)]
    with pytest.raises(ValueError, match="customer_id or manager_id"):
        ctx.never_tasked("p.round", literal("k"))


# -- plans -------------------------------------------------------------------------------------


def test_the_plan_kpis_are_the_core_pack_s(workspace):
    # A pack's plan KPI is the core's, with its cadence: one SQL, not a copy.
    ctx = kpi_ctx(workspace, scope="manager")
    for kit, core in ((ctx.plan_completion, plan_kpis.completion_query),
                      (ctx.plan_on_day, plan_kpis.on_day_query)):
        assert str(kit("weekly")) == str(core(ctx, cadence="weekly"))
        assert str(kit()) != str(kit("weekly"))
