"""TEL-STAGE (telecom.stage) at its boundaries: exactly 6 and 24 calendar months
of tenure, a billing gap of 59 vs 60 days, every line stopped, prospects."""

from __future__ import annotations

import datetime as dt

from guanxi.testing import current_labels, label_reason
from telecom_kit import AS_OF

FLAT = {"2026-05": 100, "2026-06": 100, "2026-07": 100, "2026-08": 100, "2026-09": 100,
        "2026-10": 100}
GROWING = {**FLAT, "2026-10": 130}
FALLING = {**FLAT, "2026-10": 70}


def _billed(op, customer_id):
    op.bill(customer_id, AS_OF - dt.timedelta(days=10))


def _key(op, id, created, products=("tv",), revenue=FLAT, **values):
    op.key_account(id, created_at=created, **values)
    op.rows("accounts", [{"id": f"{id}-{p}", "customer_id": id, "type": p} for p in products])
    op.revenue(id, revenue)
    _billed(op, id)


def test_tenure_of_exactly_6_months_is_growth_a_day_less_is_gestation(ws, op):
    _key(op, "K6", dt.date(2026, 5, 16), revenue=GROWING)
    _key(op, "K5", dt.date(2026, 5, 17), revenue=GROWING)
    _key(op, "K6FLAT", dt.date(2026, 5, 16))            # 6 months, 1 line, flat revenue
    _key(op, "K6TWO", dt.date(2026, 5, 16), products=("tv", "broadband"))
    ws.segment(["telecom.stage"], as_of=AS_OF)
    assert current_labels(ws, "telecom.stage") == {
        "K6": "growth", "K5": "gestation", "K6FLAT": "gestation", "K6TWO": "growth"}
    assert label_reason(ws, "telecom.stage", "K6") == (
        "6 months as a customer, 1 product line(s), revenue 330 against 300 the months before "
        "(TEL-STAGE)")


def test_partnership_needs_exactly_24_months_3_lines_and_revenue_not_falling(ws, op):
    three = ("tv", "broadband", "mobile")
    _key(op, "K24", dt.date(2024, 11, 16), products=three)
    _key(op, "K23", dt.date(2024, 11, 17), products=three)
    _key(op, "K24TWO", dt.date(2024, 11, 16), products=three[:2])
    _key(op, "K24FALL", dt.date(2024, 11, 16), products=three, revenue=FALLING)
    ws.segment(["telecom.stage"], as_of=AS_OF)
    assert current_labels(ws, "telecom.stage") == {
        "K24": "partnership", "K23": "growth", "K24TWO": "growth", "K24FALL": "growth"}


def test_a_billing_gap_of_60_days_is_an_interruption_59_is_not(ws, op):
    for id, days in (("K59", 59), ("K60", 60)):
        op.key_account(id, created_at=dt.date(2023, 1, 1))
        op.rows("accounts", [{"id": f"{id}-{p}", "customer_id": id, "type": p}
                             for p in ("tv", "broadband")])
        op.bill(id, AS_OF - dt.timedelta(days=days))
    ws.segment(["telecom.stage"], as_of=AS_OF)
    assert current_labels(ws, "telecom.stage") == {"K59": "growth", "K60": "interruption"}
    assert label_reason(ws, "telecom.stage", "K60") == (
        "no bill for 60 days (last 2026-09-17): interruption (TEL-STAGE)")


def test_every_line_ended_or_suspended_is_an_interruption_a_dormant_one_is_not(ws, op):
    _key(op, "KSTOP", dt.date(2023, 1, 1), products=())
    op.rows("accounts", [{"id": "S1", "customer_id": "KSTOP", "status": "lost"},
                         {"id": "S2", "customer_id": "KSTOP", "status": "suspended_nonpayment"},
                         {"id": "S3", "customer_id": "KSTOP", "status": "suspended_request"}])
    _key(op, "KDORM", dt.date(2023, 1, 1), products=())
    op.rows("accounts", [{"id": "D1", "customer_id": "KDORM", "status": "lost"},
                         {"id": "D2", "customer_id": "KDORM", "status": "dormant"}])
    ws.segment(["telecom.stage"], as_of=AS_OF)
    assert current_labels(ws, "telecom.stage") == {"KSTOP": "interruption", "KDORM": "gestation"}
    assert label_reason(ws, "telecom.stage", "KSTOP") == (
        "all 3 lines ended or suspended: interruption (TEL-STAGE)")


def test_a_prospect_is_in_gestation_and_only_key_accounts_are_staged(ws, op):
    op.key_account("P1", status="prospect", created_at=dt.date(2020, 1, 1))   # no bill ever
    op.group("G1", created_at=dt.date(2020, 1, 1))
    ws.segment(["telecom.stage"], as_of=AS_OF)
    assert current_labels(ws, "telecom.stage") == {"P1": "gestation"}
    assert label_reason(ws, "telecom.stage", "P1") == "a prospect: gestation (TEL-STAGE)"
