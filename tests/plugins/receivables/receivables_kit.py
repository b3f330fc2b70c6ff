"""What the receivables pack's tests share: the as-of day, a ledger builder and readers."""

from __future__ import annotations

import datetime as dt

from guanxi.testing import DataBuilder
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401
from guanxi.testing import rule_tasks  # noqa: F401

#: The last day of November 2026.
AS_OF = dt.date(2026, 11, 30)


def day(n: int) -> dt.date:
    """``n`` days before AS_OF (negative: after it)."""
    return AS_OF - dt.timedelta(days=n)


class Ledger(DataBuilder):
    """Hand-built receivables: customers of M1 since 2020 (never "from today", which
    would tie a test to the wall clock); ledger rows at 10:00 on the day given."""

    def __init__(self, ws) -> None:
        super().__init__(ws, defaults={
            "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1)},
        }, time_of_day=dt.time(10))

    def invoice(self, id, customer_id, issued, amount, due_on, **values):
        return self.interaction(id, customer_id, "invoice", issued, amount=amount, due_on=due_on,
                                **values)

    def pay(self, id, invoice_id, customer_id, when, amount, kind="payment"):
        return self.interaction(id, customer_id, kind, when, amount=amount, bill_id=invoice_id)


def kpi(ws, name, period="2026-11", by="all", as_of=AS_OF) -> dict:
    """The KPI's values by scope key."""
    return {v.scope_key: v.value for v in ws.kpi([name], period=period, by=by, as_of=as_of)}
