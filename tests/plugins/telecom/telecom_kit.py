"""The telecom pack's test kit: a DataBuilder with the pack's shapes.

Customers are owned since 2020 by M1 (a customer saved without created_at
would be created today, and a test that reads tenure would depend on the
clock); interactions given a date happen at 10:00.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from guanxi.testing import DataBuilder

AS_OF = dt.date(2026, 11, 16)
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Operator(DataBuilder):
    def __init__(self, ws):
        super().__init__(ws, defaults={
            "customers": {"manager_id": "M1", "created_at": dt.date(2020, 1, 1),
                          "kind": "organization"},
            "accounts": {"type": "tv", "status": "active", "opened_at": dt.date(2020, 1, 1)}},
            time_of_day=dt.time(10))

    def key_account(self, id, **values):
        return self.customer(id, key_account=True, **values)

    def group(self, id, **values):
        return self.customer(id, group_customer=True, **values)

    def lines(self, customer_id, count, *, prefix=None, **values):
        """``count`` lines of one customer in one batch: L<customer>-<n>."""
        prefix = prefix or f"L{customer_id}-"
        return self.rows("accounts", [
            {"id": f"{prefix}{n}", "customer_id": customer_id, "type": "tv", "status": "active",
             **values} for n in range(1, count + 1)])

    def revenue(self, customer_id, months: dict):
        """``months``: '2026-08' -> revenue."""
        return self.rows("measurements", [
            {"customer_id": customer_id, "metric": "revenue", "period": p, "value": v}
            for p, v in months.items()])

    def bill(self, customer_id, day, n=1):
        return self.interaction(f"B{customer_id}-{day.isoformat()}-{n}", customer_id, "bill", day)

    def contact(self, id, customer_id, **values):
        return self.rows("contacts", [{"id": id, "customer_id": customer_id,
                                       "name": f"Contact {id}", **values}])[0]


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """A moment of ``day`` in Shanghai, for time_machine."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
