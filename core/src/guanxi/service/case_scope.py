"""Which customers a case policy serves, and whose cases list first.

Two optional parts of a :class:`~guanxi.CasePolicy`, each a SQL condition a
pack builds from the core's tables:

- ``applies_to(ctx, customers, interactions)``: which interactions of the
  policy's kinds open its cases, among those of customers the policy's pack
  serves: a pack with a customer filter (``guanxi_customer_filters``)
  never opens a case for another pack's customer, whatever its condition
  (the power pack's complaint policies and a bank's customer's complaint). Policies that split one kind between them
  (a VIP's complaint with the VIP limits and everyone else's, a repair
  whose arrival limit depends on the customer's area) each open the
  interactions their condition selects; a condition that is NULL for a
  row (a missing field) does not select it.
- ``first_when(ctx, customers)``: cases whose customer meets it sort before the
  others in every listing (``guanxi cases list``, ``Workspace.cases``,
  the web workspace): 绿色通道, VIP requests first (POWER-COMPLAINT).
  Then by id, as before.

``ctx`` is the policy's pack's query context (``build_context(rt, pack, today)``), for
``ctx.attribute`` (a declared field such as the customer's area) and the
other helpers of the query kit. The case machine builds these conditions
inside its own transactions, where nothing else may write: the working days
are the ones the last batch built.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_, case, exists, literal, or_

from guanxi.engines.running import build_context
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t


def opens_for(rt, policy, customers, interactions):
    """The policy's condition on an interaction (and its customer) to open a case:
    a customer its pack serves, and its ``applies_to``."""
    ctx = build_context(rt, policy.pack, rt.today())
    served = ctx.served(customers.c.id)
    if policy.applies_to is None:
        return served
    return and_(served, policy.applies_to(ctx, customers, interactions))


def first_order(rt, policies: Mapping) -> list:
    """ORDER BY terms that put the cases ``first_when`` selects first (empty when none asks)."""
    c = st.cases
    firsts = [(name, p) for name, p in sorted(policies.items())
              if getattr(p, "first_when", None) is not None]
    if not firsts:
        return []
    cu = t.customers.alias("first_customer")
    conditions = [
        (c.c.policy == name) & exists().where(
            cu.c.id == c.c.customer_id, p.first_when(build_context(rt, p.pack, rt.today()), cu))
        for name, p in firsts
    ]
    return [case((or_(*conditions), literal(0)), else_=literal(1))]
