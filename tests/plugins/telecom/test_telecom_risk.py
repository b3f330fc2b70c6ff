"""TEL-RISK (telecom.risk): the causes found are the reason; high with 2 or more."""

from __future__ import annotations

import datetime as dt

from guanxi import tables
from guanxi.engines import reasons as reason_text
from guanxi.testing import current_labels, label_reason
from sqlalchemy import select
from telecom_kit import AS_OF, at


def _contacts(op, customer_id, n):
    for k in range(1, n + 1):
        op.contact(f"{customer_id}-c{k}", customer_id, role=f"role {k}", seniority="senior",
                   started_at=dt.date(2024, 1, 1))


def test_a_key_contact_change_and_two_manager_changes_make_a_high_risk(ws, op, time_machine):
    op.key_account("K1")
    _contacts(op, "K1", 2)
    # The director left on 10-05 and a new one started on 10-12: replaced.
    op.contact("K1-old", "K1", role="director", seniority="senior",
               started_at=dt.date(2022, 1, 1), ended_at=dt.date(2026, 10, 5), active=False)
    op.contact("K1-new", "K1", role="director", seniority="default",
               started_at=dt.date(2026, 10, 12))
    # Two changes of manager within 12 months (each import day, frozen).
    for day, manager in ((dt.date(2026, 3, 1), "M2"), (dt.date(2026, 9, 1), "M1")):
        time_machine.move_to(at(day), tick=False)
        op.key_account("K1", manager_id=manager)
    ws.segment(["telecom.risk"], as_of=AS_OF)
    assert current_labels(ws, "telecom.risk") == {"K1": "high"}
    assert label_reason(ws, "telecom.risk", "K1") == (
        "key contact changed 2026-10-12; 2 manager changes in 12 months (TEL-RISK)")


def test_one_manager_change_and_a_contact_added_are_no_cause(ws, op, time_machine):
    op.key_account("K2")
    _contacts(op, "K2", 2)
    op.contact("K2-added", "K2", role="director", seniority="senior",
               started_at=dt.date(2026, 10, 12))          # nobody in that role ended
    time_machine.move_to(at(dt.date(2026, 3, 1)), tick=False)
    op.key_account("K2", manager_id="M2")
    ws.segment(["telecom.risk"], as_of=AS_OF)
    assert current_labels(ws, "telecom.risk") == {"K2": "low"}
    assert label_reason(ws, "telecom.risk", "K2") == "no cause of interruption found (TEL-RISK)"


def test_single_contact_price_signal_unresolved_complaints_and_financial_trouble(ws, op):
    op.group("G1")
    _contacts(op, "G1", 1)
    op.rows("accounts", [{"id": "G1-1", "customer_id": "G1", "status": "suspended_nonpayment"},
                         {"id": "G1-2", "customer_id": "G1", "paid_until": dt.date(2026, 11, 1)}])
    op.interaction("I1", "G1", "competitor_signal", dt.date(2026, 10, 20), competitor="电信")
    op.interaction("I2", "G1", "complaint", dt.date(2026, 6, 1))
    op.interaction("I3", "G1", "quality_complaint", dt.date(2026, 7, 1))   # > 90 days: not quality
    op.interaction("I4", "G1", "risk_note", dt.date(2026, 9, 1), risk_cause="personal_ties")
    ws.segment(["telecom.risk"], as_of=AS_OF)
    assert label_reason(ws, "telecom.risk", "G1") == (
        "1 contact person(s) only; price complaint or competitor signal 2026-10-20; "
        "2 unresolved complaints; relationship rests on personal ties (noted 2026-09-01); "
        "financial trouble: 1 line(s) 罚停, 1 in arrears (TEL-RISK)")
    assert current_labels(ws, "telecom.risk") == {"G1": "high"}


def test_one_cause_is_medium_and_reads_in_chinese(ws, op):
    op.key_account("K3")
    _contacts(op, "K3", 1)
    ws.segment(["telecom.risk"], as_of=AS_OF)
    assert current_labels(ws, "telecom.risk") == {"K3": "medium"}
    with ws.engine.connect() as conn:
        stored = conn.execute(select(tables.segments.c.reason)
                              .where(tables.segments.c.customer_id == "K3")).scalar_one()
    assert reason_text.render(stored, ws.reason_templates, "zh") == "仅 1 名联系人（TEL-RISK）"
