"""What the power pack's tests share: the as-of day, a data builder and readers."""

from __future__ import annotations

import datetime as dt

from guanxi.testing import DataBuilder
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401
from guanxi.testing import rule_tasks as tasks  # noqa: F401

#: A Friday; the last closed month is October 2026.
AS_OF = dt.date(2026, 11, 20)
YEAR = [f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]]


class Power(DataBuilder):
    """Hand-built utility data: residential supply customers of M1 since 2020 unless
    told otherwise, interactions at 10:00."""

    def __init__(self, ws) -> None:
        super().__init__(ws, defaults={
            "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1),
                          "tariff": "residential"},
        }, time_of_day=dt.time(10))

    def kwh(self, customer_id, months: dict, metric="kwh"):
        """``months``: period label -> value."""
        return self.rows("measurements", [
            {"customer_id": customer_id, "metric": metric, "period": p, "value": v}
            for p, v in months.items()])

    def year(self, customer_id, monthly: float):
        """The same kWh in each of the twelve closed months before AS_OF."""
        return self.kwh(customer_id, {p: monthly for p in YEAR})

    def bill(self, id, customer_id, amount, due_on, period="2026-10", issued=None):
        issued = issued or due_on - dt.timedelta(days=15)
        return self.interaction(id, customer_id, "bill", issued, amount=amount, due_on=due_on,
                                bill_period=period)

    def payment(self, id, customer_id, bill_id, amount, at):
        return self.interaction(id, customer_id, "payment", at, amount=amount, bill_id=bill_id)
