"""REC-POLICY and REC-3C: the 3C rating by quintile scores, the credit policy per
grade, and an invoice past the limit or the credit period opening an approval."""

from __future__ import annotations

import datetime as dt

import pytest
from receivables_kit import AS_OF, day, labels, reason

RATING = "receivables.rating"


def test_the_3c_grade_sums_three_quintile_scores(ws, ledger):
    # Five customers: C5 best on every part, C1 worst. Character: invoices paid
    # by the due day; capacity: invoiced in 12 months; capital: registered.
    for n in range(1, 6):
        ledger.customer(f"C{n}", registered_capital=n * 1_000_000)
        for k in range(5):
            ledger.invoice(f"I{n}{k}", f"C{n}", day(100 + k), 1000 * n, day(70 + k))
            if k < n:
                ledger.pay(f"P{n}{k}", f"I{n}{k}", f"C{n}", day(70 + k), 1000 * n)
    ws.segment([RATING], as_of=AS_OF)
    # sums: 3, 6, 9, 12, 15 -> D, D, C, B, A
    assert labels(ws, RATING) == {"C1": "D", "C2": "D", "C3": "C", "C4": "B", "C5": "A"}
    assert reason(ws, RATING, "C4") == (
        "character 4 (4 of 5 invoices paid by the due day), capacity 4 (20,000 invoiced in 12 "
        "months), capital 4 (registered capital 4,000,000): 12")


def test_equal_figures_score_alike_and_missing_ones_rank_lowest(ws, ledger):
    ledger.customer("C1")                           # no registered capital
    ledger.customer("C2", registered_capital=500)
    ledger.customer("C3", registered_capital=500)
    for n in (1, 2, 3):
        ledger.invoice(f"I{n}", f"C{n}", day(10), 100, day(-20))   # nothing due yet
    ws.segment([RATING], as_of=AS_OF)
    # 3 customers: ranks 1, 2, 2 -> scores 1, 2, 2 on capital; everything else ties at 1.
    assert labels(ws, RATING) == {"C1": "D", "C2": "D", "C3": "D"}
    assert "capital 2 (registered capital 500" in reason(ws, RATING, "C3")
    assert "capital 1 (no registered capital declared): 3" in reason(ws, RATING, "C1")


def test_only_customers_invoiced_in_the_12_months_are_rated(ws, ledger):
    ledger.customer("C1")
    ledger.customer("C2")
    ledger.invoice("I1", "C1", dt.date(2025, 11, 30), 100, dt.date(2025, 12, 30))  # 12 months + 1 day
    ledger.invoice("I2", "C2", dt.date(2025, 12, 1), 100, dt.date(2025, 12, 31))   # in
    ws.segment([RATING], as_of=AS_OF)
    assert set(labels(ws, RATING)) == {"C2"}


def credit_cases(ws):
    return sorted(c.customer_id for c in ws.cases() if c.policy == "receivables.credit")


def test_an_invoice_past_the_limit_opens_an_approval(make_workspace):
    from receivables_kit import Ledger

    ws = make_workspace(packs=["receivables"],
                        settings={"receivables.credit": {"limit": [300, 200, 100, 0]}})
    ledger = Ledger(ws)
    ledger.manager("L1")
    ledger.manager("M1", reports_to="L1")
    ledger.customer("C1")                               # unrated: grade C, limit 100
    ledger.customer("C2")
    ledger.invoice("I1", "C1", day(10), 100, day(-5))   # owes 100: at the limit
    ledger.invoice("I2", "C2", day(10), 60, day(-5))
    ledger.pay("P2", "I2", "C2", day(9), 60)
    ledger.invoice("I3", "C2", day(8), 100, day(-5))    # 160 - 60 = 100: at the limit
    assert credit_cases(ws) == []
    ledger.invoice("I4", "C1", day(5), 0.01, day(-5))   # 100.01: past it
    assert credit_cases(ws) == ["C1"]
    (case,) = [c for c in ws.cases() if c.policy == "receivables.credit"]
    assert (case.interaction_id, case.owner_id, case.step_name) == ("I4", "M1", "superior")


@pytest.mark.parametrize("term, opens", [(30, False), (31, True)])
def test_an_invoice_past_the_credit_period_opens_an_approval(ws, ledger, term, opens):
    ledger.customer("C1")                               # unrated: grade C, 30 days
    ledger.invoice("I1", "C1", day(40), 10, day(40 - term))
    assert credit_cases(ws) == (["C1"] if opens else [])


def test_the_grade_gives_the_policy(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(40), 10, day(10))
    ws.set_label(RATING, "C1", "A", "test: rated A by hand")
    ws.segment([RATING], as_of=AS_OF)                   # the manual grade wins from this run
    ledger.invoice("I2", "C1", day(5), 10, day(-85))   # 90 days: grade A's period
    assert credit_cases(ws) == []
    ledger.invoice("I3", "C1", day(5), 10, day(-86))
    assert credit_cases(ws) == ["C1"]


def test_a_credit_step_past_its_limit_escalates_above_the_superior(make_workspace):
    # The first step is the owner's superior's (reports_to): past its 48 hours it is
    # a breach for L1 and an escalation to L1's own superior, D1.
    from receivables_kit import Ledger

    ws = make_workspace(packs=["receivables"])
    ledger = Ledger(ws)
    ledger.manager("D1")
    ledger.manager("L1", reports_to="D1")
    ledger.manager("M1", reports_to="L1")
    ledger.customer("C1")
    ledger.customer("C2")
    ledger.invoice("I1", "C1", day(10), 10, day(-40))   # 50 days' terms: past grade C's 30
    ledger.invoice("I2", "C2", day(10), 10, day(-40))
    ws.tick_cases(dt.datetime.combine(day(7), dt.time(12)), rules=False)
    for case in ws.cases():
        assert case.breached and case.step_name == "superior"
        events = ws.case_history(case.id)
        assert [(e.action, e.step, e.to_owner) for e in events if e.action == "escalate"] == [
            ("escalate", "superior", "D1")]
