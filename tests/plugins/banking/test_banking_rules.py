"""BANK-CHURN, BANK-HANDOVER, BANK-FEEDBACK, BANK-UPGRADE and BANK-COMPLAINT."""

import datetime as dt

import guanxi
import pytest
from banking_kit import AS_OF, Bank, tasks

DUE3 = dt.date(2026, 11, 27)   # a day: on time all of it


def _valued(bank, cid, months: dict, manager="M1", transacted=True, **values):
    """An affluent customer (AUM >= 100,000 at the end of October) who transacts."""
    bank.customer(cid, manager_id=manager, **values)
    bank.aum(cid, months)
    if transacted:
        bank.interaction(f"{cid}-T", cid, "transaction", AS_OF - dt.timedelta(days=1),
                         amount=10, direction="in")


def _run(ws, *rules, as_of=AS_OF):
    ws.segment(["banking.abc", "banking.tier", "banking.relationship"], as_of=as_of)
    return {r.rule: (r.created, r.existing) for r in ws.run_rules(list(rules), as_of=as_of)}


# -- rule BANK-CHURN ----------------------------------------------------------------------------


def test_churn_fires_on_a_fall_of_exactly_thirty_percent(ws, bank):
    _valued(bank, "EXACT", {"2026-07": 1_000_000, "2026-10": 700_000})
    _valued(bank, "ALMOST", {"2026-07": 1_000_000, "2026-10": 700_000.01})
    _valued(bank, "EMPTY", {"2026-07": 200_000, "2026-08": 150_000})   # no October row: 0
    _valued(bank, "OTHER", {"2026-10": 200_000})                      # keeps October loaded
    assert _run(ws, "banking.churn") == {"banking.churn": (2, 0)}
    assert tasks(ws, "banking.churn") == [
        ("EMPTY", "M1", "call", DUE3, 1,
         "AUM fell 100% in 90 days: 200,000 → 0 (2026-07 → 2026-10 month-end)"),
        ("EXACT", "M1", "call", DUE3, 1,
         "AUM fell 30% in 90 days: 1,000,000 → 700,000 (2026-07 → 2026-10 month-end)"),
    ]


def test_churn_transfers_out_of_half_the_balance_within_thirty_days(ws, bank):
    # The window is 26 October to 24 November; the balance the September month-end.
    for cid in ("HALF", "LESS", "EARLY"):
        _valued(bank, cid, {"2026-09": 200_000, "2026-10": 200_000})
    bank.interaction("H1", "HALF", "transaction", dt.date(2026, 10, 26), amount=60_000,
                     direction="out")
    bank.interaction("H2", "HALF", "transaction", dt.date(2026, 11, 20), amount=40_000,
                     direction="out")
    bank.interaction("H3", "HALF", "transaction", dt.date(2026, 11, 21), amount=90_000,
                     direction="in")
    bank.interaction("L1", "LESS", "transaction", dt.date(2026, 11, 2), amount=99_999.99,
                     direction="out")
    bank.interaction("E1", "EARLY", "transaction", dt.date(2026, 10, 25), amount=60_000,
                     direction="out")
    bank.interaction("E2", "EARLY", "transaction", dt.date(2026, 11, 2), amount=40_000,
                     direction="out")
    _run(ws, "banking.churn")
    assert tasks(ws, "banking.churn") == [
        ("HALF", "M1", "call", DUE3, 1, "transferred out 100,000 in 30 days: 50% of the 2026-09 "
                                        "month-end balance 200,000"),
    ]


def test_churn_no_transaction_in_ninety_days(ws, bank):
    for cid, back in (("IDLE", 90), ("BUSY", 89)):
        _valued(bank, cid, {"2026-10": 300_000}, transacted=False)
        bank.interaction(f"{cid}-T", cid, "transaction", AS_OF - dt.timedelta(days=back),
                         amount=5, direction="in")
    _valued(bank, "NEVER", {"2026-10": 300_000}, transacted=False)
    _valued(bank, "NEW", {"2026-10": 300_000}, transacted=False,
            created_at=AS_OF - dt.timedelta(days=89))
    _run(ws, "banking.churn")
    assert [(t[0], t[5]) for t in tasks(ws, "banking.churn")] == [
        ("IDLE", "no transaction in 90 days (last 2026-08-26)"),
        ("NEVER", "no transaction on record for 90 days or more"),
    ]


def test_churn_asks_only_for_valued_customers_and_fills_the_watch_list(ws, bank):
    # Mass-tier customers: only class A (the top 1 of 7) and B (the next 1) are valued.
    for n in range(1, 8):
        _valued(bank, f"C{n}", {"2026-07": 10_000 * n, "2026-10": 5_000 * n})
    assert _run(ws, "banking.churn") == {"banking.churn": (2, 0)}
    assert [t[0] for t in tasks(ws, "banking.churn")] == ["C6", "C7"]
    on_watch = {c: [m["list"] for m in ws.customer_view(c)["lists"]] for c in ("C5", "C6", "C7")}
    assert on_watch == {"C5": [], "C6": ["watch"], "C7": ["watch"]}


def test_churn_asks_once_even_after_the_call_is_done(ws, bank):
    _valued(bank, "C1", {"2026-07": 1_000_000, "2026-10": 500_000})
    assert _run(ws, "banking.churn") == {"banking.churn": (1, 0)}
    assert _run(ws, "banking.churn") == {"banking.churn": (0, 1)}
    (task,) = ws.tasks(rule="banking.churn")
    ws.task_done(task.id, outcome="customer stays")
    assert _run(ws, "banking.churn", as_of=AS_OF + dt.timedelta(days=1)) == {"banking.churn": (0, 0)}


def test_churn_thresholds_are_config(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.churn": {"aum_drop": 0.5,
                                                                       "idle_days": 0}})
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": "C1", "name": "x", "manager_id": "M1"}])
    ws.save("measurements", [{"customer_id": "C1", "metric": "aum", "period": p, "value": v}
                             for p, v in (("2026-07", 1_000_000), ("2026-10", 600_000))])
    assert _run(ws, "banking.churn") == {"banking.churn": (0, 0)}


# -- rule BANK-HANDOVER -------------------------------------------------------------------------


def test_a_handover_asks_the_new_manager_for_a_retention_visit_within_seven_days(ws, bank):
    bank.manager("M2", name="李强")
    bank.manager("M1", name="王伟")
    _valued(bank, "RICH", {"2026-10": 2_000_000})
    _valued(bank, "SMALL", {"2026-10": 1_000}, transacted=False)
    _valued(bank, "SEEN", {"2026-10": 2_000_000})
    ws.reassign("M1", "M2", on=dt.date(2026, 11, 20), reason="M1 left the bank")
    bank.interaction("SEEN-V", "SEEN", "visit", dt.date(2026, 11, 21), manager_id="M2")
    assert _run(ws, "banking.handover") == {"banking.handover": (1, 0)}
    assert tasks(ws, "banking.handover") == [
        ("RICH", "M2", "visit", dt.date(2026, 11, 27), 1,
         "handed over from 王伟 (M1) to 李强 (M2) on 2026-11-20: retention visit within 7 days"),
    ]


def test_a_handover_older_than_the_lookback_is_left_alone(ws, bank):
    bank.manager("M2")
    _valued(bank, "RICH", {"2026-10": 2_000_000})
    ws.reassign("M1", "M2", on=AS_OF - dt.timedelta(days=31))
    assert _run(ws, "banking.handover") == {"banking.handover": (0, 0)}


def test_a_manager_who_left_without_a_successor_leaves_a_task_for_the_superior(ws, bank):
    bank.manager("L1", name="组长")
    bank.manager("M3", name="赵磊", reports_to="L1", active=False,
                 left_at=dt.date(2026, 11, 10))
    _valued(bank, "RICH", {"2026-10": 2_000_000}, manager="M3")
    assert _run(ws, "banking.handover") == {"banking.handover": (1, 0)}
    assert tasks(ws, "banking.handover") == [
        ("RICH", "L1", "handover", dt.date(2026, 11, 17), 1,
         "manager 赵磊 (M3) left on 2026-11-10: assign a new manager and visit within 7 days"),
    ]


# -- rule BANK-FEEDBACK -------------------------------------------------------------------------


def test_feedback_gets_a_follow_up_within_seven_days(ws, bank):
    for cid in ("OPEN", "DONE", "BEFORE", "OLD"):
        bank.customer(cid)
    bank.interaction("F1", "OPEN", "feedback", dt.datetime(2026, 11, 20, 15), channel="wechat")
    bank.interaction("F2", "DONE", "feedback", dt.datetime(2026, 11, 20, 15))
    bank.interaction("F2C", "DONE", "call", dt.datetime(2026, 11, 20, 16), manager_id="M1")
    bank.interaction("F3C", "BEFORE", "visit", dt.datetime(2026, 11, 19, 16), manager_id="M1")
    bank.interaction("F3", "BEFORE", "feedback", dt.datetime(2026, 11, 20, 15))
    bank.interaction("F4", "OLD", "feedback", dt.datetime(2026, 10, 25, 15))
    assert _run(ws, "banking.feedback") == {"banking.feedback": (2, 0)}
    assert tasks(ws, "banking.feedback") == [
        ("BEFORE", "M1", "call", dt.date(2026, 11, 27), 2,
         "feedback on 2026-11-20 (-) not yet followed up: call or visit by 2026-11-27 "
         "(within 7 days)"),
        ("OPEN", "M1", "call", dt.date(2026, 11, 27), 2,
         "feedback on 2026-11-20 (wechat) not yet followed up: call or visit by 2026-11-27 "
         "(within 7 days)"),
    ]


# -- rule BANK-UPGRADE --------------------------------------------------------------------------


def test_upgrade_asks_to_review_the_level_on_a_first_account_and_a_thirty_percent_move(ws, bank):
    bank.customer("NEW", deposits_elsewhere=True)
    bank.account("NEW-1", "NEW", opened_at=dt.date(2026, 11, 20))
    bank.customer("OLD")
    bank.account("OLD-1", "OLD", opened_at=dt.date(2026, 10, 25))   # 30 days ago: not new
    _valued(bank, "UP", {"2026-07": 100_000, "2026-10": 130_000})
    _valued(bank, "DOWN", {"2026-07": 100_000, "2026-10": 70_000})
    _valued(bank, "FLAT", {"2026-07": 100_000, "2026-10": 129_999})
    _run(ws, "banking.upgrade")
    due = dt.date(2026, 11, 25)
    assert tasks(ws, "banking.upgrade") == [
        ("DOWN", "M1", "review", due, 2, "AUM fell 30% in 3 months: 100,000 → 70,000 "
         "(2026-07 → 2026-10): review the relationship level (now D)"),
        ("NEW", "M1", "review", due, 2, "first account opened on 2026-11-20 (deposit): note it "
         "and review the relationship level (now A)"),
        ("UP", "M1", "review", due, 2, "AUM rose 30% in 3 months: 100,000 → 130,000 "
         "(2026-07 → 2026-10): review the relationship level (now D)"),
    ]


# -- rule BANK-COMPLAINT ------------------------------------------------------------------------


def test_a_complaint_opens_a_banking_case_with_24_hour_and_5_day_clocks(ws, bank):
    bank.customer("C1")
    bank.interaction("K1", "C1", "complaint", dt.datetime(2026, 11, 20, 10), manager_id="M1")
    (case,) = ws.cases(policy="banking.complaint")
    assert (case.customer_id, case.owner_id, case.response_due_at, case.resolution_due_at) == (
        "C1", "M1", dt.datetime(2026, 11, 21, 10), dt.datetime(2026, 11, 25, 10))
    # The banking policy takes complaints over from the core's generic one: one case.
    assert [c.policy for c in ws.cases()] == ["banking.complaint"]


def test_complaint_clocks_are_config(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.complaint": {"response_hours": 4}})
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": "C1", "name": "x", "manager_id": "M1"}])
    ws.save("interactions", [{"id": "K1", "customer_id": "C1", "kind": "complaint",
                              "occurred_at": dt.datetime(2026, 11, 20, 10)}])
    (case,) = ws.cases(policy="banking.complaint")
    assert case.response_due_at == dt.datetime(2026, 11, 20, 14)


# -- rule BANK-SPOTCHECK: the outcome a leader records ------------------------------------------


def test_a_spotcheck_records_one_of_three_outcomes(ws, bank):
    bank.customer("C1")
    bank.interaction("S1", "C1", "spotcheck", AS_OF, manager_id="M1", outcome="confirmed")
    with pytest.raises(guanxi.GuanxiError, match="a spotcheck's outcome is confirmed, "
                                                 "not_confirmed or problem"):
        bank.interaction("S2", "C1", "spotcheck", AS_OF, manager_id="M1", outcome="maybe")


# -- issue 13: the rules as SECTORS.md states them ----------------------------------------------


@pytest.mark.parametrize(("kinds", "expected"), [
    (None, [("BUYER", "no transaction on record for 90 days or more"),
            ("QUIET", "no transaction on record for 90 days or more")]),
    (["transaction", "order"], [("QUIET", "no transaction in 90 days (last 2026-08-26)")]),
])
def test_churn_idle_reads_the_configured_transaction_kinds(make_workspace, kinds, expected):
    # rule BANK-CHURN: a purchase log's orders are transactions once
    # churn.transaction_kinds says so; by default they are not.
    settings = {"banking.churn": {"transaction_kinds": kinds}} if kinds else None
    ws = make_workspace(packs=["banking"], settings=settings)
    bank = Bank(ws)
    bank.manager("M1")
    _valued(bank, "BUYER", {"2026-10": 300_000}, transacted=False)
    bank.interaction("O1", "BUYER", "order", AS_OF - dt.timedelta(days=89), amount=5)
    _valued(bank, "QUIET", {"2026-10": 300_000}, transacted=False)
    bank.interaction("O2", "QUIET", "order", AS_OF - dt.timedelta(days=90), amount=5)
    _run(ws, "banking.churn")
    assert [(t[0], t[5]) for t in tasks(ws, "banking.churn")] == expected


def test_churn_transaction_kinds_may_not_be_empty(make_workspace):
    with pytest.raises(guanxi.ConfigError, match="transaction_kinds = \\[\\] must name at least"):
        make_workspace(packs=["banking"],
                       settings={"banking.churn": {"transaction_kinds": []}}).segment(
            ["banking.abc"], as_of=AS_OF)


def test_a_handover_is_cleared_only_by_a_visit_of_the_new_manager(ws, bank):
    # rule BANK-HANDOVER: a retention visit by the new manager; a call, or
    # the old manager's visit, leaves the task.
    bank.manager("M2")
    for cid in ("CALLED", "OLD_VISIT", "VISITED", "VISITED_BEFORE"):
        _valued(bank, cid, {"2026-10": 2_000_000})
    ws.reassign("M1", "M2", on=dt.date(2026, 11, 20))
    bank.interaction("V1", "CALLED", "call", dt.date(2026, 11, 21), manager_id="M2")
    bank.interaction("V2", "OLD_VISIT", "visit", dt.date(2026, 11, 21), manager_id="M1")
    bank.interaction("V3", "VISITED", "visit", dt.date(2026, 11, 20), manager_id="M2")
    bank.interaction("V4", "VISITED_BEFORE", "visit", dt.date(2026, 11, 19), manager_id="M2")
    _run(ws, "banking.handover")
    assert [(t[0], t[1], t[2]) for t in tasks(ws, "banking.handover")] == [
        ("CALLED", "M2", "visit"), ("OLD_VISIT", "M2", "visit"), ("VISITED_BEFORE", "M2", "visit")]


def test_an_undated_account_counts_as_opened_long_ago(ws, bank):
    # rule BANK-UPGRADE: a wealth product opened beside an undated old deposit
    # is not the customer's first account; without the deposit it is.
    bank.customer("BESIDE")
    bank.account("BESIDE-1", "BESIDE", opened_at=None)
    bank.account("BESIDE-2", "BESIDE", type="wealth", opened_at=dt.date(2026, 11, 20))
    bank.customer("FIRST")
    bank.account("FIRST-2", "FIRST", type="wealth", opened_at=dt.date(2026, 11, 20))
    bank.customer("UNDATED")
    bank.account("UNDATED-1", "UNDATED", opened_at=None)
    _run(ws, "banking.upgrade")
    assert [(t[0], t[5]) for t in tasks(ws, "banking.upgrade")] == [
        ("FIRST", "first account opened on 2026-11-20 (wealth): note it and review the "
                  "relationship level (now D)")]


def test_churn_fires_on_month_end_balances_dated_as_banks_date_them(ws, bank, tmp_path):
    # rule BANK-CHURN: AUM dated 2026-07-31 and 2026-10-31 (月末余额) is July and
    # October; stored as days, the 30% fall was never seen.
    bank.customer("C1")
    bank.interaction("C1-T", "C1", "transaction", AS_OF - dt.timedelta(days=1), amount=10,
                     direction="in")
    (tmp_path / "aum.csv").write_text("customer_id,metric,period,value\n"
                                      "C1,aum,2026-07-31,1000000\n"
                                      "C1,aum,2026/10/31,700000\n")
    assert ws.import_file("measurements", tmp_path / "aum.csv").inserted == 2
    assert _run(ws, "banking.churn") == {"banking.churn": (1, 0)}
    assert [(t[0], t[5]) for t in tasks(ws, "banking.churn")] == [
        ("C1", "AUM fell 30% in 90 days: 1,000,000 → 700,000 (2026-07 → 2026-10 month-end)")]
