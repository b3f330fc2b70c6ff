"""The receivables demo: trade customers with 15 months of invoices and payments.

It adds a fifth as many trade customers (``R00001`` ...) as the base has,
owned by the core's account managers, each with a registered capital and a
way of paying: most pay by the due day (some early, earning the cash
discount), some late, some in parts, a few stop paying (their debts age
past 90, 180 and 365 days and their invoicing stops two months later);
a few get a credit note, one old debt is written off. Invoices are due 30
days after they are issued. Three invoices break the credit policy (a
large order past the limit, two on 45-day terms) and open credit cases; a
customer 90 days past due has a legal request, which opens a legal case.

:func:`summary` shows the aging buckets, DSO, collection by manager, the
collection tasks by stage, the 3C grades and the approvals.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from guanxi import DemoData
from guanxi.demo_kit import month_start, person_name, territory_of_manager

MONTHS = 15
TERM = 30


def count(ctx) -> int:
    return max(40, ctx.customers // 5)


class _Trader:
    def __init__(self, ctx, number: int) -> None:
        rng = random.Random(ctx.seed * 7_919_113 + number)
        self.number = number
        self.id = f"R{number:05d}"
        self.name = f"{person_name(rng)}商贸有限公司"
        owner = ctx.owner_number(number)
        self.manager = ctx.manager_id(owner)
        self.territory = territory_of_manager(owner)
        self.capital = round(math.exp(rng.gauss(14.0, 1.0)), -4)
        self.monthly = round(math.exp(rng.gauss(10.0, 0.6)), 2)
        roll = rng.random()
        self.kind = ("prompt" if roll < 0.6 else "late" if roll < 0.8 else "partial"
                     if roll < 0.9 else "stopped" if roll < 0.97 else "credited")
        # A stopped payer stops 3 to 14 months back: debts of every age.
        self.stops = rng.randint(3, 14) if self.kind == "stopped" else None
        self.rng = rng


def _traders(ctx):
    for number in range(1, count(ctx) + 1):
        yield _Trader(ctx, number)


def generate(ctx):
    return {"customers": _customers(ctx), "interactions": _ledger(ctx)}


def _customers(ctx):
    for t in _traders(ctx):
        yield {"id": t.id, "name": t.name, "kind": "organization", "manager_id": t.manager,
               "territory": t.territory, "status": "active",
               "created_at": month_start(ctx.as_of, MONTHS + 1), "registered_capital": t.capital}


def _row(id, customer, kind, at, amount, due_on=None, bill_id=None, contract=None):
    return {"id": id, "customer_id": customer, "kind": kind, "occurred_at": at,
            "amount": amount, "due_on": due_on, "bill_id": bill_id, "contract": contract}


def _at(day: dt.date, rng) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))


def _ledger(ctx):
    for t in _traders(ctx):
        yield from _invoices(ctx, t)
    yield from _exceptions(ctx)


def _invoices(ctx, t):
    rng = t.rng
    for back in range(MONTHS, -1, -1):
        if t.stops is not None and back < t.stops - 2:
            return  # supply stopped two months after the first unpaid invoice
        issued = month_start(ctx.as_of, back) + dt.timedelta(days=rng.randint(2, 24))
        if issued >= ctx.as_of:
            continue
        invoice = f"{t.id}-I{MONTHS - back + 1:02d}"
        amount = round(t.monthly * rng.uniform(0.7, 1.3), 2)
        due = issued + dt.timedelta(days=TERM)
        yield _row(invoice, t.id, "invoice", _at(issued, rng), amount, due_on=due,
                   contract=f"HT-{t.id}-{issued.year}")
        yield from _settle(ctx, t, invoice, issued, due, amount, back)


def _settle(ctx, t, invoice, issued, due, amount, back):
    rng = t.rng

    def pay(day, value, suffix="P"):
        if day < ctx.as_of:
            return [_row(f"{invoice}-{suffix}", t.id, "payment", _at(day, rng), round(value, 2),
                         bill_id=invoice)]
        return []

    if t.kind == "stopped" and back <= t.stops:
        written = issued + dt.timedelta(days=380)
        if back == t.stops and t.number % 2 and written < ctx.as_of:
            # The oldest unpaid debt written off after a year (坏账核销).
            return [_row(f"{invoice}-W", t.id, "write_off", _at(written, rng), amount,
                         bill_id=invoice)]
        return []
    if t.kind == "prompt":
        early = rng.random() < 0.3
        return pay(issued + dt.timedelta(days=rng.randint(3, 9)) if early
                   else due - dt.timedelta(days=rng.randint(0, 5)), amount)
    if t.kind == "late":
        return pay(due + dt.timedelta(days=rng.randint(3, 40)), amount)
    if t.kind == "partial":
        half = round(amount / 2, 2)
        return (pay(due - dt.timedelta(days=1), half, "P1")
                + pay(due + dt.timedelta(days=rng.randint(10, 70)), amount - half, "P2"))
    # credited: 10% credited back, the rest paid by the due day
    note = round(amount * 0.1, 2)
    return ([_row(f"{invoice}-CN", t.id, "credit_note", _at(issued + dt.timedelta(days=5), rng),
                  -note, bill_id=invoice)] if back % 4 == 0 else []) + pay(
        due - dt.timedelta(days=2), amount - (note if back % 4 == 0 else 0))


def _exceptions(ctx):
    """Three invoices past the credit policy and a legal request (the approvals)."""
    rng = random.Random(ctx.seed * 31 + 7)
    day = ctx.as_of - dt.timedelta(days=3)
    big = f"R{1:05d}"
    yield _row(f"{big}-X1", big, "invoice", _at(day, rng), 250000.0,
               due_on=day + dt.timedelta(days=TERM), contract=f"HT-{big}-LARGE")
    for n in (2, 3):
        cid = f"R{n:05d}"
        yield _row(f"{cid}-X1", cid, "invoice", _at(day, rng), 12000.0,
                   due_on=day + dt.timedelta(days=45), contract=f"HT-{cid}-TERMS")
    stopped = next((t for t in _traders(ctx) if t.kind == "stopped" and t.stops >= 6), None)
    if stopped is not None:
        yield _row(f"{stopped.id}-LEGAL", stopped.id, "legal_request",
                   _at(ctx.as_of - dt.timedelta(days=1), rng), None)


# -- the summary --------------------------------------------------------------------------------


def summary(ws, ctx) -> str:
    from guanxi_receivables import demo_summary

    return demo_summary.summary(ws, ctx)


DEMO = [DemoData(name="receivables.ledger",
                 description="Trade customers with 15 months of invoices, payments, credit "
                             "notes, a write-off, credit exceptions and a legal request.",
                 generate=generate, summary=summary)]
