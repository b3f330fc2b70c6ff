"""Reading cases back: one case, a listing (VIP cases first), a case's events.

Part of the SLA case machine (:mod:`guanxi.service.cases`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

# role_person and hours_between_sql live in the query kit (ctx.role_person,
# ctx.hours_between); the old names stay here for the core's callers.
from guanxi.errors import NotFoundError, UsageError
from guanxi.service.case_words import STATES
from guanxi.service.case_scope import first_order
from guanxi.service.case_records import Case, CaseEvent
from guanxi.storage import service_tables as st



# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def _case(row, policies: Mapping) -> Case:
    data = dict(row._mapping)
    policy = policies.get(data["policy"])
    steps = policy.steps if policy is not None else ()
    data["step_name"] = steps[data["step"]].name if data["step"] < len(steps) else None
    data["warned"] = bool(data["warned"])
    data["breached"] = bool(data["breached"])
    return Case(**data)


def load_case(conn, rt, case_id: int) -> Case:
    row = conn.execute(select(st.cases).where(st.cases.c.id == case_id)).first()
    if row is None:
        raise NotFoundError(f"no case with id {case_id}")
    return _case(row, rt.plugins.case_policies(rt.facade))


def list_cases(conn, rt, *, policy=None, owner=None, state=None, customer=None,
               limit=None, offset=None, scope=None) -> list[Case]:
    c = st.cases
    policies = rt.plugins.case_policies(rt.facade)
    # 绿色通道: cases a policy's first_when selects (a VIP's) come first.
    query = select(c).order_by(*first_order(rt, policies), c.c.id)
    if policy:
        query = query.where(c.c.policy == policy)
    if owner:
        query = query.where(c.c.owner_id == owner)
    if state:
        if state not in STATES:
            raise UsageError(f"unknown case state {state!r}; use one of: {', '.join(STATES)}")
        query = query.where(c.c.state == state)
    if customer:
        query = query.where(c.c.customer_id == customer)
    if scope is not None and scope.case_condition(c) is not None:
        query = query.where(scope.case_condition(c))
    if offset:
        query = query.offset(offset)
    if limit:
        query = query.limit(limit)
    return [_case(row, policies) for row in conn.execute(query)]


def case_events(conn, case_id: int) -> list[CaseEvent]:
    e = st.case_events
    rows = conn.execute(select(e).where(e.c.case_id == case_id).order_by(e.c.at, e.c.id))
    return [CaseEvent(**dict(r._mapping)) for r in rows]
