"""A customer's ledger and credit archive (REC-LEDGER: 应收账款台账, 资信调查).

What ``guanxi receivables ledger ID`` prints and the 360° panel shows:
every invoice, payment, credit note, write-off and legal request of one
customer in the order they happened, each invoice with what it still owes,
its days past due and its aging bucket; and the customer's 3C grade with
its reason and the credit policy of that grade. A few indexed lookups for
one customer: never a scan of the base.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from guanxi_receivables.ledger import bucket, invoices
from guanxi_receivables.options import GRADES, LEDGER_KINDS, LEGAL_REQUEST, RATING

COLUMNS = ["day", "kind", "id", "invoice", "contract", "amount", "due_on", "owed",
           "days_past_due", "bucket"]


def ledger(ws, customer_id: str, as_of: dt.date | None = None) -> list[dict]:
    """The customer's ledger rows up to the end of ``as_of`` (default: today), oldest first."""
    ws.customer(customer_id)  # a NotFoundError naming the id
    ctx = ws.query_context("receivables", as_of=as_of)
    i = ctx.tables.interactions
    b = invoices(ctx, name="ledger_invoices")
    late = ctx.days_past_due(b.c.due_on)
    query = (
        select(i.c.occurred_at, i.c.kind, i.c.id, ctx.attribute(i, "bill_id").label("invoice"),
               ctx.attribute(i, "contract").label("contract"), i.c.amount,
               ctx.attribute(i, "due_on", "date").label("due_on"), b.c.owed,
               late.label("days_past_due"), bucket(ctx, b.c.due_on, ctx.as_of).label("bucket"))
        .select_from(i.outerjoin(b, b.c.id == i.c.id))
        .where(i.c.customer_id == customer_id, i.c.kind.in_((*LEDGER_KINDS, LEGAL_REQUEST)),
               i.c.occurred_at < ctx.at(ctx.as_of, 1))
        .order_by(i.c.occurred_at, i.c.id)
    )
    with ws.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        at = row.pop("occurred_at")
        row["day"] = at.date() if isinstance(at, dt.datetime) else at
        if row["kind"] != "invoice":
            row.update(owed=None, days_past_due=None, bucket=None)
        elif not row["owed"]:
            row.update(days_past_due=None, bucket=None)  # settled: no longer ages
        elif isinstance(row["due_on"], str):
            row["due_on"] = dt.date.fromisoformat(row["due_on"])
    return rows


def credit(ws, customer_id: str) -> dict:
    """The customer's 3C grade, its reason and its grade's policy (REC-3C, REC-POLICY)."""
    cfg = ws.settings["receivables"]
    rated = next((s for s in ws.labels(customer_id) if s.segmentation == RATING), None)
    grade = rated.label if rated else cfg["credit.unrated"]
    n = GRADES.index(grade)
    return {"grade": grade, "rated": rated is not None,
            "reason": rated.reason if rated else "not rated: no invoice in the rating window",
            "standard": cfg["credit.standard"][n], "limit": cfg["credit.limit"][n],
            "period_days": int(cfg["credit.period_days"][n]),
            "discount": cfg["credit.discount"][n], "discount_days": cfg["credit.discount_days"]}


def owed(rows) -> float:
    return sum(float(r["owed"] or 0) for r in rows)
