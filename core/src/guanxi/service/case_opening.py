"""Opening cases: from saved interactions of a policy's kinds, or one at a time, with their due times.

Part of the SLA case machine (:mod:`guanxi.service.cases`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import (
    Column,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)

# role_person and hours_between_sql live in the query kit (ctx.role_person,
# ctx.hours_between); the old names stay here for the core's callers.
from guanxi.engines.running import temp_table
from guanxi.errors import NotFoundError, UsageError
from guanxi.service.case_clock import Clock, add_hours_sql, case_territory, has_event
from guanxi.service.case_records import case_policies
from guanxi.service.case_scope import opens_for
from guanxi.service.case_tick import tick
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t



# ---------------------------------------------------------------------------
# opening
# ---------------------------------------------------------------------------






def fill_due_times(conn, rt, policy, where) -> None:
    """Response, resolution and first-step due times of just-opened cases.

    Calendar time is one UPDATE; working time is counted per case in
    Python with the business calendar (cases are few).
    """
    c = st.cases
    first_limit = policy.steps[0].limit_hours if policy.steps else None
    targets = {"response_due_at": policy.response_hours,
               "resolution_due_at": policy.resolution_hours}
    targets = {k: v for k, v in targets.items() if v is not None}
    if not targets and first_limit is None:
        return
    if not policy.working_time:
        values = due_times_sql(rt.dialect, policy, c.c.opened_at, c.c.resolved_at)
        conn.execute(update(c).where(where).values(**values))
        return
    clock = Clock(rt, policy)
    rows = conn.execute(select(c.c.id, c.c.opened_at, c.c.resolved_at,
                               case_territory().label("territory")).where(where)).all()
    changes = []
    for r in rows:
        values = {k: clock.add(r.opened_at, h, r.territory) for k, h in targets.items()}
        if first_limit is not None and r.resolved_at is None:
            values["step_due_at"] = clock.add(r.opened_at, first_limit, r.territory)
        changes.append({"case": r.id, **values})
    _update_each(conn, changes)


def due_times_sql(dialect: str, policy, opened_at, resolved_at) -> dict:
    """Column -> SQL of a calendar-time policy's due times for a case opened
    at ``opened_at`` (the first step's only while unresolved); empty for a
    policy in working time, whose due times :func:`fill_due_times` counts."""
    if policy.working_time:
        return {}
    values = {column: add_hours_sql(dialect, opened_at, hours)
              for column, hours in (("response_due_at", policy.response_hours),
                                    ("resolution_due_at", policy.resolution_hours))
              if hours is not None}
    if policy.steps and policy.steps[0].limit_hours is not None:
        values["step_due_at"] = case((resolved_at.is_(None),
                                      add_hours_sql(dialect, opened_at,
                                                    policy.steps[0].limit_hours)))
    return values


def _update_each(conn, changes: list[dict]) -> None:
    """One UPDATE per distinct set of columns, executed for many cases."""
    c = st.cases
    by_columns: dict[tuple, list] = {}
    for change in changes:
        by_columns.setdefault(tuple(sorted(k for k in change if k != "case")), []).append(change)
    for columns, rows in by_columns.items():
        statement = update(c).where(c.c.id == bindparam("case")).values(
            {name: bindparam(name) for name in columns})
        conn.execute(statement, rows)


def _record_opened(conn, where, note) -> None:
    """The ``opened`` event of each new case, and for cases the source system
    already resolved, their ``resolve`` and ``close``."""
    c, e = st.cases, st.case_events
    new = and_(where, ~has_event("opened"))
    conn.execute(insert(e).from_select(
        ["case_id", "at", "actor_id", "action", "to_owner", "note"],
        select(c.c.id, c.c.opened_at, c.c.owner_id, literal("opened"), c.c.owner_id, note)
        .where(new).order_by(c.c.id),
    ))
    for action, column in (("resolve", c.c.resolved_at), ("close", c.c.closed_at)):
        conn.execute(insert(e).from_select(
            ["case_id", "at", "action", "note"],
            select(c.c.id, column, literal(action), literal("resolved in the source system"))
            .where(where, column.is_not(None), ~has_event(action)).order_by(c.c.id),
        ))


def _analyze(conn, table) -> None:
    """PostgreSQL: statistics for a work table just filled.

    Autovacuum never analyzes a temporary table; without statistics the
    planner takes a few hundred saved rows for thousands and scans every
    case and case event to join them, per batch of an import.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def open_from_interactions(conn, rt, interaction_ids: Iterable[str] | None = None) -> int:
    """Open a case for each interaction of a policy's kinds that has none yet.

    One INSERT ... SELECT per policy, over every interaction or, when
    ``interaction_ids`` is given (the rows a save just wrote), over those,
    put in a work table so that the statements join them however many
    there are. The owner is the interaction's manager, who first received
    it, else the customer's owner; the case opens when the interaction
    occurred. An interaction the source system already resolved
    (``resolved_at``) opens a case closed at that moment, with no callback
    asked: its clocks still count for the KPIs.
    """
    c, i, cu = st.cases, t.interactions, t.customers
    saved = mine_ids = None
    if interaction_ids is not None:
        ids = list(dict.fromkeys(interaction_ids))
        if not ids:
            return 0
        saved = temp_table("guanxi_saved_interactions", Column("id", t.Key, primary_key=True))
        mine_ids = temp_table("guanxi_saved_cases",
                              Column("id", Integer, primary_key=True, autoincrement=False))
        for table in (saved, mine_ids):
            table.drop(conn, checkfirst=True)
            table.create(conn)
        conn.execute(insert(saved), [{"id": x} for x in ids])
        _analyze(conn, saved)
    before = conn.execute(select(func.coalesce(func.max(c.c.id), 0))).scalar_one()
    for policy in case_policies(rt).values():
        if not policy.opens_on:
            continue
        chosen = [i.c.kind.in_(policy.opens_on), opens_for(rt, policy, cu, i)]
        mine = [c.c.policy == policy.name, c.c.interaction_id.is_not(None)]
        if saved is not None:
            # The saved rows lead, each found by its key: on an index of
            # kind, SQLite would walk every complaint ever imported for each
            # batch of a big import (226 of 300 s at a million customers).
            # ``|| ''`` keeps the same rows and takes that index away.
            chosen = [i.c.kind.concat("").in_(policy.opens_on),
                      i.c.id.in_(select(saved.c.id)), opens_for(rt, policy, cu, i)]
        has_case = exists().where(c.c.policy == policy.name, c.c.interaction_id == i.c.id)
        owner = func.coalesce(i.c.manager_id, cu.c.manager_id)
        done = i.c.resolved_at
        # Calendar-time due times are written with the row: an UPDATE after
        # the INSERT rewrote every new case (historical complaints by the
        # hundred thousand in a first import).
        due = due_times_sql(rt.dialect, policy, i.c.occurred_at, done)
        conn.execute(insert(c).from_select(
            ["policy", "customer_id", "interaction_id", "owner_id", "state", "level", "step",
             "opened_at", "responded_at", "resolved_at", "closed_at", "paused_hours",
             "warned", "breached", *due],
            select(literal(policy.name), i.c.customer_id, i.c.id, owner,
                   case((done.is_(None), literal("open")), else_=literal("closed")),
                   literal(1), literal(0), i.c.occurred_at, done, done, done,
                   literal(0.0), literal(False), literal(False), *due.values())
            .select_from(i.outerjoin(cu, cu.c.id == i.c.customer_id))
            .where(*chosen, ~has_case)
            .order_by(i.c.id),
        ))
        if saved is not None:
            # This policy's cases of the saved interactions, by case id: the
            # statements below then look each one up instead of scanning
            # every case of the policy (or every closed one) per batch.
            conn.execute(mine_ids.delete())
            conn.execute(insert(mine_ids).from_select(
                ["id"],
                select(c.c.id).select_from(saved.join(
                    c, and_(c.c.policy == policy.name, c.c.interaction_id == saved.c.id))),
            ))
            _analyze(conn, mine_ids)
            mine = [c.c.id.in_(select(mine_ids.c.id))]
        new = and_(*mine, ~has_event("opened"))
        if policy.working_time:
            fill_due_times(conn, rt, policy, new)
        # A case the source system closed has its breaches recorded now:
        # its clocks are done, so no later tick looks at it. (``|| ''``: on
        # the index of state SQLite would read every closed case, not these.)
        state = c.c.state.concat("") if saved is not None else c.c.state
        closed = and_(new, state == "closed")
        if conn.execute(select(c.c.id).where(closed).limit(1)).first() is not None:
            tick(conn, rt, rt.now(), closed, all_resolved=True)
        _record_opened(conn, and_(*mine), literal("interaction ") + c.c.interaction_id)
    if saved is not None:
        saved.drop(conn)
        mine_ids.drop(conn)
    return conn.execute(select(func.count()).where(c.c.id > before)).scalar_one()


def open_one(conn, rt, policy, customer_id: str, owner_id: str | None,
             opened_at: dt.datetime, summary: str | None) -> int:
    """Open one case through the API; returns its id."""
    cu, m, c = t.customers, t.managers, st.cases
    owner_of = conn.execute(select(cu.c.manager_id).where(cu.c.id == customer_id)).first()
    if owner_of is None:
        raise NotFoundError(f"no customer with id {customer_id!r}")
    owner_id = owner_id or owner_of.manager_id
    if owner_id is None:
        raise UsageError(f"customer {customer_id!r} has no owner; name the case's owner")
    if conn.execute(select(m.c.id).where(m.c.id == owner_id)).first() is None:
        raise NotFoundError(f"no manager with id {owner_id!r}")
    case_id = conn.execute(insert(c).values(
        policy=policy.name, customer_id=customer_id, owner_id=owner_id, state="open", level=1,
        step=0, opened_at=opened_at, paused_hours=0.0, warned=False, breached=False,
        summary=summary,
    )).inserted_primary_key[0]
    fill_due_times(conn, rt, policy, c.c.id == case_id)
    _record_opened(conn, c.c.id == case_id, literal(summary, String))
    return case_id
