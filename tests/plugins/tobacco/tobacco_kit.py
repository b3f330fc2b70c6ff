"""What the tobacco pack's tests share: the as-of day, a data builder and readers."""

from __future__ import annotations

import datetime as dt

# The kit's readers, under the names the tests use.
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401
from guanxi.testing import rule_tasks as tasks  # noqa: F401

from guanxi_tobacco.options import CHECKLIST_ITEMS

#: A Tuesday: ISO week 2026-W48 runs from Monday 23 to Sunday 29 November.
AS_OF = dt.date(2026, 11, 24)

#: Every checklist item ticked: a complete visit (TOB-CHECKLIST).
COMPLETE = {item: True for item in CHECKLIST_ITEMS}


class Wholesaler:
    """Hand-built tobacco data, saved through the importer's checks and hooks."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def manager(self, id, **values):
        self.ws.save("managers", [{"id": id, "name": values.pop("name", f"Manager {id}"),
                                   **values}])

    def retailer(self, id, manager_id="M1", **values):
        row = {"id": id, "name": values.pop("name", f"Retailer {id}"), "manager_id": manager_id,
               "kind": "organization", "territory": values.pop("territory", "east"),
               "created_at": values.pop("created_at", dt.date(2020, 1, 1)),
               "licence_no": values.pop("licence_no", f"L-{id}"),
               "licence_expires": values.pop("licence_expires", dt.date(2030, 1, 1)), **values}
        self.ws.save("customers", [row])

    def orders(self, customer_id, days: dict, metric="cartons"):
        """``days``: ISO day (or date) -> cartons ordered that day."""
        self.ws.save("measurements", [
            {"customer_id": customer_id, "metric": metric, "period": str(day), "value": value}
            for day, value in days.items()
        ])

    def interaction(self, id, customer_id, kind, occurred_at, **values):
        if isinstance(occurred_at, dt.date) and not isinstance(occurred_at, dt.datetime):
            occurred_at = dt.datetime.combine(occurred_at, dt.time(10))
        self.ws.save("interactions", [{"id": id, "customer_id": customer_id, "kind": kind,
                                       "occurred_at": occurred_at, **values}])

    def visit(self, id, customer_id, occurred_at, manager_id="M1", **values):
        """A visit; every checklist item ticked unless ``values`` says otherwise."""
        self.interaction(id, customer_id, "visit", occurred_at, manager_id=manager_id,
                         **{**COMPLETE, **values})


def weekly_orders(first: dt.date, weeks: int, cartons: int, skip=()) -> dict:
    """One order a week from ``first`` on, ``cartons`` each; weeks numbered from 0 in ``skip`` missed."""
    return {first + dt.timedelta(weeks=w): cartons for w in range(weeks) if w not in skip}
