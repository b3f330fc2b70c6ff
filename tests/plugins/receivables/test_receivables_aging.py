"""REC-AGING and REC-DSO at their boundaries: the due day is current, day 30
past due is 1–30 and day 31 is 31–60, the period's last day is the day
amounts are read at, a payment on the due day settles on time, partial
payments, credit notes and write-offs add up."""

from __future__ import annotations

import datetime as dt

import pytest
from receivables_kit import AS_OF, day, kpi

from guanxi.testing import kpi_rows_disagree

BUCKET_KPIS = ["receivables.aging_current", "receivables.aging_1_30",
               "receivables.aging_31_60", "receivables.aging_61_90",
               "receivables.aging_91_180", "receivables.aging_181_365",
               "receivables.aging_over_365"]


def buckets(ws, period="2026-11", by="all", as_of=AS_OF):
    values = {}
    for v in ws.kpi(BUCKET_KPIS, period=period, by=by, as_of=as_of):
        if v.value:
            values[v.kpi.removeprefix("receivables.aging_")] = float(v.value)
    return values


@pytest.mark.parametrize("days_late, bucket", [
    (-5, "current"), (0, "current"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"),
    (61, "61_90"), (90, "61_90"), (91, "91_180"), (180, "91_180"), (181, "181_365"),
    (365, "181_365"), (366, "over_365")])
def test_an_amount_falls_in_the_bucket_of_its_days_past_due(ws, ledger, days_late, bucket):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(days_late + 30), 1000, day(days_late))
    assert buckets(ws) == {bucket: 1000.0}


def test_partial_payments_credit_notes_and_write_offs_add_up(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(70), 1000, day(40))
    ledger.pay("P1", "I1", "C1", day(45), 300)
    ledger.pay("P2", "I1", "C1", day(20), 200)
    ledger.pay("N1", "I1", "C1", day(10), -100, kind="credit_note")   # a negative invoice
    ledger.invoice("I2", "C1", day(500), 400, day(470))
    ledger.pay("W1", "I2", "C1", day(5), 400, kind="write_off")
    assert buckets(ws) == {"31_60": 400.0}
    assert kpi(ws, "receivables.outstanding") == {"": 400.0}


def test_amounts_are_read_at_the_periods_last_day(ws, ledger):
    # October's figures on 2026-10-31: a payment on 1 November and an invoice
    # issued on 1 November are November's.
    ledger.customer("C1")
    ledger.invoice("I1", "C1", dt.date(2026, 9, 1), 1000, dt.date(2026, 10, 1))
    ledger.pay("P1", "I1", "C1", dt.date(2026, 11, 1), 1000)
    ledger.invoice("I2", "C1", dt.date(2026, 11, 1), 500, dt.date(2026, 12, 1))
    assert buckets(ws, "2026-10") == {"1_30": 1000.0}           # 30 days past due on 31 Oct
    assert buckets(ws, "2026-11") == {"current": 500.0}


def test_a_month_still_running_is_read_at_the_as_of_day(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", dt.date(2026, 10, 1), 1000, dt.date(2026, 11, 10))
    assert buckets(ws, "2026-11", as_of=dt.date(2026, 11, 10)) == {"current": 1000.0}
    assert buckets(ws, "2026-11", as_of=dt.date(2026, 11, 11)) == {"1_30": 1000.0}


def test_amounts_by_manager_and_team_go_to_the_owner(ws, ledger):
    ledger.customer("C1")
    ledger.customer("C2", manager_id="M2")
    ledger.invoice("I1", "C1", day(40), 100, day(10))
    ledger.invoice("I2", "C2", day(40), 250, day(10))
    assert kpi(ws, "receivables.aging_1_30", by="manager") == {"M1": 100.0, "M2": 250.0}
    assert kpi(ws, "receivables.aging_1_30", by="team") == {"T1": 350.0}


@pytest.mark.parametrize("name", [*BUCKET_KPIS, "receivables.outstanding", "receivables.dso",
                                  "receivables.collected_on_time", "receivables.collected"])
@pytest.mark.parametrize("by", ["all", "manager"])
def test_the_rows_make_every_value(ws, ledger, name, by):
    ledger.customer("C1")
    ledger.customer("C2", manager_id="M2")
    for n, late in enumerate((-10, 0, 20, 45, 75, 120, 200, 400)):
        ledger.invoice(f"I{n}", "C1" if n % 2 else "C2", day(late + 30), 100 * (n + 1), day(late))
    ledger.pay("P1", "I2", "C1", day(21), 50)
    ledger.pay("P2", "I3", "C2", day(2), 400)
    assert kpi_rows_disagree(ws, name, period="2026-11", by=by, as_of=AS_OF) == []


# -- REC-DSO ------------------------------------------------------------------------------------

def test_dso_is_outstanding_over_the_last_90_days_invoiced_times_90(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(0), 6000, day(-30))       # the period's last day: in
    ledger.invoice("I2", "C1", day(89), 3000, day(59))       # the window's first day: in
    ledger.invoice("I3", "C1", day(90), 9000, day(60))       # the day before it: out
    ledger.pay("P1", "I2", "C1", day(50), 3000)
    ledger.pay("P2", "I3", "C1", day(50), 6000)
    # owed 6000 + 0 + 3000 = 9000; invoiced in the 90 days 6000 + 3000 = 9000
    assert kpi(ws, "receivables.dso") == {"": pytest.approx(90.0)}
    ledger.pay("P3", "I1", "C1", day(0), 4500)
    assert kpi(ws, "receivables.dso") == {"": pytest.approx(4500 / 9000 * 90)}


def test_dso_without_invoices_in_the_window_is_undefined(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", day(200), 100, day(170))
    assert kpi(ws, "receivables.dso") == {"": None}


# -- REC-COLLECT: collected on time -------------------------------------------------------------

def test_a_payment_on_the_due_day_is_on_time_and_the_day_after_is_not(ws, ledger):
    ledger.customer("C1")
    ledger.customer("C2", manager_id="M2")
    ledger.invoice("I1", "C1", dt.date(2026, 10, 15), 1000, dt.date(2026, 11, 14))
    ledger.pay("P1", "I1", "C1", dt.datetime(2026, 11, 14, 23, 59), 1000)
    ledger.invoice("I2", "C2", dt.date(2026, 10, 15), 1000, dt.date(2026, 11, 14))
    ledger.pay("P2", "I2", "C2", dt.datetime(2026, 11, 13, 9), 400)
    ledger.pay("P3", "I2", "C2", dt.datetime(2026, 11, 15, 0, 0), 600)
    assert kpi(ws, "receivables.collected_on_time", by="manager") == {
        "M1": pytest.approx(1.0), "M2": pytest.approx(0.4)}
    assert kpi(ws, "receivables.collected", by="manager") == {"M1": 1000.0, "M2": 1000.0}


def test_invoices_not_yet_due_are_not_judged(ws, ledger):
    ledger.customer("C1")
    ledger.invoice("I1", "C1", dt.date(2026, 11, 1), 1000, dt.date(2026, 11, 20))
    # Nothing judged: no value (an empty share is undefined, not 0%).
    assert kpi(ws, "receivables.collected_on_time", as_of=dt.date(2026, 11, 19)) in ({}, {"": None})
    assert kpi(ws, "receivables.collected_on_time", as_of=dt.date(2026, 11, 20)) == {"": 0.0}
