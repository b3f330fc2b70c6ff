"""The query kit's bills: amounts due on a day, and what settled them.

A mixin of :class:`guanxi.engines.context.Context`. A bill (the power
pack's 电费, the receivables pack's invoice) is an interaction with an
``amount`` and a ``due_on`` field; a payment, a credit note or a write-off
is an interaction naming the bill in its ``bill_id`` field. Partial
settlements add up. Every pack that reads bills asks here, so "owed",
"paid on time" and "days past due" mean one thing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, case, func, literal, select


class BillHelpers:
    """Bill helpers of the query context (a mixin of Context)."""

    def bills(self, kind="bill", *, settled_by=("payment",), day: dt.date | None = None,
              since: dt.date | None = None, name: str = "bills"):
        """Every bill with what has settled it: a subquery of ``(id, customer_id,
        manager_id, issued_at, amount, due_on, attributes, settled, settled_by_due,
        owed)``.

        :param kind: the interaction kind (or kinds, a tuple) of the bills.
        :param settled_by: the kinds that settle a bill they name in ``bill_id``
            (payments, credit notes, write-offs); each counts by its size, so a
            credit note written -500 or 500 closes 500.
        :param day: settlements up to the end of this day count (default: the
            as-of day); bills issued after it are left out.
        :param since: only bills due on or after this day.

        ``settled`` is every settlement up to the end of ``day``,
        ``settled_by_due`` those made by the end of the due day (paid on the
        due day is on time), ``owed`` what is left (never below 0: an
        overpayment owes nothing). A bill without ``due_on`` or amount is
        left out. One set-based subquery: settlements are summed per bill
        and day first, then joined once.
        """
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        day = self.as_of if day is None else day
        end = self.at(day, 1)
        i = self.tables.interactions.alias(f"{name}_bill")
        p = self.tables.interactions.alias(f"{name}_settlement")
        due = self.attribute(i, "due_on", "date")
        where = [i.c.kind.in_(kinds), due.is_not(None), i.c.amount.is_not(None),
                 i.c.occurred_at < end]
        if since is not None:
            where.append(due >= literal(since, Date))
        issued = (
            select(i.c.id, i.c.customer_id, i.c.manager_id, i.c.occurred_at.label("issued_at"),
                   i.c.amount, due.label("due_on"), i.c.attributes)
            .where(*where)
            .subquery(f"{name}_issued")
        )
        # Fields are projected in a subquery first: PostgreSQL does not group by
        # two JSON lookups with their own parameters as one expression.
        moves = (
            select(self.attribute(p, "bill_id").label("bill_id"),
                   self.date_of(p.c.occurred_at).label("day"),
                   func.abs(p.c.amount).label("amount"))
            .where(p.c.kind.in_(tuple(settled_by)), p.c.occurred_at < end,
                   p.c.amount.is_not(None))
            .subquery(f"{name}_moves")
        )
        # Settlements summed per bill and day first (one pass, grouped: SQLite
        # indexes the result), then joined to the bills by id: never a bill
        # looked up by a JSON expression for each settlement.
        daily = (
            select(moves.c.bill_id, moves.c.day, func.sum(moves.c.amount).label("amount"))
            .group_by(moves.c.bill_id, moves.c.day)
            .subquery(f"{name}_daily")
        )
        per_bill = (
            select(issued.c.id.label("bill_id"),
                   func.sum(daily.c.amount).label("settled"),
                   func.sum(case((daily.c.day <= issued.c.due_on, daily.c.amount), else_=0))
                   .label("settled_by_due"))
            .select_from(issued.join(daily, daily.c.bill_id == issued.c.id))
            .group_by(issued.c.id)
            .subquery(f"{name}_settled")
        )
        b = issued.c
        settled = func.coalesce(per_bill.c.settled, 0)
        owed = case((b.amount - settled > 0, b.amount - settled), else_=0)
        return (
            select(b.id, b.customer_id, b.manager_id, b.issued_at, b.amount, b.due_on,
                   b.attributes, settled.label("settled"),
                   func.coalesce(per_bill.c.settled_by_due, 0).label("settled_by_due"),
                   owed.label("owed"))
            .select_from(issued.outerjoin(per_bill, per_bill.c.bill_id == b.id))
            .subquery(name)
        )
