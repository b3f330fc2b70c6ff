"""POWER-REMIND, POWER-OUTAGE (notices), POWER-ANOMALY, POWER-ADVICE, POWER-VISIT,
POWER-EXPIRY and POWER-EQUIP at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from power_kit import AS_OF, tasks
from sqlalchemy import select

from guanxi_power import notices, tables


def test_remind_stages_and_a_bill_paid_on_its_due_day(ws, power):
    # rule POWER-REMIND: due 2026-11-13, as of 2026-11-20: 7 days after -> a call.
    power.customer("LATE")
    power.bill("B1", "LATE", 12400, dt.date(2026, 11, 13))
    power.payment("P1", "LATE", "B1", 4000, dt.datetime(2026, 11, 1, 9))
    # Paid in two parts, the second at 23:59 on the due day: nothing to remind.
    power.customer("PAID")
    power.bill("B2", "PAID", 500, dt.date(2026, 11, 13))
    power.payment("P2", "PAID", "B2", 200, dt.datetime(2026, 11, 2, 9))
    power.payment("P3", "PAID", "B2", 300, dt.datetime(2026, 11, 13, 23, 59))
    # Due in 3 days: a reminder; in 4 days: nothing yet.
    power.customer("SOON")
    power.bill("B3", "SOON", 80, dt.date(2026, 11, 23))
    power.customer("LATER")
    power.bill("B4", "LATER", 80, dt.date(2026, 11, 24))
    # 30 days after: an escalation to M1's superior, M9.
    power.customer("OLD")
    power.bill("B5", "OLD", 300, dt.date(2026, 10, 21))
    ws.run_rules(["power.remind"], as_of=AS_OF)
    assert tasks(ws, "power.remind") == [
        ("LATE", "M1", "call", dt.date(2026, 11, 23), 2,
         "bill 2026-10 of 12,400 unpaid 7 days after its due day 2026-11-13 (4,000 paid, "
         "8,400 owed)"),
        ("OLD", "M9", "escalation", dt.date(2026, 11, 23), 3,
         "bill 2026-10 of 300 unpaid 30 days after its due day 2026-10-21 (0 paid, 300 owed)"),
        ("SOON", "M1", "reminder", dt.date(2026, 11, 21), 1,
         "bill 2026-10 of 80 due 2026-11-23 (3 days ahead), 80 unpaid"),
    ]


def test_remind_six_days_after_is_not_yet_a_call(ws, power):
    power.customer("C")
    power.bill("B1", "C", 100, dt.date(2026, 11, 14))
    ws.run_rules(["power.remind"], as_of=AS_OF)
    assert [t[2] for t in tasks(ws, "power.remind")] == ["reminder"]


def _outage(ws, id, kind, starts, feeder="F1"):
    ws.save("outages", [{"id": id, "kind": kind, "starts_at": starts, "feeder": feeder}])


def _notice_rows(ws):
    n = tables.notices
    with ws.engine.connect() as conn:
        return {r.customer_id: (r.channel, r.due_at, r.sent_at)
                for r in conn.execute(select(n))}


def test_outage_notices_one_per_customer_on_the_bill_channel(ws, power):
    # rule POWER-OUTAGE, POWER-BILLPREF
    power.customer("A", feeder="F1", bill_channel="email", bill_address="a@example.cn")
    power.customer("B", feeder="F1")
    power.customer("C", feeder="F2")
    _outage(ws, "O1", "planned", dt.datetime(2026, 12, 20, 8))
    assert notices.build(ws, "O1") == 2
    assert notices.build(ws, "O1") == 0          # once per customer
    due = dt.datetime(2026, 12, 13, 8)
    assert _notice_rows(ws) == {"A": ("email", due, None), "B": ("sms", due, None)}
    rows = notices.rows(ws, "O1")
    assert rows[0]["reason"] == ("on F1 of planned outage O1 from 2026-12-20 08:00: notify by "
                                 "2026-12-13 08:00 (7 days before), by email")


def test_the_send_list_as_a_workbook_has_typed_cells(ws, power, tmp_path):
    # The send list goes through guanxi.workbooks, as every xlsx guanxi writes.
    from openpyxl import load_workbook

    power.customer("A", feeder="F1", bill_channel="email", bill_address="a@example.cn")
    _outage(ws, "O1", "planned", dt.datetime(2026, 12, 20, 8))
    notices.build(ws, "O1")
    notices.write(notices.rows(ws, "O1"), tmp_path / "o1.xlsx")
    sheet = load_workbook(tmp_path / "o1.xlsx").active
    header = [c.value for c in sheet[1]]
    assert sheet.title == "notices" and header == list(notices.COLUMNS)
    row = dict(zip(header, (c.value for c in sheet[2])))
    assert row["customer_id"] == "A" and row["due_at"] == dt.datetime(2026, 12, 13, 8)


def test_a_notice_7_days_before_is_on_time_6_days_late(ws, power):
    power.customer("A", feeder="F1")
    power.customer("B", feeder="F2")
    _outage(ws, "O1", "planned", dt.datetime(2026, 11, 27, 8))
    _outage(ws, "O2", "planned", dt.datetime(2026, 11, 27, 8), feeder="F2")
    notices.build(ws, "O1")
    notices.build(ws, "O2")
    notices.mark_sent(ws, "O1", dt.datetime(2026, 11, 20, 8))   # 7 days before
    notices.mark_sent(ws, "O2", dt.datetime(2026, 11, 21, 8))   # 6 days before
    value = ws.kpi(["power.notice_on_time"], period="2026-11", as_of=dt.date(2026, 11, 30))
    assert [v.value for v in value] == [0.5]


def test_a_temporary_outage_notifies_important_customers_24_hours_before(ws, power):
    power.customer("H", feeder="F1", important=True, importance="hospital")
    power.customer("R", feeder="F1")
    _outage(ws, "T1", "temporary", dt.datetime(2026, 11, 25, 14))
    notices.build(ws, "T1")
    assert _notice_rows(ws) == {"H": ("sms", dt.datetime(2026, 11, 24, 14), None)}


def test_class_1_customers_get_a_consultation_call(ws, power):
    power.customer("BIG", kind="organization", tariff="two_part", feeder="F1")
    power.customer("SMALL", kind="person", feeder="F1")
    _outage(ws, "O1", "planned", dt.datetime(2026, 12, 20, 8))
    ws.segment(["power.class"], as_of=AS_OF)
    ws.run_rules(["power.outage"], as_of=AS_OF)
    assert tasks(ws, "power.outage") == [
        ("BIG", "M1", "call", dt.date(2026, 12, 13), 3,
         "class 1 customer on F1: planned outage O1 from 2026-12-20 08:00; agree the timing")]


@pytest.mark.parametrize("october, fires", [(150, True), (149, False), (50, True), (51, False)])
def test_anomaly_exactly_50_percent(ws, power, october, fires):
    # rule POWER-ANOMALY: mean of July-September 100; October 150 or 50 is exactly 50% off.
    power.customer("C", kind="organization", tariff="commercial")
    power.kwh("C", {"2026-07": 90, "2026-08": 100, "2026-09": 110, "2026-10": october})
    ws.segment(["power.class"], as_of=AS_OF)
    ws.run_rules(["power.anomaly"], as_of=AS_OF)
    found = tasks(ws, "power.anomaly")
    assert bool(found) is fires
    if october == 150:
        assert found[0][5] == ("2026-10: 150 kWh against a 3-month mean of 100, 50% off "
                               "(limit 50%): offer an inspection")


def test_advice_power_factor_below_090(ws, power):
    # rule POWER-ADVICE
    for cid, pf in (("LOW", 0.82), ("OK", 0.90)):
        power.customer(cid, kind="organization", tariff="two_part")
        power.kwh(cid, {"2026-10": pf}, metric="power_factor")
    power.customer("PEAK", kind="organization", tariff="commercial")
    power.kwh("PEAK", {"2026-10": 0.40}, metric="peak_share")
    ws.segment(["power.class"], as_of=AS_OF)
    ws.run_rules(["power.advice"], as_of=AS_OF)
    assert [(t[0], t[5]) for t in tasks(ws, "power.advice")] == [
        ("LOW", "2026-10: power factor 0.82 < 0.90: advice letter on reactive compensation"),
        ("PEAK", "2026-10: peak share 40% >= 40% without time-of-use: advice letter on shifting "
                 "load and tariff"),
    ]


def test_visits_class_1_monthly(ws, power):
    # rule POWER-VISIT: the last visit 30 days ago is due; 29 days ago is not.
    for cid, day in (("DUE", dt.date(2026, 10, 21)), ("FRESH", dt.date(2026, 10, 22))):
        power.customer(cid, kind="organization", tariff="two_part")
        power.interaction(f"V-{cid}", cid, "visit", day)
    ws.segment(["power.class"], as_of=AS_OF)
    ws.run_rules(["power.visit"], as_of=AS_OF)
    assert [(t[0], t[5]) for t in tasks(ws, "power.visit")] == [
        ("DUE", "class 1: last visit 2026-10-21, 30 days ago (every 30)")]


def test_expiry_within_30_days(ws, power):
    # rule POWER-EXPIRY: 30 days ahead is in, 31 is not.
    power.customer("IN", contract_ends=dt.date(2026, 12, 20))
    power.customer("OUT", contract_ends=dt.date(2026, 12, 21))
    power.customer("TMP", temporary_until=dt.date(2026, 11, 30))
    ws.run_rules(["power.expiry"], as_of=AS_OF)
    assert [(t[0], t[5]) for t in tasks(ws, "power.expiry")] == [
        ("IN", "supply contract ends 2026-12-20, in 30 days"),
        ("TMP", "temporary supply ends 2026-11-30, in 10 days")]


def test_patrol_overdue_goes_to_the_named_patrol_person(ws, power):
    # rule POWER-EQUIP
    power.manager("E1")
    power.customer("V")
    ws.save("equipment", [
        {"id": "T1", "customer_id": "V", "kind": "transformer", "name": "1# 主变",
         "patrol_manager_id": "E1", "last_patrol_on": dt.date(2026, 10, 21)},
        {"id": "L1", "customer_id": "V", "kind": "hv_line", "patrol_manager_id": "E1",
         "last_patrol_on": dt.date(2026, 10, 1)}])
    power.interaction("PT", "V", "patrol", dt.date(2026, 11, 1), equipment_id="L1")
    ws.run_rules(["power.patrol"], as_of=AS_OF)
    assert tasks(ws, "power.patrol") == [
        ("V", "E1", "patrol", dt.date(2026, 11, 23), 2,
         "T1 (1# 主变): last patrol 2026-10-21, 30 days ago (every 30)")]


def test_a_reminder_done_is_not_made_again(ws, power):
    # rule POWER-REMIND: each stage once per bill, even after the task is done.
    power.customer("C")
    power.bill("B1", "C", 100, dt.date(2026, 11, 22))
    ws.run_rules(["power.remind"], as_of=AS_OF)
    (task,) = ws.tasks(rule="power.remind")
    ws.task_done(task.id, outcome="sent an SMS", at=dt.datetime(2026, 11, 20, 15))
    ws.run_rules(["power.remind"], as_of=AS_OF + dt.timedelta(days=1))
    assert tasks(ws, "power.remind") == []
    assert [t[2] for t in tasks(ws, "power.remind", status="done")] == ["reminder"]
