"""SLA cases: clocks, escalation, first responsibility and approval chains.

The boundaries come from the rules: BANK-COMPLAINT and POWER-COMPLAINT
(respond within 24 h, resolve within 5 days, call back within 3 days of
resolving; whoever first received it owns it), POWER-ROUTE (level 2 past
the resolution time, level 3 past twice it), TOB-QUALITY (inspected → form
signed by the retailer → approved by the regional market manager →
replaced → receipt confirmed, each step recorded, a late step escalated).
A deadline is past when the moment is strictly after it.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import guanxi
from guanxi.cli import cli
from guanxi.errors import GuanxiError, NotFoundError, PackError, UsageError

D = dt.datetime
SECOND = dt.timedelta(seconds=1)
T0 = D(2026, 11, 2, 9, 0)  # a Monday


class ServicePack:
    """The policies a sector pack would declare."""

    @guanxi.hookimpl
    def guanxi_case_policies(self, workspace):
        step = guanxi.CaseStep
        return [
            # TOB-QUALITY: the chain of a quality complaint.
            guanxi.CasePolicy(
                name="svc.quality", title="Quality complaint", opens_on=("quality",),
                resolution_hours=240,
                steps=(step(name="inspected", role="owner", limit_hours=24),
                       step(name="form_signed", role="owner", limit_hours=48),
                       step(name="approved", role="regional market manager", limit_hours=24),
                       step(name="replaced", role="owner", limit_hours=48),
                       step(name="receipt_confirmed", role="owner", limit_hours=48))),
            guanxi.CasePolicy(name="svc.repair", title="Repair", opens_on=("repair",),
                              response_hours=4, resolution_hours=16, working_time=True),
            guanxi.CasePolicy(name="svc.tight", title="Tight", opens_on=("tight",),
                              response_hours=1, resolution_hours=10, callback_hours=24,
                              warn_before_hours=2),
        ]


@pytest.fixture
def ws(make_workspace):
    ws = make_workspace(extra_packs={"svc": ServicePack()})
    ws.save("teams", [{"id": team, "name": team} for team in ("T1", "T2", "T7", "T8", "T9")])
    rmm = "regional market manager"
    ws.save("managers", [
        {"id": "BOSS", "name": "Boss"},
        {"id": "LEAD", "name": "Lead", "team_id": "T1", "reports_to": "BOSS"},
        {"id": "M1", "name": "M1", "team_id": "T1", "territory": "north", "reports_to": "LEAD"},
        {"id": "M2", "name": "M2", "team_id": "T1", "territory": "north", "reports_to": "LEAD"},
        {"id": "M3", "name": "M3", "team_id": "T2", "territory": "west", "reports_to": "LEAD"},
        {"id": "M4", "name": "M4", "team_id": "T8", "territory": "island"},
        {"id": "GONE", "name": "Gone", "team_id": "T1", "active": False},
        # an inactive holder of the role never resolves, whatever its id
        {"id": "RMM-A", "name": "Old", "role": rmm, "territory": "north", "active": False},
        {"id": "RMM-E", "name": "East", "role": rmm, "team_id": "T7", "territory": "east",
         "reports_to": "BOSS"},
        {"id": "RMM-N", "name": "North", "role": "Regional Market Manager", "team_id": "T9",
         "territory": "north", "reports_to": "BOSS"},
        {"id": "RMM-S", "name": "South", "role": rmm, "team_id": "T2", "territory": "south",
         "reports_to": "BOSS"},
    ])
    ws.save("customers", [
        {"id": "C1", "name": "c1", "manager_id": "M1", "territory": "north"},
        {"id": "C2", "name": "c2", "manager_id": "M2", "territory": "north"},
        {"id": "C3", "name": "c3", "manager_id": "M3", "territory": "west"},
        {"id": "C4", "name": "c4", "manager_id": "M4", "territory": "island"},
    ])
    return ws


def interaction(ws, id, customer, kind, at, **values):
    ws.save("interactions", [{"id": id, "customer_id": customer, "kind": kind,
                              "occurred_at": at, **values}])
    (case,) = [c for c in ws.cases() if c.interaction_id == id]
    return case


def history(ws, case_id):
    return [(e.action, e.step, e.level, e.at, e.actor_id, e.to_owner)
            for e in ws.case_history(case_id)]


def counts(result):
    return (result.warnings, result.breaches, result.escalations)


# -- opening: first responsibility ---------------------------------------------


def test_a_complaint_opens_a_case_owned_by_whoever_received_it(ws):
    ws.save("interactions", [
        # received by M2 for M1's customer: M2 answers it (首问负责制)
        {"id": "I1", "customer_id": "C1", "kind": "complaint", "occurred_at": T0,
         "manager_id": "M2"},
        {"id": "I2", "customer_id": "C1", "kind": "complaint", "occurred_at": T0 + SECOND},
        {"id": "I3", "customer_id": "C1", "kind": "visit", "occurred_at": T0},
    ])
    assert [(c.interaction_id, c.policy, c.owner_id, c.state, c.level, c.opened_at,
             c.response_due_at, c.resolution_due_at, c.callback_due_at, c.due_at)
            for c in ws.cases()] == [
        ("I1", "core.complaint", "M2", "open", 1, T0, D(2026, 11, 3, 9), D(2026, 11, 7, 9),
         None, D(2026, 11, 3, 9)),
        ("I2", "core.complaint", "M1", "open", 1, T0 + SECOND, D(2026, 11, 3, 9, 0, 1),
         D(2026, 11, 7, 9, 0, 1), None, D(2026, 11, 3, 9, 0, 1)),
    ]
    first = ws.cases()[0]
    assert history(ws, first.id) == [("opened", None, None, T0, "M2", "M2")]
    assert ws.case_history(first.id)[0].note == "interaction I1"
    # Saving the interaction again (changed) opens nothing new.
    ws.save("interactions", [{"id": "I1", "customer_id": "C1", "kind": "complaint",
                              "occurred_at": T0, "manager_id": "M2", "outcome": "noted"}])
    assert len(ws.cases()) == 2
    assert ws.open_cases() == 0
    # An interaction stored without the hooks (before a policy was enabled)
    # gets its case when the cases are caught up.
    from guanxi.storage import tables as t

    with ws.engine.begin() as conn:
        conn.execute(t.interactions.insert().values(
            id="I9", customer_id="C2", kind="complaint", occurred_at=T0, attributes={}))
    assert ws.open_cases() == 1
    assert [(c.interaction_id, c.owner_id) for c in ws.cases(customer="C2")] == [("I9", "M2")]


def test_a_packs_complaint_policy_replaces_the_generic_one(make_workspace):
    class Bank:
        @guanxi.hookimpl
        def guanxi_case_policies(self, workspace):
            return [guanxi.CasePolicy(name="bank.complaint", title="Complaint",
                                      opens_on=("complaint", "dispute"), response_hours=8)]

    ws = make_workspace(extra_packs={"bank": Bank()})
    ws.save("managers", [{"id": "M1", "name": "M1"}])
    ws.save("customers", [{"id": "C1", "name": "c1", "manager_id": "M1"}])
    case = interaction(ws, "I1", "C1", "complaint", T0)
    assert (case.policy, case.response_due_at) == ("bank.complaint", D(2026, 11, 2, 17))
    assert len(ws.cases()) == 1
    generic = {p.name: p.opens_on for p in ws.case_policies()}["core.complaint"]
    assert generic == ()


def test_the_complaint_targets_come_from_the_config(make_workspace):
    ws = make_workspace(settings={"core.complaint": {
        "response_hours": 2, "resolution_hours": 8.5, "callback_hours": 1}})
    ws.save("managers", [{"id": "M1", "name": "M1"}])
    ws.save("customers", [{"id": "C1", "name": "c1", "manager_id": "M1"}])
    case = interaction(ws, "I1", "C1", "complaint", T0)
    assert (case.response_due_at, case.resolution_due_at) == (
        D(2026, 11, 2, 11), D(2026, 11, 2, 17, 30))
    case = ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 2, 10))
    assert case.callback_due_at == D(2026, 11, 2, 11)


def test_an_interaction_the_source_already_resolved_opens_a_closed_case(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0, resolved_at=T0 + dt.timedelta(hours=30))
    done = T0 + dt.timedelta(hours=30)
    assert (case.state, case.responded_at, case.resolved_at, case.closed_at,
            case.callback_due_at) == ("closed", done, done, done, None)
    # Responded (by resolving) 6 hours late, resolved in time: recorded at once,
    # since no later tick looks at a case with nothing left to do.
    assert ws.case(case.id).breached is True
    assert [(a, step, at) for a, step, _, at, _, _ in history(ws, case.id)] == [
        ("opened", None, T0), ("breach", "response", D(2026, 11, 3, 9)),
        ("resolve", None, done), ("close", None, done)]
    assert counts(ws.tick_cases(D(2026, 11, 30))) == (0, 0, 0)
    assert ws.tasks(status=None) == []


def test_a_case_opened_by_hand(ws):
    case = ws.open_case("svc.tight", "C2", "M1", opened_at=T0, summary="billing error")
    assert (case.policy, case.customer_id, case.owner_id, case.interaction_id, case.summary,
            case.response_due_at, case.resolution_due_at) == (
        "svc.tight", "C2", "M1", None, "billing error", D(2026, 11, 2, 10), D(2026, 11, 2, 19))
    assert history(ws, case.id) == [("opened", None, None, T0, "M1", "M1")]
    # the owner defaults to the customer's
    assert ws.open_case("svc.tight", "C2", opened_at=T0).owner_id == "M2"
    with pytest.raises(UsageError, match="unknown case policy 'svc.nope'"):
        ws.open_case("svc.nope", "C2", "M1")
    with pytest.raises(NotFoundError, match="no customer with id 'C9'"):
        ws.open_case("svc.tight", "C9", "M1")


# -- the clocks at their boundaries ------------------------------------------------


def test_resolved_exactly_at_the_target_is_on_time_and_one_second_later_breached(ws):
    on_time = interaction(ws, "I1", "C1", "complaint", T0)
    late = interaction(ws, "I2", "C1", "complaint", T0)
    for case in (on_time, late):
        ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 2, 12))
    due = D(2026, 11, 7, 9)  # 120 hours
    ws.case_step(on_time.id, "resolve", "M1", at=due)
    ws.case_step(late.id, "resolve", "M1", at=due + SECOND)
    ws.tick_cases(D(2026, 11, 8))  # before the callbacks are due
    on_time, late = ws.case(on_time.id), ws.case(late.id)
    assert (on_time.breached, on_time.level, on_time.resolved_at) == (False, 1, due)
    assert [e[0] for e in history(ws, on_time.id)] == ["opened", "respond", "resolve"]
    # One second past the target: the breach and level 2 are dated at the target.
    assert (late.breached, late.level) == (True, 2)
    assert history(ws, late.id) == [
        ("opened", None, None, T0, "M1", "M1"),
        ("respond", None, None, D(2026, 11, 2, 12), "M1", None),
        ("breach", "resolution", None, due, None, "M1"),
        ("escalate", None, 2, due, None, "LEAD"),
        ("resolve", None, None, due + SECOND, "M1", None),
    ]
    # Resolved since: no task asks for what is done; the callbacks are to do.
    assert [(x.rule, x.customer_id) for x in ws.tasks(status=None)] == [
        ("core.case_callback", "C1"), ("core.case_callback", "C1")]
    (value,) = ws.kpi(["core.case_resolution_on_time"], period="2026-11",
                      as_of=dt.date(2026, 11, 30))
    assert value.value == 0.5


def test_a_tick_at_the_deadline_records_nothing_and_one_second_later_the_breach(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    due = D(2026, 11, 3, 9)
    assert counts(ws.tick_cases(due)) == (0, 0, 0)
    assert ws.case(case.id).breached is False
    result = ws.tick_cases(due + SECOND)
    assert counts(result) == (0, 1, 0)
    assert [(r.rule, r.created) for r in result.rules] == [
        ("core.case_breach", 1), ("core.case_escalation", 0), ("core.case_callback", 0)]
    (task,) = ws.tasks()
    assert (task.rule, task.manager_id, task.kind, task.priority, task.dedupe_key,
            task.due_at, task.reason) == (
        "core.case_breach", "M1", "case", 1, f"case:{case.id}:response", dt.date(2026, 11, 4),
        f"case {case.id} (core.complaint): response was due 2026-11-03 09:00 and is late")
    # Responding closes the task that asked for it.
    ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 3, 10))
    assert [(x.status, x.outcome) for x in ws.tasks(status=None)] == [
        ("done", "responded to by M1")]


def test_warnings_come_once_in_the_window_before_a_deadline(ws):
    # svc.tight: respond within 1 h, resolve within 10 h, warn 2 h before.
    case = interaction(ws, "I1", "C1", "tight", T0)
    assert counts(ws.tick_cases(T0)) == (1, 0, 0)  # the response window opens at once
    assert counts(ws.tick_cases(D(2026, 11, 2, 16, 59, 59))) == (0, 1, 0)
    assert counts(ws.tick_cases(D(2026, 11, 2, 17))) == (1, 0, 0)
    assert counts(ws.tick_cases(D(2026, 11, 2, 17))) == (0, 0, 0)
    assert [e for e in history(ws, case.id) if e[0] == "warn"] == [
        ("warn", "response", None, T0, None, "M1"),
        ("warn", "resolution", None, D(2026, 11, 2, 17), None, "M1"),
    ]
    assert ws.case(case.id).warned is True


def test_a_pause_across_a_weekend_stops_the_working_time_clock(ws):
    # svc.repair counts working hours (09:00-17:30): Friday 10:00 + 16 h is
    # Monday 17:30 (7.5 h on Friday, 8.5 h on Monday).
    friday = D(2026, 11, 20, 10)
    case = interaction(ws, "R1", "C1", "repair", friday)
    assert (case.response_due_at, case.resolution_due_at) == (
        D(2026, 11, 20, 14), D(2026, 11, 23, 17, 30))
    ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 20, 11))
    ws.case_step(case.id, "pause", "M1", at=D(2026, 11, 20, 16), note="waiting for the meter")
    assert counts(ws.tick_cases(D(2026, 11, 21, 12))) == (0, 0, 0)
    case = ws.case_step(case.id, "resume", "M1", at=D(2026, 11, 23, 11))
    # Paused 67 calendar hours, 3.5 of them working hours (Friday 16:00-17:30,
    # Monday 09:00-11:00): the due moves from Monday 17:30 to Tuesday 12:30.
    assert (case.state, case.paused_at, case.paused_hours, case.resolution_due_at) == (
        "open", None, 67.0, D(2026, 11, 24, 12, 30))
    assert counts(ws.tick_cases(D(2026, 11, 24, 12, 30))) == (0, 0, 0)
    assert counts(ws.tick_cases(D(2026, 11, 24, 12, 30, 1))) == (0, 1, 1)
    # Level 3 at twice the target plus the pause: 35.5 working hours, Thursday 11:30.
    assert counts(ws.tick_cases(D(2026, 11, 26, 12))) == (0, 0, 1)
    clock_events = ("pause", "resume", "breach", "escalate")
    assert [e for e in history(ws, case.id) if e[0] in clock_events] == [
        ("pause", None, None, D(2026, 11, 20, 16), "M1", None),
        ("resume", None, None, D(2026, 11, 23, 11), "M1", None),
        ("breach", "resolution", None, D(2026, 11, 24, 12, 30), None, "M1"),
        ("escalate", None, 2, D(2026, 11, 24, 12, 30), None, "LEAD"),
        ("escalate", None, 3, D(2026, 11, 26, 11, 30), None, "BOSS"),
    ]


def test_a_calendar_time_pause_moves_the_deadlines_still_ahead(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    ws.case_step(case.id, "pause", "M1", at=D(2026, 11, 2, 10))
    # Paused past the response deadline: the clock stood still.
    assert counts(ws.tick_cases(D(2026, 11, 4, 10))) == (0, 0, 0)
    case = ws.case_step(case.id, "resume", "M1", at=D(2026, 11, 4, 10))
    assert (case.paused_hours, case.response_due_at, case.resolution_due_at) == (
        48.0, D(2026, 11, 5, 9), D(2026, 11, 9, 9))
    # A paused case resolved is resumed first, then resolved.
    ws.case_step(case.id, "pause", "M1", at=D(2026, 11, 4, 12))
    case = ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 4, 14))
    assert (case.state, case.paused_hours, case.responded_at) == (
        "resolved", 50.0, D(2026, 11, 4, 14))
    assert [e[0] for e in history(ws, case.id)][-3:] == ["pause", "resume", "resolve"]


# -- escalation ---------------------------------------------------------------------


def test_escalation_levels_come_in_order_one_event_each(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    target = D(2026, 11, 7, 9)
    ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 2, 10))
    assert counts(ws.tick_cases(target)) == (0, 0, 0)
    assert counts(ws.tick_cases(target + SECOND)) == (0, 1, 1)
    assert ws.case(case.id).level == 2
    assert counts(ws.tick_cases(D(2026, 11, 12, 9))) == (0, 0, 0)
    assert counts(ws.tick_cases(D(2026, 11, 12, 9, 0, 1))) == (0, 0, 1)
    again = ws.tick_cases(D(2026, 11, 12, 9, 0, 1))
    assert counts(again) == (0, 0, 0)
    assert [(r.rule, r.created, r.existing) for r in again.rules] == [
        ("core.case_breach", 0, 1), ("core.case_escalation", 0, 2), ("core.case_callback", 0, 0)]
    # Level 2 goes to the owner's reports_to, level 3 one further up.
    assert [e for e in history(ws, case.id) if e[0] == "escalate"] == [
        ("escalate", None, 2, target, None, "LEAD"),
        ("escalate", None, 3, D(2026, 11, 12, 9), None, "BOSS"),
    ]
    assert [(x.rule, x.manager_id, x.kind, x.dedupe_key, x.reason)
            for x in ws.tasks(rule="core.case_escalation")] == [
        ("core.case_escalation", "LEAD", "escalation", f"case:{case.id}:level:2",
         f"case {case.id} (core.complaint) of M1 is at level 2: opened 2026-11-02 09:00, "
         "resolution was due 2026-11-07 09:00"),
        ("core.case_escalation", "BOSS", "escalation", f"case:{case.id}:level:3",
         f"case {case.id} (core.complaint) of M1 is at level 3: opened 2026-11-02 09:00, "
         "resolution was due 2026-11-07 09:00"),
    ]


def test_a_case_two_levels_behind_gets_both_events_in_one_tick(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    assert counts(ws.tick_cases(D(2026, 11, 30))) == (0, 2, 2)
    assert [e for e in history(ws, case.id) if e[0] == "escalate"] == [
        ("escalate", None, 2, D(2026, 11, 7, 9), None, "LEAD"),
        ("escalate", None, 3, D(2026, 11, 12, 9), None, "BOSS"),
    ]
    assert ws.case(case.id).level == 3


def test_an_escalation_by_hand_is_one_level_the_clock_does_not_repeat(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    case = ws.case_step(case.id, "escalate", "M1", at=D(2026, 11, 3), note="the customer is a VIP")
    assert case.level == 2
    assert counts(ws.tick_cases(D(2026, 11, 8))) == (0, 2, 0)
    assert counts(ws.tick_cases(D(2026, 11, 13))) == (0, 0, 1)
    assert [e for e in history(ws, case.id) if e[0] == "escalate"] == [
        ("escalate", None, 2, D(2026, 11, 3), "M1", "LEAD"),
        ("escalate", None, 3, D(2026, 11, 12, 9), None, "BOSS"),
    ]


def test_a_tick_is_idempotent_even_after_the_tasks_are_done(ws):
    for n, customer in enumerate(("C1", "C2", "C3")):
        interaction(ws, f"I{n}", customer, "complaint", T0)
    first = ws.tick_cases(D(2026, 11, 30))
    assert counts(first) == (0, 6, 6)
    assert [(r.rule, r.created) for r in first.rules] == [
        ("core.case_breach", 6), ("core.case_escalation", 6), ("core.case_callback", 0)]
    rerun = ws.tick_cases(D(2026, 11, 30))
    assert [(r.created, r.existing) for r in rerun.rules] == [(0, 6), (0, 6), (0, 0)]
    for task in ws.tasks():
        ws.task_done(task.id)
    again = ws.tick_cases(D(2026, 11, 30))
    assert counts(again) == (0, 0, 0)
    assert [(r.created, r.existing) for r in again.rules] == [(0, 0), (0, 0), (0, 0)]
    assert len(ws.tasks(status=None)) == 12


def test_the_daily_batch_ticks_cases_before_the_rules(ws):
    case = interaction(ws, "I1", "C1", "complaint", D(2026, 10, 1, 9))
    result = ws.run(as_of=dt.date(2026, 10, 7))
    # Ticked to the end of 7 October: level 2 (6 October 09:00), not level 3.
    assert ws.case(case.id).level == 2
    made = {r.rule: r.created for r in result.rules}
    assert (made["core.case_breach"], made["core.case_escalation"]) == (2, 1)
    assert result.failures == []


# -- first responsibility: hand-overs -----------------------------------------------


def test_a_handover_keeps_the_first_owner_in_history(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    ws.tick_cases(D(2026, 11, 3, 10))  # the response is late: a task for M1
    case = ws.case_step(case.id, "handover", "M1", to="M2", at=D(2026, 11, 3, 11),
                        note="M2 handles billing")
    assert case.owner_id == "M2"
    assert history(ws, case.id) == [
        ("opened", None, None, T0, "M1", "M1"),
        ("breach", "response", None, D(2026, 11, 3, 9), None, "M1"),
        ("handover", None, None, D(2026, 11, 3, 11), "M1", "M2"),
    ]
    handover = ws.case_history(case.id)[-1]
    assert (handover.from_owner, handover.to_owner, handover.note) == (
        "M1", "M2", "M2 handles billing")
    # The owner's to-do on the case follows it.
    assert [(x.rule, x.manager_id) for x in ws.tasks()] == [("core.case_breach", "M2")]
    with pytest.raises(GuanxiError, match="manager 'GONE' is not active"):
        ws.case_step(case.id, "handover", "M2", to="GONE", at=D(2026, 11, 3, 12))
    with pytest.raises(GuanxiError, match=f"case {case.id} is already M2's"):
        ws.case_step(case.id, "handover", "M2", to="M2", at=D(2026, 11, 3, 12))
    with pytest.raises(UsageError, match="names the manager it goes to"):
        ws.case_step(case.id, "handover", "M2", at=D(2026, 11, 3, 12))


# -- approval chains (TOB-QUALITY) ---------------------------------------------------


def test_an_approval_chain_goes_step_by_step_each_by_its_role(ws):
    case = interaction(ws, "Q1", "C1", "quality", T0)
    assert (case.step_name, case.step_due_at, case.response_due_at, case.resolution_due_at) == (
        "inspected", D(2026, 11, 3, 9), None, D(2026, 11, 12, 9))
    assert ws.case_waiting_for(case.id) == "M1"
    with pytest.raises(GuanxiError, match=f"step 'inspected' of case {case.id} is for M1 "
                                          r"\(owner\); M2 may not approve it"):
        ws.case_step(case.id, "approve", "M2", at=D(2026, 11, 2, 15))
    case = ws.case_step(case.id, "approve", "M1", at=D(2026, 11, 2, 15))
    assert (case.step_name, case.step_due_at) == ("form_signed", D(2026, 11, 4, 15))
    case = ws.case_step(case.id, "approve", "M1", at=D(2026, 11, 3, 10),
                        note="signed by the retailer")
    # The regional market manager of the owner's territory (the role compared without case).
    assert (case.step_name, case.step_due_at) == ("approved", D(2026, 11, 4, 10))
    assert ws.case_waiting_for(case.id) == "RMM-N"
    with pytest.raises(GuanxiError, match="is for RMM-N .regional market manager.; RMM-S may not"):
        ws.case_step(case.id, "approve", "RMM-S", at=D(2026, 11, 3, 11))
    with pytest.raises(UsageError, match="a rejection needs a note"):
        ws.case_step(case.id, "reject", "RMM-N", at=D(2026, 11, 3, 12))
    with pytest.raises(UsageError, match="at step 'approved' of its chain"):
        ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 3, 12))
    # Rejected: back one step, its clock restarted.
    case = ws.case_step(case.id, "reject", "RMM-N", at=D(2026, 11, 3, 12), note="form incomplete")
    assert (case.step_name, case.step_due_at) == ("form_signed", D(2026, 11, 5, 12))
    for by, at in (("M1", D(2026, 11, 3, 14)), ("RMM-N", D(2026, 11, 4, 9)),
                   ("M1", D(2026, 11, 5, 9)), ("M1", D(2026, 11, 6, 9))):
        case = ws.case_step(case.id, "approve", by, at=at)
    assert (case.step_name, case.step_due_at, case.step) == (None, None, 5)
    assert ws.case_waiting_for(case.id) is None
    with pytest.raises(GuanxiError, match="has completed its approval chain"):
        ws.case_step(case.id, "approve", "M1", at=D(2026, 11, 6, 10))
    case = ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 6, 10), note="result fed back")
    assert [(a, step, actor) for a, step, _, _, actor, _ in history(ws, case.id)] == [
        ("opened", None, "M1"),
        ("approve", "inspected", "M1"),
        ("approve", "form_signed", "M1"),
        ("reject", "approved", "RMM-N"),
        ("approve", "form_signed", "M1"),
        ("approve", "approved", "RMM-N"),
        ("approve", "replaced", "M1"),
        ("approve", "receipt_confirmed", "M1"),
        ("resolve", None, "M1"),
    ]
    assert (case.state, case.breached, case.level) == ("resolved", False, 1)


def test_a_role_resolves_in_the_territory_else_the_team_else_anywhere(ws):
    waiting = {}
    for customer, owner in (("C2", "M2"), ("C3", "M3"), ("C4", "M4")):
        case = interaction(ws, "Q" + customer, customer, "quality", T0)
        ws.case_step(case.id, "approve", owner, at=T0)
        ws.case_step(case.id, "approve", owner, at=T0)
        waiting[customer] = ws.case_waiting_for(case.id)
    # M2 is in the north; M3 (west) shares team T2 with RMM-S; M4 has neither:
    # the smallest id of the active holders.
    assert waiting == {"C2": "RMM-N", "C3": "RMM-S", "C4": "RMM-E"}


def test_a_step_past_its_limit_escalates(ws):
    case = interaction(ws, "Q1", "C1", "quality", T0)
    ws.case_step(case.id, "approve", "M1", at=D(2026, 11, 2, 10))
    ws.case_step(case.id, "approve", "M1", at=D(2026, 11, 2, 11))
    limit = D(2026, 11, 3, 11)  # 'approved' has 24 hours
    assert counts(ws.tick_cases(limit)) == (0, 0, 0)
    result = ws.tick_cases(limit + SECOND)
    assert counts(result) == (0, 1, 1)
    breach, escalation = ws.case_history(case.id)[-2:]
    # The breach is the step's person's; the escalation goes to their superior.
    assert [(e.action, e.step, e.at, e.to_owner, e.level) for e in (breach, escalation)] == [
        ("breach", "approved", limit, "RMM-N", None),
        ("escalate", "approved", limit, "BOSS", None),
    ]
    case = ws.case(case.id)
    assert (case.level, case.breached, case.step_name) == (1, True, "approved")
    assert [(x.rule, x.manager_id, x.dedupe_key, x.reason) for x in ws.tasks()] == [
        ("core.case_breach", "RMM-N", f"case:{case.id}:step:approved:{breach.id}",
         f"case {case.id} (svc.quality): approved was due 2026-11-03 11:00 and is late"),
        ("core.case_escalation", "BOSS", f"case:{case.id}:step:approved:{escalation.id}",
         f"case {case.id} (svc.quality): step approved was due 2026-11-03 11:00; "
         "it is escalated to you"),
    ]
    assert counts(ws.tick_cases(limit + SECOND)) == (0, 0, 0)
    # Approving the step closes both tasks.
    ws.case_step(case.id, "approve", "RMM-N", at=D(2026, 11, 3, 12))
    assert [(x.status, x.outcome) for x in ws.tasks(status=None)] == [
        ("done", "approved done by RMM-N"), ("done", "approved done by RMM-N")]


# -- the callback clock ----------------------------------------------------------------


def test_the_callback_clock_runs_from_resolving(ws):
    # svc.tight: call back within 24 h of resolving.
    case = interaction(ws, "I1", "C1", "tight", T0)
    ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 2, 9, 30))
    case = ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 2, 15))
    due = D(2026, 11, 3, 15)
    assert (case.state, case.callback_due_at, case.due_at) == ("resolved", due, due)
    result = ws.tick_cases(D(2026, 11, 2, 15))
    assert [(r.rule, r.created) for r in result.rules][2] == ("core.case_callback", 1)
    (task,) = ws.tasks()
    assert (task.rule, task.manager_id, task.kind, task.due_at, task.priority, task.reason) == (
        "core.case_callback", "M1", "callback", due, 2,
        f"call the customer back about case {case.id} (svc.tight), resolved 2026-11-02 15:00; "
        "due 2026-11-03 15:00")
    assert counts(ws.tick_cases(due)) == (0, 0, 0)
    result = ws.tick_cases(due + SECOND)
    assert counts(result) == (0, 1, 0)
    # The callback task already asks for it: no second task for the breach.
    assert [r.created for r in result.rules] == [0, 0, 0]
    case = ws.case_step(case.id, "close", "M1", at=D(2026, 11, 3, 16))
    assert (case.state, case.due_at, case.breached) == ("closed", due, True)
    # The owner calls back after closing.
    case = ws.case_step(case.id, "callback", "M1", at=D(2026, 11, 3, 17), note="satisfied")
    assert (case.called_back_at, case.due_at) == (D(2026, 11, 3, 17), None)
    assert [(x.status, x.outcome) for x in ws.tasks(status=None)] == [("done", "called back by M1")]
    assert [e[:4] for e in history(ws, case.id)][-4:] == [
        ("resolve", None, None, D(2026, 11, 2, 15)),
        ("breach", "callback", None, due),
        ("close", None, None, D(2026, 11, 3, 16)),
        ("callback", None, None, D(2026, 11, 3, 17)),
    ]
    with pytest.raises(GuanxiError, match="was called back at 2026-11-03 17:00:00"):
        ws.case_step(case.id, "callback", "M1", at=D(2026, 11, 3, 18))


# -- what a step refuses -----------------------------------------------------------------


def test_steps_refuse_what_the_case_cannot_do(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    with pytest.raises(UsageError, match="unknown case action 'shout'"):
        ws.case_step(case.id, "shout", "M1")
    with pytest.raises(NotFoundError, match="no case with id 999"):
        ws.case_step(999, "respond", "M1")
    with pytest.raises(NotFoundError, match="no manager with id 'X'"):
        ws.case_step(case.id, "respond", "X", at=T0)
    with pytest.raises(GuanxiError, match="a step cannot be dated 2026-11-02 08:00:00"):
        ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 2, 8))
    with pytest.raises(GuanxiError, match="resolve it before closing it"):
        ws.case_step(case.id, "close", "M1", at=T0)
    with pytest.raises(GuanxiError, match="is not resolved yet"):
        ws.case_step(case.id, "callback", "M1", at=T0)
    with pytest.raises(GuanxiError, match="is open, not paused"):
        ws.case_step(case.id, "resume", "M1", at=T0)
    with pytest.raises(GuanxiError, match="has no approval chain"):
        ws.case_step(case.id, "approve", "M1", at=T0)
    ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 2, 10))
    with pytest.raises(GuanxiError, match="was responded to at 2026-11-02 10:00:00"):
        ws.case_step(case.id, "respond", "M1", at=D(2026, 11, 2, 11))
    # A later tick's events bound the history too.
    ws.tick_cases(D(2026, 11, 8))
    with pytest.raises(GuanxiError, match="has history up to 2026-11-07 09:00:00"):
        ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 6))
    ws.case_step(case.id, "resolve", "M1", at=D(2026, 11, 8))
    with pytest.raises(GuanxiError, match="only an unresolved case is escalated"):
        ws.case_step(case.id, "escalate", "M1", at=D(2026, 11, 8))


def test_a_policy_that_cannot_work_is_refused_naming_it(make_workspace):
    class Bad:
        @guanxi.hookimpl
        def guanxi_case_policies(self, workspace):
            return [guanxi.CasePolicy(
                name="bad.skip", title="", resolution_hours=10,
                escalations=(guanxi.Escalation(level=2, after=1),
                             guanxi.Escalation(level=4, after=2)))]

    ws = make_workspace(extra_packs={"bad": Bad()})
    with pytest.raises(PackError, match=r"case policy 'bad.skip' of pack 'bad' has escalation "
                                        r"levels \[2, 4\]; they must be 2, 3, ... in order"):
        ws.tick_cases(T0)

    class Clash:
        @guanxi.hookimpl
        def guanxi_case_policies(self, workspace):
            return [guanxi.CasePolicy(name="clash.x", title="",
                                      steps=(guanxi.CaseStep(name="response", role="owner"),))]

    ws = make_workspace(extra_packs={"clash": Clash()})
    with pytest.raises(PackError, match="names a step 'response', the name of a clock"):
        ws.case_policies()


# -- KPIs ----------------------------------------------------------------------------------


def test_the_case_kpis_exact_values(ws):
    # Ten complaints resolved after 2, 3, 5, ... 29 hours (the last one
    # paused 2 hours, which do not count); six of M1's customer, four of M2's.
    hours = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    ids = []
    for n, h in enumerate(hours):
        customer, owner = ("C1", "M1") if n < 6 else ("C2", "M2")
        case = ws.open_case("core.complaint", customer, owner, opened_at=T0)
        ids.append(case.id)
        step = dt.timedelta(hours=1)
        if h == 29:
            ws.case_step(case.id, "pause", owner, at=T0 + step)
            ws.case_step(case.id, "resume", owner, at=T0 + 3 * step)
            # due 26 hours after opening, with the pause: responded one hour late
            ws.case_step(case.id, "respond", owner, at=T0 + 27 * step)
            ws.case_step(case.id, "resolve", owner, at=T0 + 31 * step)
        else:
            ws.case_step(case.id, "respond", owner, at=T0 + step)
            ws.case_step(case.id, "resolve", owner, at=T0 + h * step)
        if n < 5:
            ws.case_step(case.id, "callback", owner, at=T0 + (h + 1) * step)
    # An eleventh, never responded to nor resolved: late twice, escalated.
    ws.open_case("core.complaint", "C2", "M2", opened_at=T0)
    ws.tick_cases(D(2026, 11, 20))

    def values(by=None):
        rows = ws.kpi([
            "core.case_response_on_time", "core.case_resolution_on_time",
            "core.case_escalation_rate", "core.case_callback_rate",
            "core.case_resolution_hours_mean", "core.case_resolution_hours_p90",
        ], period="2026-11", by=by, as_of=dt.date(2026, 11, 30))
        return {(r.kpi.split(".")[1], r.scope_key): r.value for r in rows}

    assert values() == {
        ("case_response_on_time", ""): 9 / 11,
        ("case_resolution_on_time", ""): 10 / 11,
        ("case_escalation_rate", ""): 1 / 11,
        ("case_callback_rate", ""): 5 / 10,
        ("case_resolution_hours_mean", ""): 129 / 10,
        # nearest rank: the 9th of 10
        ("case_resolution_hours_p90", ""): 23.0,
    }
    assert values("manager") == {
        ("case_response_on_time", "M1"): 1.0,
        ("case_response_on_time", "M2"): 3 / 5,
        ("case_resolution_on_time", "M1"): 1.0,
        ("case_resolution_on_time", "M2"): 4 / 5,
        ("case_escalation_rate", "M1"): 0.0,
        ("case_escalation_rate", "M2"): 1 / 5,
        ("case_callback_rate", "M1"): 5 / 6,
        ("case_callback_rate", "M2"): 0.0,
        ("case_resolution_hours_mean", "M1"): 41 / 6,
        ("case_resolution_hours_mean", "M2"): 22.0,
        # six durations: rank 6 (13); four: rank 4 (29)
        ("case_resolution_hours_p90", "M1"): 13.0,
        ("case_resolution_hours_p90", "M2"): 29.0,
    }


def test_a_deadline_not_yet_reached_is_not_yet_judged(ws):
    interaction(ws, "I1", "C1", "complaint", D(2026, 11, 29, 9))
    rows = ws.kpi(["core.case_response_on_time"], period="2026-11", as_of=dt.date(2026, 11, 29))
    # due 30 November: not counted on the 29th (a rate over nothing is
    # undefined), late on the 30th
    assert rows == []
    rows = ws.kpi(["core.case_response_on_time"], period="2026-11", as_of=dt.date(2026, 11, 30))
    assert [r.value for r in rows] == [0.0]


# -- the command line --------------------------------------------------------------------


def run(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cases_list_json_is_stable(ws):
    first = interaction(ws, "I1", "C1", "complaint", T0)
    second = interaction(ws, "I2", "C2", "complaint", T0)
    ws.case_step(first.id, "respond", "M1", at=D(2026, 11, 2, 10))
    ws.case_step(second.id, "resolve", "M2", at=D(2026, 11, 2, 12))
    ws.case_step(second.id, "callback", "M2", at=D(2026, 11, 3, 12))
    ws.tick_cases(D(2026, 11, 8))
    assert json.loads(run(ws, "cases", "list", "--format", "json")) == [
        {"id": first.id, "policy": "core.complaint", "customer_id": "C1", "owner_id": "M1",
         "state": "open", "level": 2, "opened_at": "2026-11-02T09:00:00",
         "responded_at": "2026-11-02T10:00:00", "resolved_at": None,
         "due_at": "2026-11-07T09:00:00", "breached": True},
        {"id": second.id, "policy": "core.complaint", "customer_id": "C2", "owner_id": "M2",
         "state": "resolved", "level": 1, "opened_at": "2026-11-02T09:00:00",
         "responded_at": "2026-11-02T12:00:00", "resolved_at": "2026-11-02T12:00:00",
         "due_at": None, "breached": False},
    ]
    listed = json.loads(run(ws, "cases", "list", "--policy", "core.complaint", "--owner", "M2",
                            "--state", "resolved", "--customer", "C2", "--limit", "5",
                            "--format", "json"))
    assert [c["id"] for c in listed] == [second.id]
    assert json.loads(run(ws, "cases", "list", "--state", "closed", "--format", "json")) == []
    csv_text = run(ws, "cases", "list", "--format", "csv")
    assert csv_text.splitlines()[0] == ("id,policy,customer_id,owner_id,state,level,opened_at,"
                                        "responded_at,resolved_at,due_at,breached")


def test_cases_open_step_show_and_tick_commands(ws):
    out = run(ws, "cases", "open", "core.complaint", "--customer", "C1", "--owner", "M2",
              "--at", "2026-11-02T09:00", "--summary", "wrong bill")
    (case,) = ws.cases()
    assert out == (f"Case {case.id} opened (core.complaint) for C1, owned by M2; next deadline "
                   "2026-11-03 09:00:00.\n")
    out = run(ws, "cases", "step", str(case.id), "handover", "--by", "M2", "--to", "M1",
              "--note", "M1 knows the customer", "--at", "2026-11-02T09:10")
    assert out == (f"Case {case.id}: handover by M2; now open, level 1, owner M1; "
                   "next deadline 2026-11-03 09:00:00.\n")
    tick = json.loads(run(ws, "cases", "tick", "--at", "2026-11-03T09:30", "--format", "json"))
    assert tick == {"at": "2026-11-03T09:30:00", "warnings": 0, "breaches": 1, "escalations": 0,
                    "rules": [{"rule": "core.case_breach", "created": 1, "existing": 0},
                              {"rule": "core.case_escalation", "created": 0, "existing": 0},
                              {"rule": "core.case_callback", "created": 0, "existing": 0}]}
    shown = json.loads(run(ws, "cases", "show", str(case.id), "--format", "json"))
    assert (shown["case"]["owner_id"], shown["case"]["summary"], shown["case"]["due_at"]) == (
        "M1", "wrong bill", "2026-11-03T09:00:00")
    assert shown["events"] == [
        {"at": "2026-11-02T09:00:00", "action": "opened", "actor_id": "M2", "step": None,
         "from_owner": None, "to_owner": "M2", "level": None, "note": "wrong bill"},
        {"at": "2026-11-02T09:10:00", "action": "handover", "actor_id": "M2", "step": None,
         "from_owner": "M2", "to_owner": "M1", "level": None, "note": "M1 knows the customer"},
        {"at": "2026-11-03T09:00:00", "action": "breach", "actor_id": None, "step": "response",
         "from_owner": None, "to_owner": "M1", "level": None, "note": None},
    ]
    table = run(ws, "cases", "show", str(case.id))
    assert table.startswith(f"Case {case.id}  core.complaint  customer C1  owner M1  open, "
                            "level 1  BREACHED\n")
    assert "handover" in table and "M1 knows the customer" in table
    out = run(ws, "cases", "tick", "--at", "2026-11-03T09:30")
    assert out == ("Cases ticked at 2026-11-03 09:30:00: 0 warning(s), 0 breach(es), "
                   "0 escalation(s)\n"
                   "  rule core.case_breach: 0 new task(s), 1 already open\n"
                   "  rule core.case_escalation: 0 new task(s), 0 already open\n"
                   "  rule core.case_callback: 0 new task(s), 0 already open\n")


def test_a_step_refused_on_the_command_line_is_one_sentence(ws):
    case = interaction(ws, "I1", "C1", "complaint", T0)
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "cases", "step",
                                      str(case.id), "close", "--by", "M1",
                                      "--at", "2026-11-02T10:00"])
    assert (result.exit_code, result.output) == (
        1, f"Error: case {case.id} is open; resolve it before closing it\n")


def test_level_three_climbs_from_each_cases_own_level_two(ws):
    # Two cases reach level 3 in one tick: each climbs from whoever its own
    # level 2 went to (M1 -> LEAD -> BOSS; M4 has nobody above and keeps it).
    first = interaction(ws, "I1", "C1", "complaint", T0)
    other = interaction(ws, "I4", "C4", "complaint", T0)
    ws.tick_cases(D(2026, 11, 30))
    assert [e[2:] for e in history(ws, first.id) if e[0] == "escalate"] == [
        (2, D(2026, 11, 7, 9), None, "LEAD"), (3, D(2026, 11, 12, 9), None, "BOSS")]
    assert [e[2:] for e in history(ws, other.id) if e[0] == "escalate"] == [
        (2, D(2026, 11, 7, 9), None, "M4"), (3, D(2026, 11, 12, 9), None, "M4")]
