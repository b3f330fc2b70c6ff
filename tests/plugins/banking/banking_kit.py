"""What the banking pack's tests share: the as-of day, a data builder and readers."""

from __future__ import annotations

import datetime as dt

# The kit's readers, under the names the tests use.
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401
from guanxi.testing import rule_tasks as tasks  # noqa: F401
from guanxi.testing import DataBuilder

#: A Tuesday: ISO week 2026-W48 runs from Monday 23 to Sunday 29 November.
AS_OF = dt.date(2026, 11, 24)


class Bank(DataBuilder):
    """Hand-built bank data: guanxi.testing.DataBuilder with the bank's defaults.

    Customers belong to M1 from 2020 (never owned "from today", which would
    tie a test to the wall clock), accounts opened in 2020, interactions at
    10:00 on the day given.
    """

    def __init__(self, ws) -> None:
        super().__init__(ws, defaults={
            "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1)},
            "accounts": {"opened_at": dt.date(2020, 1, 1)},
        }, time_of_day=dt.time(10))

    def aum(self, customer_id, values: dict, metric="aum", account_id=None):
        """``values``: period label -> amount."""
        return self.rows("measurements", [
            {"customer_id": customer_id, "metric": metric, "period": period, "value": value,
             "account_id": account_id}
            for period, value in values.items()
        ])
