"""POWER-CLASS, POWER-VIP and POWER-CREDIT at their boundaries, with the lists they keep."""

from __future__ import annotations

import datetime as dt

from power_kit import AS_OF, labels, reason
from sqlalchemy import select

from guanxi import tables


def test_class_1_by_voltage_and_by_the_top_20_percent(ws, power):
    # rule POWER-CLASS: ten non-residential customers by kWh; C01 is small but at 10 kV.
    for n in range(1, 11):
        power.customer(f"C{n:02d}", kind="organization", tariff="commercial",
                       voltage="10kV" if n == 1 else "380V")
        power.year(f"C{n:02d}", 100 * n)
    power.customer("H1", kind="person", tariff="residential", voltage="220V")
    power.year("H1", 50)
    ws.segment(["power.class"], as_of=AS_OF)
    got = labels(ws, "power.class")
    # 11 with consumption: the top 20% are the first 2 (rank * 10000 <= 11 * 2000).
    assert got == {"C01": "1", "C10": "1", "C09": "1", "C08": "2", "C07": "2", "C06": "2",
                   "C05": "2", "C04": "2", "C03": "2", "C02": "2", "H1": "3"}
    assert reason(ws, "power.class", "C01") == "supplied at 10kV (>= 10 kV): class 1"
    assert reason(ws, "power.class", "C10") == (
        "rank 1 of 11 by 12-month consumption 12,000 kWh: the top 20% are the first 2, class 1")
    assert reason(ws, "power.class", "C08") == (
        "non-residential (commercial), 9,600 kWh in 12 months: class 2")


def test_class_1_by_tariff_and_importance(ws, power):
    power.customer("T", kind="organization", tariff="two_part", voltage="380V")
    power.customer("I", kind="organization", tariff="commercial", important=True,
                   importance="hospital")
    power.customer("P", kind="person")
    ws.segment(["power.class"], as_of=AS_OF)
    assert labels(ws, "power.class") == {"T": "1", "I": "1", "P": "3"}
    assert reason(ws, "power.class", "I") == "important customer (hospital): class 1"


def _credit_customer(power, cid, on_time: int, bills: int = 10, arrears=False, theft=False,
                     breach=False):
    power.customer(cid, kind="organization", tariff="commercial")
    for n in range(bills):
        due = dt.date(2026, 1, 15) + dt.timedelta(days=30 * n)
        power.bill(f"{cid}-B{n}", cid, 1000, due)
        paid_at = due if n < on_time else due + dt.timedelta(days=5)
        if not (arrears and n == bills - 1):
            power.payment(f"{cid}-P{n}", cid, f"{cid}-B{n}", 1000,
                          dt.datetime.combine(paid_at, dt.time(23, 30)))
    if theft:
        power.interaction(f"{cid}-T", cid, "theft", dt.date(2025, 6, 1))
    if breach:
        power.interaction(f"{cid}-K", cid, "contract_breach", dt.date(2026, 3, 1))


def test_credit_grade_exactly_on_a_boundary(ws, power):
    # rule POWER-CREDIT: 50 x 8/10 + 20 + 20 + 10 = 90: AAA, on the bound.
    _credit_customer(power, "A90", on_time=8)
    # 50 x 7/10 + 50 = 85: AA.
    _credit_customer(power, "A85", on_time=7)
    # 50 x 10/10 + 20 + 0 (theft within 24 months) + 10 = 80: AA, on the bound.
    _credit_customer(power, "A80", on_time=10, theft=True)
    # 50 x 2/10 + 20 + 20 + 0 = 50: C, the bad-credit list.
    _credit_customer(power, "C50", on_time=2, breach=True)
    ws.segment(["power.credit"], as_of=AS_OF)
    assert labels(ws, "power.credit") == {"A90": "AAA", "A85": "AA", "A80": "AA", "C50": "C"}
    assert reason(ws, "power.credit", "A90") == (
        "score 90 = 50 x 8/10 bills paid on time + 20 (no arrears) + 20 (no violation or theft) "
        "+ 10 (contract kept): AAA")
    assert reason(ws, "power.credit", "C50") == (
        "score 50 = 50 x 2/10 bills paid on time + 20 (no arrears) + 20 (no violation or theft) "
        "+ 0 (contract kept): below 60, grade C: bad-credit list, prepayment advised")


def test_a_bill_paid_on_its_due_day_is_on_time(ws, power):
    # 23:30 on the due day: on time (10 of 10); the unpaid last bill is arrears.
    _credit_customer(power, "X", on_time=10, arrears=True)
    ws.segment(["power.credit"], as_of=AS_OF)
    # The unpaid bill (due 2026-10-12) is judged late: 9 of 10, and arrears: 0 points.
    assert reason(ws, "power.credit", "X") == (
        "score 75 = 50 x 9/10 bills paid on time + 0 (no arrears) + 20 (no violation or theft) "
        "+ 10 (contract kept): A")


def _members(ws, name):
    lm = tables.list_members
    with ws.engine.connect() as conn:
        return {r.customer_id: (r.added_at, r.removed_at) for r in conn.execute(
            select(lm).where(lm.c.list == name))}


def test_the_bad_credit_list_is_dated_join_and_leave(ws, power):
    # rule POWER-CREDIT: grade C joins the 失信名单 the day it is given, and leaves it
    # the day it is lost (here: a year on, no bill in 12 months, no grade).
    _credit_customer(power, "C50", on_time=2, breach=True)
    ws.segment(["power.credit"], as_of=AS_OF)
    assert _members(ws, "bad_credit") == {"C50": (AS_OF, None)}
    later = AS_OF + dt.timedelta(days=400)
    ws.segment(["power.credit"], as_of=later)
    assert labels(ws, "power.credit") == {}
    assert _members(ws, "bad_credit") == {"C50": (AS_OF, later)}


def test_the_vip_list_top_20_percent_and_the_manual_flag(ws, power):
    for n in range(1, 6):
        power.customer(f"N{n}", kind="organization", tariff="commercial")
        power.year(f"N{n}", 1000 * n)
    power.customer("F", kind="organization", tariff="commercial", vip_flag=True)
    power.customer("H", kind="person", tariff="residential")
    power.year("H", 99_999)   # residential: never a VIP by consumption
    ws.segment(["power.vip"], as_of=AS_OF)
    assert labels(ws, "power.vip") == {"N5": "vip", "F": "vip"}
    assert _members(ws, "vip") == {"N5": (AS_OF, None), "F": (AS_OF, None)}
    assert reason(ws, "power.vip", "N5") == (
        "rank 1 of 5 non-residential customers by 12-month consumption 60,000 kWh: the top 20% "
        "are the first 1")
