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
              since: dt.date | None = None, by_due: bool = True, name: str = "bills"):
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
        :param by_due: also sum ``settled_by_due``; ``False`` leaves that
            column out, and with it a lookup of each settlement's bill (what
            an aging or an amount owed needs: a whole-base statement should
            not compute what it does not read).

        ``settled`` is every settlement up to the end of ``day``,
        ``settled_by_due`` those made by the end of the due day (paid on the
        due day is on time), ``owed`` what is left (never below 0: an
        overpayment owes nothing). A bill without ``due_on`` or amount is
        left out. One set-based subquery: settlements are summed per bill
        in one grouped pass, then joined once to the bills.
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
        # Settlements summed per bill in one grouped pass, then joined once to
        # the bills (SQLite indexes the grouped result): never a bill looked
        # up by a JSON expression, nor the bills read twice. The sum by the
        # due day needs each settlement's bill: found by its primary key.
        sums = [func.sum(moves.c.amount).label("settled")]
        source = moves
        if by_due:
            bill = self.tables.interactions.alias(f"{name}_due")
            bill_due = self.attribute(bill, "due_on", "date")
            sums.append(func.sum(case((moves.c.day <= bill_due, moves.c.amount), else_=0))
                        .label("settled_by_due"))
            source = moves.join(bill, bill.c.id == moves.c.bill_id)
        per_bill = (
            select(moves.c.bill_id, *sums)
            .select_from(source)
            .group_by(moves.c.bill_id)
            .subquery(f"{name}_settled")
        )
        b = issued.c
        settled = func.coalesce(per_bill.c.settled, 0)
        owed = case((b.amount - settled > 0, b.amount - settled), else_=0)
        by_due_column = ([func.coalesce(per_bill.c.settled_by_due, 0).label("settled_by_due")]
                         if by_due else [])
        return (
            select(b.id, b.customer_id, b.manager_id, b.issued_at, b.amount, b.due_on,
                   b.attributes, settled.label("settled"), *by_due_column,
                   owed.label("owed"))
            .select_from(issued.outerjoin(per_bill, per_bill.c.bill_id == b.id))
            .subquery(name)
        )
