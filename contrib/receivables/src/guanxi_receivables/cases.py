"""The receivables approvals, run by the core's case chains.

- ``receivables.credit`` (REC-POLICY): an invoice past the customer's credit
  limit or credit period opens a case when it is saved: what the customer
  owes with it (every invoice up to its moment, less every payment, credit
  note and write-off) above the grade's limit, or a due day further from
  the invoice day than the grade's credit period. The owner's superior
  approves, then the credit manager (信用管理).
- ``receivables.legal`` (REC-COLLECT, stage 5): a ``legal_request`` the
  manager records at 90 days past due opens a case the owner's superior
  and then the legal counsel approve before legal action is taken.

Each step has ``[receivables.approval] hours``; a role nobody holds falls
to the case's owner (docs/cases.md).
"""

from __future__ import annotations

from guanxi import CasePolicy, CaseStep
from sqlalchemy import func, select

from guanxi_receivables.ledger import grade, per_grade
from guanxi_receivables.options import INVOICE, LEGAL_REQUEST, SETTLEMENTS


def exposure(ctx, interactions):
    """What the customer of ``interactions`` owes at its moment, the row itself in."""
    i = ctx.tables.interactions.alias("credit_exposure")
    # The kind compared as an expression (|| ''): each lookup then goes by the
    # customer's index; on the (kind, occurred_at) index SQLite read every
    # invoice before the moment, for each invoice saved.
    invoiced = (select(func.coalesce(func.sum(i.c.amount), 0))
                .where(i.c.customer_id == interactions.c.customer_id, i.c.kind.concat("") == INVOICE,
                       i.c.occurred_at <= interactions.c.occurred_at)
                .scalar_subquery())
    s = ctx.tables.interactions.alias("credit_settled")
    settled = (select(func.coalesce(func.sum(func.abs(s.c.amount)), 0))
               .where(s.c.customer_id == interactions.c.customer_id,
                      s.c.kind.concat("").in_(SETTLEMENTS),
                      s.c.occurred_at <= interactions.c.occurred_at)
               .scalar_subquery())
    return invoiced - settled


def past_policy(ctx, customers, interactions):
    """An invoice above the grade's limit or beyond its credit period (REC-POLICY)."""
    g = grade(ctx, customers.c.id)
    term = ctx.days_between(interactions.c.occurred_at,
                            ctx.attribute(interactions, "due_on", "date"))
    return (exposure(ctx, interactions) > per_grade(ctx, g, "credit.limit")) | (
        term > per_grade(ctx, g, "credit.period_days"))


def policies(cfg) -> list:
    hours = cfg["approval.hours"]
    return [
        CasePolicy(
            name="receivables.credit", title="Credit exception",
            description="REC-POLICY: an invoice past the customer's credit limit or credit period "
                        "(by its 3C grade) is approved by the owner's superior, then the credit "
                        "manager.",
            opens_on=(INVOICE,), applies_to=past_policy,
            steps=(CaseStep(name="superior", role="reports_to", limit_hours=hours),
                   CaseStep(name="credit_manager", role="credit manager", limit_hours=hours))),
        CasePolicy(
            name="receivables.legal", title="Legal action",
            description="REC-COLLECT: legal action on a debt 90 days past due, asked for with a "
                        "legal_request; approved by the owner's superior, then the legal counsel.",
            opens_on=(LEGAL_REQUEST,),
            steps=(CaseStep(name="superior", role="reports_to", limit_hours=hours),
                   CaseStep(name="legal_counsel", role="legal counsel", limit_hours=hours))),
    ]
