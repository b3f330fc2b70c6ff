"""What the value pack's tests share: the as-of day, a data builder and readers."""

from __future__ import annotations

import datetime as dt

from guanxi.testing import DataBuilder
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401

#: The last day of November 2026: RFM's 12 months run from 2025-12-01 00:00.
AS_OF = dt.date(2026, 11, 30)


class Shop(DataBuilder):
    """Hand-built buyers: customers of M1 since 2020 (never "from today", which
    would tie a test to the wall clock); purchases are ``order`` interactions
    at 10:00 on the day given unless a datetime says otherwise."""

    def __init__(self, ws) -> None:
        super().__init__(ws, defaults={
            "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1)},
        }, time_of_day=dt.time(10))
        self._n = 0

    def buy(self, customer_id, when, amount, kind="order"):
        """One purchase; ``when`` a date (10:00 that day) or a datetime."""
        self._n += 1
        return self.interaction(f"P{self._n:05d}", customer_id, kind, when, amount=amount)

    def buys(self, customer_id, purchases):
        """Many purchases in one batch: ``[(when, amount), ...]``."""
        rows = []
        for when, amount in purchases:
            self._n += 1
            rows.append({"id": f"P{self._n:05d}", "customer_id": customer_id, "kind": "order",
                         "occurred_at": when if isinstance(when, dt.datetime)
                         else dt.datetime.combine(when, dt.time(10)), "amount": amount})
        return self.rows("interactions", rows)
