"""The telecom service rules at their boundaries: TEL-CONTACT (a contact replaced vs
added), TEL-MULTI, TEL-PARTNER, TEL-EXPIRY (30 vs 31 days), TEL-WINBACK, TEL-PRICE
(an association's signal) and TEL-SWEEP."""

from __future__ import annotations

import datetime as dt

from guanxi.testing import rule_tasks
from telecom_kit import AS_OF

D = dt.date


def test_a_replaced_key_contact_asks_for_a_meeting_an_added_one_does_not(ws, op):
    op.key_account("K1")
    op.contact("old", "K1", name="王伟", role="director", seniority="senior",
               started_at=D(2021, 1, 1), ended_at=D(2026, 11, 5), active=False)
    op.contact("new", "K1", name="李娜", role="director", started_at=D(2026, 11, 10))
    op.key_account("K2")
    op.contact("k2a", "K2", role="director", seniority="senior", started_at=D(2021, 1, 1))
    op.contact("k2b", "K2", role="director", seniority="senior", started_at=D(2026, 11, 10))
    # A senior who ended more than 90 days before the new one started: no change.
    op.key_account("K3")
    op.contact("k3a", "K3", role="cio", seniority="senior", started_at=D(2020, 1, 1),
               ended_at=D(2026, 8, 11), active=False)
    op.contact("k3b", "K3", role="cio", started_at=D(2026, 11, 10))
    ws.run_rules(["telecom.contact"], as_of=AS_OF)
    assert rule_tasks(ws, "telecom.contact") == [
        ("K1", "M1", "meeting", D(2026, 11, 17), 1,
         "key contact changed: 王伟 (director) ended 2026-11-05, 李娜 started 2026-11-10; meet "
         "李娜 by 2026-11-17 (TEL-CONTACT)")]


def test_in_gestation_the_superior_is_asked_for_a_senior_meeting(ws, op):
    op.key_account("K1", created_at=D(2026, 9, 1))       # 2 months: gestation
    op.bill("K1", D(2026, 11, 1))
    op.contact("old", "K1", name="王伟", role="director", seniority="senior",
               started_at=D(2021, 1, 1), ended_at=D(2026, 11, 12), active=False)
    op.contact("new", "K1", name="李娜", role="director", started_at=D(2026, 11, 10))
    ws.segment(["telecom.stage"], as_of=AS_OF)
    ws.run_rules(["telecom.contact"], as_of=AS_OF)
    assert [(t[0], t[1], t[4]) for t in rule_tasks(ws, "telecom.contact")] == [
        ("K1", "M1", 1), ("K1", "R1", 2)]


def test_a_key_account_with_one_contact_gets_a_multi_level_task_two_do_not(ws, op):
    op.key_account("K1")
    op.contact("a", "K1", role="director", seniority="senior")
    op.key_account("K2")
    op.contact("b", "K2", role="director", seniority="senior")
    op.contact("c", "K2", role="it", seniority="default")
    op.key_account("K3")
    op.contact("d", "K3", role="director", seniority="senior")
    op.contact("e", "K3", role="it", ended_at=D(2026, 11, 1), active=False)
    ws.run_rules(["telecom.multi"], as_of=AS_OF)
    assert rule_tasks(ws, "telecom.multi") == [
        ("K1", "M1", "task", D(2026, 12, 16), 2,
         "1 active contact(s), 2 needed: build contacts at several levels by 2026-12-16 "
         "(TEL-MULTI)"),
        ("K3", "M1", "task", D(2026, 12, 16), 2,
         "1 active contact(s), 2 needed: build contacts at several levels by 2026-12-16 "
         "(TEL-MULTI)")]


def test_entering_partnership_asks_for_the_vip_card_once(ws, op):
    op.key_account("K1", created_at=D(2022, 1, 1))
    op.rows("accounts", [{"id": f"K1-{p}", "customer_id": "K1", "type": p}
                         for p in ("tv", "broadband", "mobile")])
    op.bill("K1", D(2026, 11, 1))
    ws.segment(["telecom.stage"], as_of=AS_OF)
    ws.run_rules(["telecom.partner"], as_of=AS_OF)
    tasks = rule_tasks(ws, "telecom.partner")
    assert [t[:5] for t in tasks] == [("K1", "M1", "task", D(2026, 11, 30), 2)]
    assert "partnership since " in tasks[0][5] and "VIP card" in tasks[0][5]
    task_id = ws.tasks(status="open")[0].id
    ws.task_done(task_id, "VIP card issued")
    ws.run_rules(["telecom.partner"], as_of=AS_OF + dt.timedelta(days=1))
    assert rule_tasks(ws, "telecom.partner") == []


def test_a_paid_period_ending_in_30_days_gets_a_visit_in_31_does_not(ws, op):
    op.group("G30")
    op.lines("G30", 3, paid_until=D(2026, 12, 16))
    op.group("G31")
    op.lines("G31", 2, paid_until=D(2026, 12, 17))
    op.group("GLOST")
    op.lines("GLOST", 2, paid_until=D(2026, 12, 1), status="lost")
    op.group("GPAST")
    op.lines("GPAST", 1, paid_until=D(2026, 11, 15))
    ws.run_rules(["telecom.expiry"], as_of=AS_OF)
    assert rule_tasks(ws, "telecom.expiry") == [
        ("G30", "M1", "visit", D(2026, 12, 16), 1,
         "3 line(s) paid until 2026-12-16, 30 day(s) away: on-site renewal visit (TEL-EXPIRY)")]


def test_dormant_and_self_suspended_lines_get_a_monthly_reactivation_call(ws, op):
    op.group("G1")
    op.rows("accounts", [{"id": "a", "customer_id": "G1", "status": "dormant"},
                         {"id": "b", "customer_id": "G1", "status": "dormant"},
                         {"id": "c", "customer_id": "G1", "status": "suspended_request"},
                         {"id": "d", "customer_id": "G1", "status": "suspended_nonpayment"}])
    op.group("G2")
    op.lines("G2", 2)
    ws.run_rules(["telecom.winback"], as_of=AS_OF)
    assert rule_tasks(ws, "telecom.winback") == [
        ("G1", "M1", "call", D(2026, 11, 30), 2,
         "3 line(s) to win back in 2026-11: 2 dormant, 1 suspended by request; reactivation "
         "call (TEL-WINBACK)")]


def test_an_associations_signal_flags_every_member(ws, op):
    op.customer("ASSOC", name="宾馆协会")
    op.group("H1", association="ASSOC")
    op.group("H2", association="ASSOC")
    op.group("H3")
    op.customer("PLAIN")                                  # not a group customer: no review
    op.interaction("S1", "ASSOC", "competitor_signal", D(2026, 11, 2), competitor="电信")
    op.interaction("S2", "H3", "price_complaint", D(2026, 10, 18))   # 30 days back: in
    op.interaction("S3", "H3", "price_complaint", D(2026, 10, 17))   # 31 days back: out
    op.interaction("S4", "PLAIN", "price_complaint", D(2026, 11, 10))
    ws.run_rules(["telecom.price"], as_of=AS_OF)
    assert rule_tasks(ws, "telecom.price") == [
        ("H1", "M1", "review", D(2026, 11, 19), 1,
         "competitor signal (电信) from the association ASSOC on 2026-11-02: retention review by "
         "2026-11-19 (TEL-PRICE)"),
        ("H2", "M1", "review", D(2026, 11, 19), 1,
         "competitor signal (电信) from the association ASSOC on 2026-11-02: retention review by "
         "2026-11-19 (TEL-PRICE)"),
        ("H3", "M1", "review", D(2026, 11, 19), 1,
         "price complaint (-) on 2026-10-18: retention review by 2026-11-19 (TEL-PRICE)")]


def test_a_swept_prospect_without_a_line_gets_a_sales_visit(ws, op):
    op.customer("P1", status="prospect", swept_on=D(2026, 11, 2), created_at=D(2026, 11, 2))
    op.customer("P2", status="prospect", swept_on=D(2026, 11, 3), created_at=D(2026, 11, 3))
    op.lines("P2", 1)                                      # sold already
    op.customer("P3", status="prospect", swept_on=D(2026, 8, 17), created_at=D(2026, 8, 17))
    ws.run_rules(["telecom.sweep"], as_of=AS_OF)
    assert rule_tasks(ws, "telecom.sweep") == [
        ("P1", "M1", "visit", D(2026, 11, 16), 2,
         "registered by the sweep on 2026-11-02: visit to sell an install or lease by 2026-11-16 "
         "(TEL-SWEEP)")]
