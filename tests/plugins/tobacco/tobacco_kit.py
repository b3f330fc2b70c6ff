"""What the tobacco pack's tests share: the as-of day, a data builder and readers."""

from __future__ import annotations

import datetime as dt

# The kit's readers, under the names the tests use.
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401
from guanxi.testing import rule_tasks as tasks  # noqa: F401
from guanxi.testing import DataBuilder

from guanxi_tobacco.options import CHECKLIST_ITEMS

#: A Tuesday: ISO week 2026-W48 runs from Monday 23 to Sunday 29 November.
AS_OF = dt.date(2026, 11, 24)

#: Every checklist item ticked: a complete visit (TOB-CHECKLIST).
COMPLETE = {item: True for item in CHECKLIST_ITEMS}


class Wholesaler(DataBuilder):
    """Hand-built tobacco data: guanxi.testing.DataBuilder with the wholesaler's defaults.

    Retailers are organizations of M1 in territory east since 2020 (never
    owned "from today", which would tie a test to the wall clock), licensed
    until 2030; interactions happen at 10:00 on the day given.
    """

    def __init__(self, ws) -> None:
        super().__init__(ws, defaults={
            "customers": {"manager_id": "M1", "kind": "organization", "territory": "east",
                          "created_at": dt.date(2020, 1, 1),
                          "licence_expires": dt.date(2030, 1, 1)},
        }, time_of_day=dt.time(10))

    def retailer(self, id, manager_id="M1", **values):
        """A retailer (a customer); its licence number defaults to ``L-<id>``."""
        return self.customer(id, name=values.pop("name", f"Retailer {id}"),
                             manager_id=manager_id,
                             licence_no=values.pop("licence_no", f"L-{id}"), **values)

    def orders(self, customer_id, days: dict, metric="cartons"):
        """``days``: ISO day (or date) -> cartons ordered that day."""
        return self.rows("measurements", [
            {"customer_id": customer_id, "metric": metric, "period": str(day), "value": value}
            for day, value in days.items()
        ])

    def visit(self, id, customer_id, occurred_at, manager_id="M1", **values):
        """A visit; every checklist item ticked unless ``values`` says otherwise."""
        return self.interaction(id, customer_id, "visit", occurred_at, manager_id=manager_id,
                                **{**COMPLETE, **values})


def weekly_orders(first: dt.date, weeks: int, cartons: int, skip=()) -> dict:
    """One order a week from ``first`` on, ``cartons`` each; weeks numbered from 0 in ``skip`` missed."""
    return {first + dt.timedelta(weeks=w): cartons for w in range(weeks) if w not in skip}
