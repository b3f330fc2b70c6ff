"""BANK-SPOTCHECK (the daily sample), BANK-TEAM (league, rewards, fines) and the
tracked reports of BANK-FEEDBACK."""

import datetime as dt

import pytest
from banking_kit import AS_OF, tasks

from guanxi_banking import commands


def _kpi(ws, name, by="all", period="2026-11", as_of=AS_OF):
    return {v.scope_key: v.value for v in ws.kpi([name], period=period, by=by, as_of=as_of)}


# -- rule BANK-SPOTCHECK -----------------------------------------------------------------------


@pytest.fixture
def visited(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.spotcheck": {"sample": 3}})
    ws.save("managers", [{"id": m, "name": f"Manager {m}"} for m in ("L1", "L2", "M1", "M2")])
    ws.save("customers", [{"id": f"C{n}", "name": "x", "manager_id": "M1" if n % 2 else "M2"}
                          for n in range(1, 9)])
    visits = [("C1", "M1", 23), ("C2", "M1", 20), ("C3", "M1", 19), ("C4", "M2", 24),
              ("C5", "M2", 21), ("C6", "M2", 17), ("C7", "M1", 22), ("C8", "L1", 22)]
    ws.save("interactions", [
        {"id": f"V{c}", "customer_id": c, "kind": "visit", "manager_id": m,
         "occurred_at": dt.datetime(2026, 11, day, 10)} for c, m, day in visits
    ] + [{"id": "S7", "customer_id": "C7", "kind": "spotcheck", "manager_id": "L2",
          "outcome": "confirmed", "occurred_at": dt.datetime(2026, 11, 23, 11)}])
    return ws


def test_the_leader_on_duty_checks_a_sample_spread_over_the_managers(visited):
    ws = visited
    ws.save("rotas", [{"rota": "spotcheck", "day": AS_OF, "manager_id": "L1"}])
    runs = ws.run_rules(["banking.spotcheck"], as_of=AS_OF)
    assert [(r.created, r.existing) for r in runs] == [(3, 0)]
    due = dt.date(2026, 11, 25)
    # 2026-W48 is an even week: on site (odd weeks by phone).
    assert tasks(ws, "banking.spotcheck") == [
        ("C1", "L1", "visit", due, 2, "spot-check on site: did Manager M1 (M1) really visit on "
         "2026-11-23? Record a spotcheck: confirmed, not_confirmed or problem"),
        ("C2", "L1", "visit", due, 2, "spot-check on site: did Manager M1 (M1) really visit on "
         "2026-11-20? Record a spotcheck: confirmed, not_confirmed or problem"),
        ("C4", "L1", "visit", due, 2, "spot-check on site: did Manager M2 (M2) really visit on "
         "2026-11-24? Record a spotcheck: confirmed, not_confirmed or problem"),
    ]


def test_two_leaders_on_duty_get_different_customers_by_phone_in_an_odd_week(visited):
    ws = visited
    ws.save("rotas", [{"rota": "spotcheck", "day": AS_OF, "manager_id": m} for m in ("L1", "L2")])
    ws.run_rules(["banking.spotcheck"], as_of=AS_OF)
    assert [(t[0], t[1]) for t in tasks(ws, "banking.spotcheck")] == [
        ("C1", "L1"), ("C2", "L1"), ("C3", "L2"), ("C4", "L1"), ("C5", "L2")]
    ws2 = visited
    ws2.save("rotas", [{"rota": "spotcheck", "day": dt.date(2026, 11, 17), "manager_id": "L1"}])
    ws2.run_rules(["banking.spotcheck"], as_of=dt.date(2026, 11, 17))   # week 47: by phone
    kinds = {t.kind for t in ws2.tasks(rule="banking.spotcheck") if t.manager_id == "L1"
             and t.created_at.date() == dt.date(2026, 11, 17)}
    assert kinds == {"call"}


def test_nobody_on_duty_no_sample(visited):
    assert [(r.created, r.existing) for r in visited.run_rules(["banking.spotcheck"],
                                                              as_of=AS_OF)] == [(0, 0)]


# -- rule BANK-TEAM ----------------------------------------------------------------------------


@pytest.fixture
def league_ws(ws, bank):
    bank.team("T1", name="North")
    bank.team("T2", name="South")
    bank.manager("A1", team_id="T1")
    bank.manager("B1", team_id="T2")
    bank.manager("L1", name="Leader")
    for n in range(1, 4):
        bank.customer(f"A{n}", manager_id="A1")
        bank.interaction(f"VA{n}", f"A{n}", "visit", dt.date(2026, 11, 3 + n), manager_id="A1")
    bank.interaction("VA1b", "A1", "call", dt.date(2026, 11, 12), manager_id="A1")
    for n in range(1, 3):
        bank.customer(f"B{n}", manager_id="B1")
        bank.interaction(f"VB{n}", f"B{n}", "visit", dt.date(2026, 11, 3 + n), manager_id="B1")
    bank.account("AA1", "A1", opened_at=dt.date(2026, 11, 5))
    bank.account("AB1", "B1", opened_at=dt.date(2026, 11, 6))
    bank.account("AB2", "B2", opened_at=dt.date(2026, 11, 7), type="card")
    bank.account("AB3", "B2", opened_at=dt.date(2026, 10, 31))
    return ws


def test_the_top_team_in_each_gets_500(league_ws):
    ws = league_ws
    assert _kpi(ws, "banking.customers_maintained", by="team") == {"T1": 3, "T2": 2}
    assert _kpi(ws, "banking.accounts_opened", by="team") == {"T1": 1, "T2": 2}
    assert _kpi(ws, "banking.team_rewards", by="team") == {"T1": 500.0, "T2": 500.0}
    assert _kpi(ws, "banking.team_rewards") == {"": 1000.0}
    assert commands.league(ws, "2026-11", as_of=AS_OF) == [
        {"team": "T1", "name": "North", "customers_maintained": 3, "accounts_opened": 1,
         "reward": 500.0, "fines": 0.0},
        {"team": "T2", "name": "South", "customers_maintained": 2, "accounts_opened": 2,
         "reward": 500.0, "fines": 0.0},
    ]


def test_a_team_top_in_both_gets_1000_and_ties_share_the_top(league_ws, bank):
    ws = league_ws
    bank.account("AA2", "A2", opened_at=dt.date(2026, 11, 8))
    bank.account("AA3", "A3", opened_at=dt.date(2026, 11, 9))
    assert _kpi(ws, "banking.team_rewards", by="team") == {"T1": 1000.0, "T2": 0.0}
    bank.interaction("VB3", "B1", "visit", dt.date(2026, 11, 10), manager_id="A1")
    bank.customer("B3", manager_id="B1")
    bank.interaction("VB4", "B3", "visit", dt.date(2026, 11, 10), manager_id="B1")
    bank.account("AB4", "B3", opened_at=dt.date(2026, 11, 10))
    # T1 maintained A1-A3 and B1: 4; T2 B1-B3: 3; accounts 3 and 3: a tie at the top.
    assert _kpi(ws, "banking.team_rewards", by="team") == {"T1": 1000.0, "T2": 500.0}


def test_a_false_visit_withdraws_the_reward_and_fines_the_team(league_ws, bank):
    ws = league_ws
    bank.interaction("S1", "A2", "spotcheck", dt.date(2026, 11, 20), manager_id="L1",
                     outcome="not_confirmed")
    assert _kpi(ws, "banking.team_rewards", by="team") == {"T1": 0.0, "T2": 500.0}
    assert _kpi(ws, "banking.team_fines", by="team") == {"T1": 300.0, "T2": 0.0}
    assert _kpi(ws, "banking.visits_confirmed") == {"": 0.0}


def test_a_late_weekly_summary_fines_the_team_and_counts_against_reports_on_time(league_ws):
    ws = league_ws
    expected = commands.expect_reports(ws, week="2026-W46")
    assert {(r.kind, r.author_id, r.due_on) for r in expected} == {
        ("banking.feedback_summary", "T1", dt.date(2026, 11, 16)),
        ("banking.feedback_summary", "T2", dt.date(2026, 11, 16))}
    ws.submit_report("banking.feedback_summary", "T1", "2026-W46", at=dt.date(2026, 11, 16))
    ws.submit_report("banking.feedback_summary", "T2", "2026-W46", at=dt.date(2026, 11, 17))
    assert _kpi(ws, "banking.reports_on_time", by="team") == {"T1": 1.0, "T2": 0.0}
    assert _kpi(ws, "banking.team_fines", by="team") == {"T1": 0.0, "T2": 300.0}
    assert _kpi(ws, "banking.team_rewards", by="team") == {"T1": 500.0, "T2": 0.0}


def test_leaders_are_fined_for_missed_duties(make_workspace):
    ws = make_workspace(packs=["banking"],
                        settings={"banking.reports": {"ledger_author": "L2"}})
    ws.save("managers", [{"id": m, "name": m} for m in ("L1", "L2", "M1")])
    ws.save("customers", [{"id": "C1", "name": "x", "manager_id": "M1"}])
    ws.save("interactions", [{"id": "V1", "customer_id": "C1", "kind": "visit",
                              "manager_id": "M1", "occurred_at": dt.datetime(2026, 11, 9, 10)}])
    ws.save("rotas", [{"rota": "spotcheck", "day": dt.date(2026, 11, 10), "manager_id": "L1"}])
    ws.run_rules(["banking.spotcheck"], as_of=dt.date(2026, 11, 10))   # due 11 November
    commands.expect_reports(ws, week="2026-W46")                       # due 16 November
    assert _kpi(ws, "banking.duty_fines", by="manager") == {"L1": 300.0, "L2": 300.0, "M1": 0.0}
    assert _kpi(ws, "banking.duty_fines") == {"": 600.0}
