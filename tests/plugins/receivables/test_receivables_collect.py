"""REC-COLLECT: the collection stages at their days past due, each the owning
manager's task, once per stage; the legal stage's approval chain."""

from __future__ import annotations

import datetime as dt

import pytest
from guanxi import tables
from guanxi.engines import reasons as reason_text
from receivables_kit import AS_OF, day, rule_tasks
from sqlalchemy import select

RULE = "receivables.collect"


def stages(ws, as_of=AS_OF):
    ws.run_rules([RULE], as_of=as_of)
    return [(t[0], t[1], t[2], t[4]) for t in rule_tasks(ws, RULE)]


@pytest.mark.parametrize("days_late, stage, priority", [
    (0, "reminder", 1), (14, "reminder", 1), (15, "call", 2), (29, "call", 2), (30, "visit", 3),
    (59, "visit", 3), (60, "letter", 4), (89, "letter", 4), (90, "legal", 5), (400, "legal", 5)])
def test_the_stage_is_the_one_the_most_overdue_invoice_reached(ws, ledger, days_late, stage,
                                                               priority):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(days_late + 30), 1000, day(days_late))
    ledger.invoice("I2", "C1", day(30), 500, day(0))
    assert stages(ws) == [("C1", "M1", stage, priority)]


def test_nothing_before_the_due_day_or_once_settled(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(20), 1000, day(-1))          # due tomorrow
    ledger.invoice("I2", "C1", day(60), 1000, day(30))
    ledger.pay("P1", "I2", "C1", day(31), 600)
    ledger.pay("P2", "I2", "C1", day(10), 400, kind="credit_note")
    assert stages(ws) == []


def test_each_stage_once_and_the_next_stage_when_it_comes(ws, ledger):
    ledger.customer("C1", manager_id="M2")
    ledger.invoice("I1", "C1", day(44), 1000, day(14))
    assert stages(ws) == [("C1", "M2", "reminder", 1)]
    (task_id,) = [t.id for t in ws.tasks(customer="C1")]
    ws.task_done(task_id, "customer promised to pay", at=dt.datetime(2026, 11, 30, 11))
    assert stages(ws) == []                                      # done: not made again
    assert stages(ws, as_of=AS_OF + dt.timedelta(days=1)) == [("C1", "M2", "call", 2)]
    reason = ws.tasks(customer="C1", status="open")[0].reason
    assert reason == ("call: 1,000 owed on 1 invoice(s) past due, the oldest due 2026-11-16 "
                      "(15 days past due)")


@pytest.mark.parametrize("days_late, name", [(0, "到期提醒"), (15, "电话催收"), (30, "上门催收"),
                                             (60, "催收函"), (90, "法律催收")])
def test_a_chinese_reader_reads_the_stage_in_chinese(ws, ledger, days_late, name):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(days_late + 30), 1000, day(days_late))
    ws.run_rules([RULE], as_of=AS_OF)
    with ws.engine.connect() as conn:
        stored = conn.execute(select(tables.tasks.c.reason)
                              .where(tables.tasks.c.rule == RULE)).scalar_one()
    due = (AS_OF - dt.timedelta(days=days_late)).isoformat()
    assert reason_text.render(stored, ws.reason_templates, "zh") == (
        f"{name}：1 张逾期发票共欠 1,000，最早 {due} 到期（逾期 {days_late} 天）")


def test_legal_action_goes_through_the_approval_chain(ws, ledger):
    ledger.manager("K1", role="legal counsel", team_id="T1")
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(120), 1000, day(90))
    assert stages(ws) == [("C1", "M1", "legal", 5)]
    ledger.interaction("L1", "C1", "legal_request", day(0))
    (case,) = [c for c in ws.cases() if c.policy == "receivables.legal"]
    assert (case.customer_id, case.owner_id, case.step_name) == ("C1", "M1", "superior")
    at = dt.datetime.combine(AS_OF, dt.time(15))
    case = ws.case_step(case.id, "approve", "L1", at=at)
    assert case.step_name == "legal_counsel"
    case = ws.case_step(case.id, "approve", "K1", at=at)
    assert case.step_name is None
