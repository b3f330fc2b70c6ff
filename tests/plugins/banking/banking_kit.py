"""What the banking pack's tests share: the as-of day, a data builder and readers."""

from __future__ import annotations

import datetime as dt

# The kit's readers, under the names the tests use.
from guanxi.testing import current_labels as labels  # noqa: F401
from guanxi.testing import label_reason as reason  # noqa: F401
from guanxi.testing import rule_tasks as tasks  # noqa: F401

#: A Tuesday: ISO week 2026-W48 runs from Monday 23 to Sunday 29 November.
AS_OF = dt.date(2026, 11, 24)


class Bank:
    """Hand-built bank data, saved through the importer's checks and hooks."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def team(self, id, **values):
        self.ws.save("teams", [{"id": id, "name": values.pop("name", f"Team {id}"), **values}])

    def manager(self, id, **values):
        self.ws.save("managers", [{"id": id, "name": values.pop("name", f"Manager {id}"),
                                   **values}])

    def customer(self, id, manager_id="M1", **values):
        row = {"id": id, "name": values.pop("name", f"Customer {id}"), "manager_id": manager_id,
               "created_at": values.pop("created_at", dt.date(2020, 1, 1)), **values}
        self.ws.save("customers", [row])

    def account(self, id, customer_id, type="deposit", **values):
        row = {"id": id, "customer_id": customer_id, "type": type,
               "opened_at": values.pop("opened_at", dt.date(2020, 1, 1)), **values}
        self.ws.save("accounts", [row])

    def aum(self, customer_id, values: dict, metric="aum", account_id=None):
        """``values``: period label -> amount."""
        self.ws.save("measurements", [
            {"customer_id": customer_id, "metric": metric, "period": period, "value": value,
             "account_id": account_id}
            for period, value in values.items()
        ])

    def interaction(self, id, customer_id, kind, occurred_at, **values):
        if isinstance(occurred_at, dt.date) and not isinstance(occurred_at, dt.datetime):
            occurred_at = dt.datetime.combine(occurred_at, dt.time(10))
        self.ws.save("interactions", [{"id": id, "customer_id": customer_id, "kind": kind,
                                       "occurred_at": occurred_at, **values}])
