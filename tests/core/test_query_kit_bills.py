"""ctx.bills and ctx.days_past_due(due, day): the one way packs read bills
(docs/writing-a-pack.md, "Bills and what settles them"), at the boundaries:
partial settlements add up, a payment on the due day is on time, settlements
after the day asked for do not count, an overpayment owes nothing."""

from __future__ import annotations

import datetime as dt

import guanxi
import pytest
from sqlalchemy import Date, literal, select

from guanxi.testing import DataBuilder

AS_OF = dt.date(2026, 11, 30)


class Billing:
    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="due_on", entity="interactions", type="date"),
                guanxi.Field(name="bill_id", entity="interactions", type="text")]


@pytest.fixture
def ws(make_workspace):
    return make_workspace(extra_packs={"billing": Billing()})


@pytest.fixture
def book(ws):
    b = DataBuilder(ws, defaults={"customers": {"created_at": dt.date(2020, 1, 1)}},
                    time_of_day=dt.time(10))
    b.manager("M1")
    b.customer("C1", manager_id="M1")
    return b


def bills(ws, day=None, **kw):
    ctx = ws.query_context("billing", AS_OF)
    b = ctx.bills(day=day, **kw)
    query = select(b.c.id, b.c.amount, b.c.settled, b.c.settled_by_due, b.c.owed).order_by(b.c.id)
    with ws.engine.connect() as conn:
        return [(r[0], *(float(v) for v in r[1:])) for r in conn.execute(query)]


def test_partial_settlements_add_up_and_the_due_day_is_on_time(ws, book):
    book.interaction("B1", "C1", "bill", dt.date(2026, 10, 1), amount=100, due_on=dt.date(2026, 11, 1))
    book.interaction("P1", "C1", "payment", dt.datetime(2026, 10, 20, 9), amount=30, bill_id="B1")
    book.interaction("P2", "C1", "payment", dt.datetime(2026, 11, 1, 23, 59), amount=20, bill_id="B1")
    book.interaction("P3", "C1", "payment", dt.datetime(2026, 11, 2, 0, 0), amount=10, bill_id="B1")
    assert bills(ws) == [("B1", 100.0, 60.0, 50.0, 40.0)]


def test_settlements_after_the_day_do_not_count_nor_bills_issued_after_it(ws, book):
    book.interaction("B1", "C1", "bill", dt.date(2026, 10, 1), amount=100, due_on=dt.date(2026, 11, 1))
    book.interaction("B2", "C1", "bill", dt.date(2026, 11, 1), amount=70, due_on=dt.date(2026, 12, 1))
    book.interaction("P1", "C1", "payment", dt.date(2026, 11, 1), amount=100, bill_id="B1")
    assert bills(ws, day=dt.date(2026, 10, 31)) == [("B1", 100.0, 0.0, 0.0, 100.0)]
    assert bills(ws, day=dt.date(2026, 11, 1)) == [("B1", 100.0, 100.0, 100.0, 0.0),
                                                    ("B2", 70.0, 0.0, 0.0, 70.0)]


def test_other_settling_kinds_count_by_their_size_and_an_overpayment_owes_nothing(ws, book):
    book.interaction("B1", "C1", "bill", dt.date(2026, 10, 1), amount=100, due_on=dt.date(2026, 11, 1))
    book.interaction("N1", "C1", "credit_note", dt.date(2026, 10, 5), amount=-40, bill_id="B1")
    book.interaction("P1", "C1", "payment", dt.date(2026, 10, 6), amount=80, bill_id="B1")
    assert bills(ws) == [("B1", 100.0, 80.0, 80.0, 20.0)]
    assert bills(ws, settled_by=("payment", "credit_note")) == [("B1", 100.0, 120.0, 120.0, 0.0)]


def test_a_bill_without_a_due_day_is_left_out_and_kinds_are_chosen(ws, book):
    book.interaction("B1", "C1", "bill", dt.date(2026, 10, 1), amount=100)
    book.interaction("I1", "C1", "invoice", dt.date(2026, 10, 1), amount=5, due_on=dt.date(2026, 11, 1))
    assert bills(ws) == []
    assert bills(ws, kind=("bill", "invoice")) == [("I1", 5.0, 0.0, 0.0, 5.0)]
    assert bills(ws, kind="invoice", since=dt.date(2026, 11, 2)) == []


def test_a_payment_naming_another_bill_or_no_bill_settles_only_what_it_names(ws, book):
    # Settlements find their bill by its id: one naming a bill of another
    # kind, or an id that is no interaction at all, settles nothing here.
    book.interaction("B1", "C1", "bill", dt.date(2026, 10, 1), amount=100, due_on=dt.date(2026, 11, 1))
    book.interaction("X1", "C1", "visit", dt.date(2026, 10, 1))
    book.interaction("P1", "C1", "payment", dt.date(2026, 10, 2), amount=10, bill_id="B1")
    book.interaction("P2", "C1", "payment", dt.date(2026, 10, 2), amount=20, bill_id="X1")
    book.interaction("P3", "C1", "payment", dt.date(2026, 10, 2), amount=40, bill_id="NOPE")
    assert bills(ws) == [("B1", 100.0, 10.0, 10.0, 90.0)]


def test_without_the_due_day_sum_the_column_is_left_out_and_the_rest_is_equal(ws, book):
    book.interaction("B1", "C1", "bill", dt.date(2026, 10, 1), amount=100, due_on=dt.date(2026, 11, 1))
    book.interaction("P1", "C1", "payment", dt.datetime(2026, 10, 20, 9), amount=30, bill_id="B1")
    book.interaction("P2", "C1", "payment", dt.datetime(2026, 11, 2, 0, 0), amount=10, bill_id="B1")
    ctx = ws.query_context("billing", AS_OF)
    b = ctx.bills(by_due=False)
    assert "settled_by_due" not in b.c
    with ws.engine.connect() as conn:
        rows = conn.execute(select(b.c.id, b.c.settled, b.c.owed)).all()
    assert [(r[0], float(r[1]), float(r[2])) for r in rows] == [("B1", 40.0, 60.0)]


@pytest.mark.parametrize("day, days", [(dt.date(2026, 10, 31), 0), (dt.date(2026, 11, 1), 1),
                                       (dt.date(2026, 11, 30), 30)])
def test_days_past_due_counts_to_the_day_given(ws, day, days):
    ctx = ws.query_context("billing", AS_OF)
    with ws.engine.connect() as conn:
        assert conn.execute(select(ctx.days_past_due(literal(dt.date(2026, 10, 31), Date),
                                                     day))).scalar() == days
