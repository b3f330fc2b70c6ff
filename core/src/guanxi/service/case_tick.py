"""The tick: every clock moved for a moment, set-based: warnings, breaches and escalation levels as events.

Part of the SLA case machine (:mod:`guanxi.service.cases`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

# role_person and hours_between_sql live in the query kit (ctx.role_person,
# ctx.hours_between); the old names stay here for the core's callers.
from guanxi.engines.running import temp_table
from guanxi.service.case_clock import (
    Clock,
    add_hours_sql,
    case_territory,
    has_event,
    level_person_sql,
    step_person_sql,
    superior_of,
)
from guanxi.service.case_records import IDS_PER_STATEMENT, case_policies
from guanxi.storage import service_tables as st



# ---------------------------------------------------------------------------
# the tick
# ---------------------------------------------------------------------------


def _marks_table():
    return temp_table(
        "guanxi_case_marks",
        Column("case_id", Integer, nullable=False),
        Column("mark", String, nullable=False),
        Column("level", Integer),
        Column("at", DateTime, nullable=False),
    )


def _mark_hours(policy) -> list[tuple[str, int | None, float]]:
    """(mark, level, clock hours from opening) of the moments a tick compares with."""
    marks = []
    warn = policy.warn_before_hours
    if warn is not None:
        for clock, hours in (("response", policy.response_hours),
                             ("resolution", policy.resolution_hours)):
            if hours is not None:
                marks.append(("warn:" + clock, None, max(hours - warn, 0.0)))
    if policy.resolution_hours is not None:
        for e in policy.escalations:
            marks.append(("level", e.level, e.after * policy.resolution_hours))
    return marks


def _fill_marks(conn, rt, policy, marks, running) -> None:
    """The moments of this policy's unresolved cases: warnings and levels.

    A moment is ``hours`` of clock time after opening, plus the time the
    case was paused. Calendar time is one INSERT ... SELECT per moment;
    working time is counted per case in Python (the pauses from the
    case's events).
    """
    c = st.cases
    wanted = _mark_hours(policy)
    if not wanted:
        return
    mine = and_(c.c.policy == policy.name, running)
    if not policy.working_time:
        for mark, level, hours in wanted:
            conn.execute(insert(marks).from_select(
                ["case_id", "mark", "level", "at"],
                select(c.c.id, literal(mark), literal(level, Integer),
                       add_hours_sql(rt.dialect, c.c.opened_at, literal(hours) + c.c.paused_hours))
                .where(mine),
            ))
        return
    clock = Clock(rt, policy)
    rows = conn.execute(select(c.c.id, c.c.opened_at, case_territory().label("territory"))
                        .where(mine)).all()
    paused = _paused_working_hours(conn, clock, {r.id: r.territory for r in rows})
    found = []
    for r in rows:
        for mark, level, hours in wanted:
            found.append({"case_id": r.id, "mark": mark, "level": level,
                          "at": clock.add(r.opened_at, hours + paused.get(r.id, 0.0), r.territory)})
    if found:
        conn.execute(insert(marks), found)


def _paused_working_hours(conn, clock, territories: Mapping[int, Any]) -> dict[int, float]:
    """Working hours each case spent paused, from its pause and resume events."""
    e = st.case_events
    ids = list(territories)
    result: dict[int, float] = {}
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        rows = conn.execute(
            select(e.c.case_id, e.c.action, e.c.at)
            .where(e.c.case_id.in_(ids[start:start + IDS_PER_STATEMENT]), e.c.action.in_(("pause", "resume")))
            .order_by(e.c.case_id, e.c.at, e.c.id)
        ).all()
        since: dict[int, dt.datetime] = {}
        for r in rows:
            if r.action == "pause":
                since[r.case_id] = r.at
            elif r.case_id in since:
                result[r.case_id] = result.get(r.case_id, 0.0) + clock.between(
                    since.pop(r.case_id), r.at, territories[r.case_id])
    return result


def _not_paused_before(moment, strictly: bool = True):
    """The clock was still running at ``moment``: not paused, or paused after it."""
    c = st.cases
    later = c.c.paused_at > moment if strictly else c.c.paused_at >= moment
    return or_(c.c.paused_at.is_(None), later)


def live_cases():
    """Cases a clock can still move: unresolved, or a callback still to make.

    A step's own tick records what was owed before it, so the rest (resolved
    and called back) have nothing left for a tick, and a scheduler's tick
    stays as cheap as the open cases are few.
    """
    c = st.cases
    return or_(c.c.resolved_at.is_(None),
               and_(c.c.callback_due_at.is_not(None), c.c.called_back_at.is_(None)))


def tick(conn, rt, at: dt.datetime, where=None, *, all_resolved: bool = False) -> dict[str, int]:
    """Move the clocks of the cases ``where`` selects (default: the live ones) to ``at``.

    See the module docstring. Set-based: each kind of event is one
    INSERT ... SELECT per policy, and the case flags one UPDATE each.
    Events are dated when they happened (the deadline, the level's moment),
    not when the tick ran, so a late tick records the same history.
    Rerunning a tick records nothing new.

    ``all_resolved``: every case ``where`` selects is resolved (cases the
    source system closed, opened by an import). Warnings, steps and levels
    move only while a case is unresolved, so only the breaches of its
    clocks are left to record: the tick skips the rest, whose statements
    would each read those cases to find nothing.
    """
    c, e = st.cases, st.case_events
    policies = case_policies(rt)
    only = live_cases() if where is None else where
    moment = literal(at, DateTime)
    # Counted from the new events: SQLAlchemy reports no rowcount for an
    # INSERT ... SELECT on psycopg.
    before = conn.execute(select(func.coalesce(func.max(e.c.id), 0))).scalar_one()
    unresolved = and_(only, c.c.resolved_at.is_(None), c.c.state.in_(("open", "paused")))
    marks = _marks_table()
    marks.drop(conn, checkfirst=True)
    marks.create(conn)
    columns = ["case_id", "at", "action", "step", "to_owner", "level"]

    def record(query) -> None:
        conn.execute(insert(e).from_select(columns, query))

    for policy in policies.values() if not all_resolved else ():
        _fill_marks(conn, rt, policy, marks, unresolved)

    # Warnings: in the warning window, the deadline not yet past, once per clock.
    for clock, done, due in (("response", c.c.responded_at, c.c.response_due_at),
                             ("resolution", c.c.resolved_at, c.c.resolution_due_at)
                             ) if not all_resolved else ():
        record(select(
            c.c.id, marks.c.at, literal("warn"), literal(clock), c.c.owner_id,
            literal(None, Integer))
            .select_from(marks.join(c, c.c.id == marks.c.case_id))
            .where(marks.c.mark == "warn:" + clock, marks.c.at <= moment, moment <= due,
                   done.is_(None), _not_paused_before(marks.c.at, strictly=False),
                   ~has_event("warn", step=clock))
            .order_by(c.c.id))

    # Breaches of the response, resolution and callback clocks: once per case.
    for clock, done, due in (("response", c.c.responded_at, c.c.response_due_at),
                             ("resolution", c.c.resolved_at, c.c.resolution_due_at),
                             ("callback", c.c.called_back_at, c.c.callback_due_at)):
        missed = or_(and_(done.is_(None), moment > due, _not_paused_before(due)), done > due)
        record(select(
            c.c.id, due, literal("breach"), literal(clock), c.c.owner_id, literal(None, Integer))
            .where(only, due.is_not(None), missed, ~has_event("breach", step=clock))
            .order_by(c.c.id))

    # A step past its limit: a breach for whoever must act, an escalation
    # to their superior; once per pass through the step. No level: levels
    # belong to the resolution clock.
    for policy in policies.values() if not all_resolved else ():
        for index, step in enumerate(policy.steps):
            if step.limit_hours is None:
                continue
            person = step_person_sql(policy, index, c.c.owner_id)
            late = and_(unresolved, c.c.policy == policy.name, c.c.step == index,
                        c.c.step_due_at.is_not(None), moment > c.c.step_due_at,
                        _not_paused_before(c.c.step_due_at))
            record(select(
                c.c.id, c.c.step_due_at, literal("breach"), literal(step.name), person,
                literal(None, Integer))
                .where(late, ~has_event("breach", step=step.name, at=c.c.step_due_at))
                .order_by(c.c.id))
            above = func.coalesce(superior_of(person), superior_of(c.c.owner_id), c.c.owner_id)
            record(select(
                c.c.id, c.c.step_due_at, literal("escalate"), literal(step.name), above,
                literal(None, Integer))
                .where(late, ~has_event("escalate", step=step.name, at=c.c.step_due_at))
                .order_by(c.c.id))

    # Escalation levels, in order, so that a case two levels behind gets
    # both events in this tick.
    for policy in policies.values() if not all_resolved else ():
        for escalation in policy.escalations:
            level = escalation.level
            reached = and_(
                unresolved, c.c.policy == policy.name, c.c.level == level - 1,
                marks.c.mark == "level", marks.c.level == level, moment > marks.c.at,
                _not_paused_before(marks.c.at))
            record(select(
                c.c.id, marks.c.at, literal("escalate"), literal(None, String),
                level_person_sql(policy, level, c.c.id, c.c.owner_id), literal(level))
                .select_from(marks.join(c, c.c.id == marks.c.case_id))
                .where(reached, ~has_event("escalate", level=level))
                .order_by(c.c.id))
            conn.execute(update(c).where(
                only, c.c.policy == policy.name, c.c.level == level - 1,
                has_event("escalate", level=level)).values(level=level))

    if not all_resolved:
        conn.execute(update(c).where(only, c.c.warned.is_(False), has_event("warn"))
                     .values(warned=True))
    conn.execute(update(c).where(only, c.c.breached.is_(False), has_event("breach"))
                 .values(breached=True))
    marks.drop(conn)
    made = dict(conn.execute(select(e.c.action, func.count()).where(e.c.id > before)
                             .group_by(e.c.action)).all())
    return {"warnings": made.get("warn", 0), "breaches": made.get("breach", 0),
            "escalations": made.get("escalate", 0)}
