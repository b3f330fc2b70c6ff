"""BANK-REL (relationship levels, manual overrides) and BANK-VISIT (the planner)."""

import datetime as dt

import pytest
from banking_kit import AS_OF, labels, reason


def _contacts(bank, cid, days_ago, outcome="positive", kind="visit"):
    for n, back in enumerate(days_ago):
        bank.interaction(f"{cid}-I{n}", cid, kind, AS_OF - dt.timedelta(days=back),
                         manager_id="M1", outcome=outcome)


# -- rule BANK-REL -------------------------------------------------------------------------


def test_relationship_levels_first_match_wins(ws, bank):
    bank.customer("DEP")
    bank.account("DEP-1", "DEP")
    bank.customer("FLAG", renewal_likely=True)
    bank.customer("MAT")
    bank.account("MAT-1", "MAT", maturity_date=AS_OF + dt.timedelta(days=90))
    bank.customer("LATE")
    bank.account("LATE-1", "LATE", maturity_date=AS_OF + dt.timedelta(days=91))
    bank.customer("SHUT")
    bank.account("SHUT-1", "SHUT", closed_at=AS_OF, status="closed")
    bank.customer("TGT", deposits_elsewhere=True)
    _contacts(bank, "TGT", [0, 89])
    bank.customer("RES", customer_resources=True)
    _contacts(bank, "RES", [3, 10], kind="call")
    bank.customer("ONE", deposits_elsewhere=True)
    _contacts(bank, "ONE", [5, 90])          # the second is 90 days ago: outside
    bank.customer("FRIEND")
    _contacts(bank, "FRIEND", [1, 2, 3])     # good relationship, but nothing to bank
    bank.customer("MEH", customer_resources=True)
    _contacts(bank, "MEH", [1, 2], outcome="neutral")
    bank.customer("GONE", status="lost", deposits_elsewhere=True)
    ws.segment(["banking.relationship"], as_of=AS_OF)
    assert labels(ws, "banking.relationship") == {
        "DEP": "A", "FLAG": "A", "FRIEND": "D", "LATE": "A", "MAT": "A", "MEH": "D", "ONE": "C",
        "RES": "B", "SHUT": "D", "TGT": "B"}
    assert reason(ws, "banking.relationship", "MAT") == (
        "A key: a deposit matures on 2027-02-22 (in 90 days), likely to renew; "
        "1 deposit account(s) with us")
    assert reason(ws, "banking.relationship", "LATE") == (
        "A key: holds 1 deposit account(s) with us")
    assert reason(ws, "banking.relationship", "FLAG") == (
        "A key: the manager expects renewal or more deposits; 0 deposit account(s) with us")
    assert reason(ws, "banking.relationship", "TGT") == (
        "B target: 2 positive contacts in 90 days; deposits elsewhere")
    assert reason(ws, "banking.relationship", "RES") == (
        "B target: 2 positive contacts in 90 days; customer resources")
    assert reason(ws, "banking.relationship", "ONE") == (
        "C potential: deposits elsewhere, awaiting marketing (1 positive contacts in 90 days)")
    assert reason(ws, "banking.relationship", "FRIEND") == (
        "D general: no deposits with us or known elsewhere (3 positive contacts in 90 days)")


def test_a_managers_manual_level_wins_until_cleared(ws, bank):
    bank.customer("C1")
    bank.account("C1-1", "C1")
    ws.segment(["banking.relationship"], as_of=AS_OF)
    ws.set_label("banking.relationship", "C1", "C", "deposit is about to move to a rival bank",
                 set_by="M1")
    ws.segment(["banking.relationship"], as_of=AS_OF)
    (level,) = [a for a in ws.labels("C1") if a.segmentation == "banking.relationship"]
    assert (level.label, level.manual, level.reason) == (
        "C", True, "deposit is about to move to a rival bank")
    assert [(h.old_label, h.new_label) for h in ws.label_history("C1")] == [(None, "A"), ("A", "C")]
    ws.clear_label("banking.relationship", "C1")
    ws.segment(["banking.relationship"], as_of=AS_OF)
    assert labels(ws, "banking.relationship") == {"C1": "A"}


def test_a_manual_level_must_be_one_of_a_to_d(ws, bank):
    import guanxi

    bank.customer("C1")
    with pytest.raises(guanxi.UsageError, match="is not one of A, B, C, D"):
        ws.set_label("banking.relationship", "C1", "E", "no such level")


# -- rule BANK-VISIT -----------------------------------------------------------------------
# Week 2026-W48: Monday 23 to Sunday 29 November; Friday 27 is its last working day.


def _plan(ws, week="2026-W48"):
    result = ws.build_plan(week, cadences=["banking.visits"], as_of=AS_OF)
    return result, {(v.customer_id, v.day, v.reason) for v in ws.plan(week)}


def test_a_cadence_due_on_the_last_working_day_is_planned_and_one_due_the_day_after_is_not(
        ws, bank):
    for cid, last in (("DUE", dt.date(2026, 11, 20)), ("NEXT", dt.date(2026, 11, 21))):
        bank.customer(cid)
        bank.account(f"{cid}-1", cid)
        bank.interaction(f"{cid}-V", cid, "visit", last, manager_id="M1", outcome="neutral")
    ws.segment(["banking.relationship"], as_of=AS_OF)
    result, visits = _plan(ws)
    assert (result.planned, result.unplaced) == (1, ())
    assert visits == {("DUE", dt.date(2026, 11, 23),
                       "Relationship level A: every 7 days, last visit 2026-11-20, due 2026-11-27")}
    (task,) = ws.tasks(rule="banking.visits")
    assert (task.customer_id, task.manager_id, task.kind, task.due_at) == (
        "DUE", "M1", "visit", dt.date(2026, 11, 23))


def test_cadences_by_level_and_a_call_counts_as_a_visit(ws, bank):
    bank.customer("C", deposits_elsewhere=True)        # level C: every 15 days
    bank.interaction("C-1", "C", "call", dt.date(2026, 11, 12), manager_id="M1")
    bank.customer("C-LATER", deposits_elsewhere=True)
    bank.interaction("CL-1", "C-LATER", "call", dt.date(2026, 11, 13), manager_id="M1")
    bank.customer("D")                                   # level D: every 30 days
    bank.interaction("D-1", "D", "visit", dt.date(2026, 10, 28), manager_id="M1")
    bank.customer("D-NEVER")
    ws.segment(["banking.relationship"], as_of=AS_OF)
    result, visits = _plan(ws)
    assert sorted(c for c, _, _ in visits) == ["C", "D", "D-NEVER"]
    assert ("D-NEVER", dt.date(2026, 11, 23),
            "Relationship level D: every 30 days, never visited") in visits


def test_visit_intervals_are_config(make_workspace):
    ws = make_workspace(packs=["banking"], settings={"banking.visit": {"d_days": 0}})
    ws.save("managers", [{"id": "M1", "name": "M"}])
    ws.save("customers", [{"id": "D", "name": "x", "manager_id": "M1"}])
    ws.segment(["banking.relationship"], as_of=AS_OF)
    result = ws.build_plan("2026-W48", cadences=["banking.visits"], as_of=AS_OF)
    assert result.planned == 0
