"""SLA cases: the clock machine behind complaints, quality cases and repairs.

A pack declares a :class:`~guanxi.CasePolicy`; a case of it opens when an
interaction of one of its ``opens_on`` kinds is saved (or through
:meth:`Workspace.open_case`). Its owner is whoever first received it
(首问负责制, POWER-COMPLAINT): the interaction's manager, else the
customer's owner. Each case has up to four clocks, each a due time stored
on the case:

* **response** and **resolution**, from opening;
* **step**, the time limit of the current approval step (TOB-QUALITY);
* **callback**, from resolving: the owner calls the customer back.

Clocks run in calendar hours, or in working hours of the business calendar
(``working_time``) of the customer's territory. A pause (the customer is
awaited) stops them: on resume every due time still ahead of the pause
moves by the paused time.

:func:`tick` moves every clock for a moment, set-based: warnings before a
deadline, breaches past it, escalation levels past multiples of the
resolution target, each an event with who and when. It does nothing else:
the tasks come from the core's service rules (:mod:`guanxi.builtin.case_rules`)
that read these events. A deadline is *past* when the moment is strictly
after it: a case resolved exactly at its target is on time.

Every step by a person (:func:`apply_step`) first ticks that one case up to
the step's moment, so that what the clocks owed before the step is recorded
before the step changes them (a pause after an unrecorded breach keeps the
breach).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    Interval,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)

# role_person and hours_between_sql live in the query kit (ctx.role_person,
# ctx.hours_between); the old names stay here for the core's callers.
from guanxi.engines.context_sql import hours_between_sql, role_person  # noqa: F401
from guanxi.engines.context_sql import minute_text_sql as minute_text  # noqa: F401
from guanxi.engines.running import temp_table
from guanxi.errors import GuanxiError, NotFoundError, PackError, UsageError
from guanxi.service.case_words import ACTIONS, CLOCKS, STATES  # noqa: F401 (public names)
from guanxi.service.case_scope import first_order, opens_for
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t

#: The rules that turn breaches, escalations and callbacks into tasks.
CASE_RULES = ("core.case_breach", "core.case_escalation", "core.case_callback")

# The case ids one IN list carries: under every SQLite's parameter limit.
_CHUNK = 500


# ---------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CaseEvent:
    """One line of a case's history: who did what when (``actor_id`` None: the clock)."""

    id: int
    case_id: int
    at: dt.datetime
    action: str
    actor_id: str | None = None
    step: str | None = None
    from_owner: str | None = None
    to_owner: str | None = None
    level: int | None = None
    note: str | None = None

    def as_json(self) -> dict:
        return {"at": self.at, "action": self.action, "actor_id": self.actor_id,
                "step": self.step, "from_owner": self.from_owner, "to_owner": self.to_owner,
                "level": self.level, "note": self.note}


@attrs.frozen(kw_only=True)
class Case:
    """A case as stored, with the name of its current approval step."""

    id: int
    policy: str
    customer_id: str
    interaction_id: str | None
    owner_id: str | None
    state: str
    level: int
    step: int
    opened_at: dt.datetime
    responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    called_back_at: dt.datetime | None = None
    paused_at: dt.datetime | None = None
    paused_hours: float = 0.0
    response_due_at: dt.datetime | None = None
    resolution_due_at: dt.datetime | None = None
    callback_due_at: dt.datetime | None = None
    step_due_at: dt.datetime | None = None
    warned: bool = False
    breached: bool = False
    summary: str | None = None
    #: the current approval step's name; None when the chain is complete or absent.
    step_name: str | None = None

    @property
    def due_at(self) -> dt.datetime | None:
        """The next deadline that applies: the soonest clock still running.

        Before resolution: the response (until responded), the current step
        and the resolution; after it: the callback until called back.
        """
        if self.resolved_at is None:
            running = [self.step_due_at, self.resolution_due_at]
            if self.responded_at is None:
                running.append(self.response_due_at)
        else:
            running = [self.callback_due_at] if self.called_back_at is None else []
        running = [d for d in running if d is not None]
        return min(running) if running else None

    def as_json(self) -> dict:
        """The stable shape of ``guanxi cases list --format json``."""
        return {"id": self.id, "policy": self.policy, "customer_id": self.customer_id,
                "owner_id": self.owner_id, "state": self.state, "level": self.level,
                "opened_at": self.opened_at, "responded_at": self.responded_at,
                "resolved_at": self.resolved_at, "due_at": self.due_at,
                "breached": self.breached}


@attrs.frozen(kw_only=True)
class TickResult:
    """What one tick recorded, and the tasks the case rules made of it."""

    at: dt.datetime
    warnings: int
    breaches: int
    escalations: int
    rules: list = attrs.field(factory=list)

    def as_json(self) -> dict:
        return {"at": self.at, "warnings": self.warnings, "breaches": self.breaches,
                "escalations": self.escalations, "rules": [r.as_json() for r in self.rules]}


# ---------------------------------------------------------------------------
# policies
# ---------------------------------------------------------------------------


def _check_policy(policy) -> None:
    def fail(what: str):
        raise PackError(f"case policy {policy.name!r} of pack {policy.pack!r} {what}")

    for name in ("response_hours", "resolution_hours", "callback_hours", "warn_before_hours"):
        value = getattr(policy, name)
        if value is not None and value < 0:
            fail(f"has {name} = {value}; it must be at least 0")
    names = [s.name for s in policy.steps]
    for step in policy.steps:
        if step.name in CLOCKS:
            fail(f"names a step {step.name!r}, the name of a clock; rename the step")
        if names.count(step.name) > 1:
            fail(f"names the step {step.name!r} twice")
        if step.limit_hours is not None and step.limit_hours <= 0:
            fail(f"gives the step {step.name!r} a limit of {step.limit_hours} hours; "
                 "it must be more than 0")
    levels = [e.level for e in policy.escalations]
    if levels != list(range(2, 2 + len(levels))):
        fail(f"has escalation levels {levels}; they must be 2, 3, ... in order, none skipped")
    afters = [e.after for e in policy.escalations]
    if any(a <= 0 for a in afters) or any(b <= a for a, b in zip(afters, afters[1:])):
        fail(f"has escalations after {afters} times the resolution target; each must be "
             "more than 0 and more than the level before")


def case_policies(ws) -> dict:
    """Every enabled pack's case policies by name, each checked.

    The core's policies are the fallback: they open no case for an
    interaction kind a pack's policy opens on (a bank's complaint policy
    replaces the generic one; a complaint never opens two cases).
    """
    policies = dict(ws.plugins.case_policies(ws))
    claimed = {kind for p in policies.values() if p.pack != "core" for kind in p.opens_on}
    for name, policy in policies.items():
        _check_policy(policy)
        if policy.pack == "core" and claimed.intersection(policy.opens_on):
            kept = tuple(kind for kind in policy.opens_on if kind not in claimed)
            policies[name] = attrs.evolve(policy, opens_on=kept)
    return policies


def policy_named(ws, name: str):
    policies = case_policies(ws)
    if name not in policies:
        raise UsageError(
            f"unknown case policy {name!r}; known: {', '.join(policies) or 'none'}"
        )
    return policies[name]


def escalation_role(policy, level: int) -> str:
    """Who a level goes to: the policy's role for it, else the next one up."""
    for e in policy.escalations:
        if e.level == level:
            return e.role
    return "reports_to"


# ---------------------------------------------------------------------------
# time, in SQL and in Python
# ---------------------------------------------------------------------------


def add_hours_sql(dialect: str, expr, hours):
    """``expr`` plus ``hours`` (a number or SQL), to the second, as a stored datetime.

    On SQLite the text is written in SQLAlchemy's own format
    (``2026-11-23 09:00:00.000000``), so that it compares as text with the
    datetimes Python wrote.
    """
    seconds = func.round(hours * 3600)
    if dialect == "sqlite":
        shifted = func.strftime("%Y-%m-%d %H:%M:%f", expr,
                                cast(cast(seconds, Integer), String) + literal(" seconds"),
                                type_=String)
        return type_coerce(shifted + literal("000"), DateTime)
    return type_coerce(expr + func.make_interval(0, 0, 0, 0, 0, 0, cast(seconds, Float),
                                                 type_=Interval), DateTime)


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600.0


class Clock:
    """Calendar or working hours for one policy, as the Python side counts them.

    Working time comes from the business calendar of the customer's
    territory (``Workspace.calendar``); calendars are kept for the job.
    """

    def __init__(self, ws, policy) -> None:
        self.ws = ws
        self.policy = policy
        self._calendars: dict[Any, Any] = {}

    def _calendar(self, territory):
        if territory not in self._calendars:
            if not hasattr(self.ws, "calendar"):
                raise GuanxiError(
                    f"case policy {self.policy.name!r} counts working time, which needs the "
                    "business calendar; this guanxi has none"
                )
            self._calendars[territory] = self.ws.calendar(territory)
        return self._calendars[territory]

    def add(self, start: dt.datetime, hours: float, territory=None) -> dt.datetime:
        """The moment ``hours`` of clock time after ``start``."""
        if not self.policy.working_time:
            return start + dt.timedelta(seconds=round(hours * 3600))
        return self._calendar(territory).add_working_hours(start, hours)

    def between(self, start: dt.datetime, end: dt.datetime, territory=None) -> float:
        """Clock hours from ``start`` to ``end``."""
        if not self.policy.working_time:
            return _hours(end - start)
        return self._calendar(territory).working_hours_between(start, end)


# ---------------------------------------------------------------------------
# roles: who a step or a level goes to
# ---------------------------------------------------------------------------


def _superior(person):
    m = t.managers.alias("superior")
    return select(m.c.reports_to).where(m.c.id == person).scalar_subquery()


def step_person_sql(policy, index: int, owner):
    """Who must act on step ``index``; the owner when its role resolves to nobody."""
    return func.coalesce(role_person(policy.steps[index].role, owner), owner)


def level_person_sql(policy, level: int, case_id, owner):
    """Who level ``level`` goes to.

    ``reports_to`` climbs one step from whoever the level before went to
    (the owner for level 2), so level 3 reaches the superior's superior;
    at the top it stays with the last one found. Another role resolves from
    the owner, falling back to the owner.
    """
    role = escalation_role(policy, level)
    if role != "reports_to":
        return func.coalesce(role_person(role, owner), owner)
    e = st.case_events.alias("level_before")
    # Correlated to the outer query's cases by name: nested inside
    # _superior's subquery, SQLAlchemy would otherwise correlate it to that
    # subquery only, and every case would climb from the last level-2 event
    # of any case.
    before = (
        select(e.c.to_owner)
        .where(e.c.case_id == case_id, e.c.action == "escalate", e.c.step.is_(None),
               e.c.level == level - 1)
        .order_by(e.c.id.desc())
        .limit(1)
        .correlate_except(e)
        .scalar_subquery()
    )
    base = func.coalesce(before, owner) if level > 2 else owner
    return func.coalesce(_superior(base), base)


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


def load_case(conn, ws, case_id: int) -> Case:
    row = conn.execute(select(st.cases).where(st.cases.c.id == case_id)).first()
    if row is None:
        raise NotFoundError(f"no case with id {case_id}")
    return _case(row, ws.plugins.case_policies(ws))


def list_cases(conn, ws, *, policy=None, owner=None, state=None, customer=None,
               limit=None, offset=None, scope=None) -> list[Case]:
    c = st.cases
    policies = ws.plugins.case_policies(ws)
    # 绿色通道: cases a policy's first_when selects (a VIP's) come first.
    query = select(c).order_by(*first_order(ws, policies), c.c.id)
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


# ---------------------------------------------------------------------------
# opening
# ---------------------------------------------------------------------------


def _territory():
    cu = t.customers
    return select(cu.c.territory).where(cu.c.id == st.cases.c.customer_id).scalar_subquery()


def _has_event(action: str, case_id=None, **matches):
    e = st.case_events.alias(f"has_{action}")
    conditions = [e.c.case_id == (st.cases.c.id if case_id is None else case_id),
                  e.c.action == action]
    conditions += [e.c[name] == value for name, value in matches.items()]
    return exists().where(*conditions)


def fill_due_times(conn, ws, policy, where) -> None:
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
        values = due_times_sql(ws.dialect, policy, c.c.opened_at, c.c.resolved_at)
        conn.execute(update(c).where(where).values(**values))
        return
    clock = Clock(ws, policy)
    rows = conn.execute(select(c.c.id, c.c.opened_at, c.c.resolved_at,
                               _territory().label("territory")).where(where)).all()
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
    new = and_(where, ~_has_event("opened"))
    conn.execute(insert(e).from_select(
        ["case_id", "at", "actor_id", "action", "to_owner", "note"],
        select(c.c.id, c.c.opened_at, c.c.owner_id, literal("opened"), c.c.owner_id, note)
        .where(new).order_by(c.c.id),
    ))
    for action, column in (("resolve", c.c.resolved_at), ("close", c.c.closed_at)):
        conn.execute(insert(e).from_select(
            ["case_id", "at", "action", "note"],
            select(c.c.id, column, literal(action), literal("resolved in the source system"))
            .where(where, column.is_not(None), ~_has_event(action)).order_by(c.c.id),
        ))


def _analyze(conn, table) -> None:
    """PostgreSQL: statistics for a work table just filled.

    Autovacuum never analyzes a temporary table; without statistics the
    planner takes a few hundred saved rows for thousands and scans every
    case and case event to join them, per batch of an import.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def open_from_interactions(conn, ws, interaction_ids: Iterable[str] | None = None) -> int:
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
    for policy in case_policies(ws).values():
        if not policy.opens_on:
            continue
        chosen = [i.c.kind.in_(policy.opens_on), opens_for(ws, policy, cu, i)]
        mine = [c.c.policy == policy.name, c.c.interaction_id.is_not(None)]
        if saved is not None:
            # The saved rows lead, each found by its key: on an index of
            # kind, SQLite would walk every complaint ever imported for each
            # batch of a big import (226 of 300 s at a million customers).
            # ``|| ''`` keeps the same rows and takes that index away.
            chosen = [i.c.kind.concat("").in_(policy.opens_on),
                      i.c.id.in_(select(saved.c.id)), opens_for(ws, policy, cu, i)]
        has_case = exists().where(c.c.policy == policy.name, c.c.interaction_id == i.c.id)
        owner = func.coalesce(i.c.manager_id, cu.c.manager_id)
        done = i.c.resolved_at
        # Calendar-time due times are written with the row: an UPDATE after
        # the INSERT rewrote every new case (historical complaints by the
        # hundred thousand in a first import).
        due = due_times_sql(ws.dialect, policy, i.c.occurred_at, done)
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
        new = and_(*mine, ~_has_event("opened"))
        if policy.working_time:
            fill_due_times(conn, ws, policy, new)
        # A case the source system closed has its breaches recorded now:
        # its clocks are done, so no later tick looks at it. (``|| ''``: on
        # the index of state SQLite would read every closed case, not these.)
        state = c.c.state.concat("") if saved is not None else c.c.state
        closed = and_(new, state == "closed")
        if conn.execute(select(c.c.id).where(closed).limit(1)).first() is not None:
            tick(conn, ws, ws.now(), closed, all_resolved=True)
        _record_opened(conn, and_(*mine), literal("interaction ") + c.c.interaction_id)
    if saved is not None:
        saved.drop(conn)
        mine_ids.drop(conn)
    return conn.execute(select(func.count()).where(c.c.id > before)).scalar_one()


def open_one(conn, ws, policy, customer_id: str, owner_id: str | None,
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
    fill_due_times(conn, ws, policy, c.c.id == case_id)
    _record_opened(conn, c.c.id == case_id, literal(summary, String))
    return case_id


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


def _fill_marks(conn, ws, policy, marks, running) -> None:
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
                       add_hours_sql(ws.dialect, c.c.opened_at, literal(hours) + c.c.paused_hours))
                .where(mine),
            ))
        return
    clock = Clock(ws, policy)
    rows = conn.execute(select(c.c.id, c.c.opened_at, _territory().label("territory"))
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
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(e.c.case_id, e.c.action, e.c.at)
            .where(e.c.case_id.in_(ids[start:start + _CHUNK]), e.c.action.in_(("pause", "resume")))
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


def tick(conn, ws, at: dt.datetime, where=None, *, all_resolved: bool = False) -> dict[str, int]:
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
    policies = case_policies(ws)
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
        _fill_marks(conn, ws, policy, marks, unresolved)

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
                   ~_has_event("warn", step=clock))
            .order_by(c.c.id))

    # Breaches of the response, resolution and callback clocks: once per case.
    for clock, done, due in (("response", c.c.responded_at, c.c.response_due_at),
                             ("resolution", c.c.resolved_at, c.c.resolution_due_at),
                             ("callback", c.c.called_back_at, c.c.callback_due_at)):
        missed = or_(and_(done.is_(None), moment > due, _not_paused_before(due)), done > due)
        record(select(
            c.c.id, due, literal("breach"), literal(clock), c.c.owner_id, literal(None, Integer))
            .where(only, due.is_not(None), missed, ~_has_event("breach", step=clock))
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
                .where(late, ~_has_event("breach", step=step.name, at=c.c.step_due_at))
                .order_by(c.c.id))
            above = func.coalesce(_superior(person), _superior(c.c.owner_id), c.c.owner_id)
            record(select(
                c.c.id, c.c.step_due_at, literal("escalate"), literal(step.name), above,
                literal(None, Integer))
                .where(late, ~_has_event("escalate", step=step.name, at=c.c.step_due_at))
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
                .where(reached, ~_has_event("escalate", level=level))
                .order_by(c.c.id))
            conn.execute(update(c).where(
                only, c.c.policy == policy.name, c.c.level == level - 1,
                _has_event("escalate", level=level)).values(level=level))

    if not all_resolved:
        conn.execute(update(c).where(only, c.c.warned.is_(False), _has_event("warn"))
                     .values(warned=True))
    conn.execute(update(c).where(only, c.c.breached.is_(False), _has_event("breach"))
                 .values(breached=True))
    marks.drop(conn)
    made = dict(conn.execute(select(e.c.action, func.count()).where(e.c.id > before)
                             .group_by(e.c.action)).all())
    return {"warnings": made.get("warn", 0), "breaches": made.get("breach", 0),
            "escalations": made.get("escalate", 0)}


# ---------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------


def _event(conn, case_id: int, at: dt.datetime, action: str, by: str | None, **values) -> None:
    conn.execute(insert(st.case_events).values(case_id=case_id, at=at, action=action,
                                              actor_id=by, **values))


def _close_tasks(conn, case: Case, keys: Sequence[str], at: dt.datetime, outcome: str) -> None:
    """Mark done the case's open tasks whose dedupe key starts with one of ``keys``.

    Of any rule: a key ``case:<id>:...`` names the case, so a pack's rule
    that asks for a step (TOB-PRICE's approval task) is closed by the step.
    """
    tk = t.tasks
    prefix = f"case:{case.id}:"
    matches = [or_(tk.c.dedupe_key == prefix + k, tk.c.dedupe_key.like(prefix + k + ":%"))
               for k in keys]
    conn.execute(update(tk).where(
        tk.c.status == "open", tk.c.customer_id == case.customer_id,
        or_(*matches),
    ).values(status="done", closed_at=at, outcome=outcome))


def _person(conn, role_sql) -> str | None:
    return conn.execute(select(role_sql)).scalar()


def acting_person(conn, policy, case: Case) -> str | None:
    """Who must act on the case's current approval step now."""
    if case.step >= len(policy.steps):
        return None
    owner = literal(case.owner_id, String)
    return _person(conn, step_person_sql(policy, case.step, owner))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise GuanxiError(message)


def _shift(clock: Clock, due: dt.datetime | None, paused_at: dt.datetime,
           resumed_at: dt.datetime, territory) -> dt.datetime | None:
    """A due time after a pause: moved by the paused clock time when still ahead."""
    if due is None or due <= paused_at:
        return due
    if clock.policy.working_time:
        return clock.add(due, clock.between(paused_at, resumed_at, territory), territory)
    return due + (resumed_at - paused_at)


def apply_step(ws, case_id: int, action: str, by: str, at: dt.datetime | None = None,
               note: str | None = None, to: str | None = None) -> Case:
    """One step by a person on a case; see ``docs/cases.md`` for what each allows."""
    if action not in ACTIONS:
        raise UsageError(f"unknown case action {action!r}; use one of: {', '.join(ACTIONS)}")
    at = at or ws.now()
    c, m = st.cases, t.managers
    with ws.engine.begin() as conn:
        case = load_case(conn, ws, case_id)
        policy = policy_named(ws, case.policy)
        if conn.execute(select(m.c.id).where(m.c.id == by)).first() is None:
            raise NotFoundError(f"no manager with id {by!r}")
        last = conn.execute(select(func.max(st.case_events.c.at))
                            .where(st.case_events.c.case_id == case_id)).scalar()
        if at < case.opened_at or (last is not None and at < last):
            raise GuanxiError(
                f"case {case_id} has history up to {last or case.opened_at}; a step cannot be "
                f"dated {at}, before it"
            )
        # What the clocks owed up to this moment is recorded before the step.
        tick(conn, ws, at, st.cases.c.id == case_id)
        case = load_case(conn, ws, case_id)
        _STEPS[action](conn, ws, policy, case, by, at, note, to)
        return load_case(conn, ws, case_id)


def _respond(conn, ws, policy, case, by, at, note, to):
    _require(case.state in ("open", "paused"), f"case {case.id} is {case.state}; only an open "
             "case is responded to")
    _require(case.responded_at is None, f"case {case.id} was responded to at {case.responded_at}")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(responded_at=at))
    _event(conn, case.id, at, "respond", by, note=note)
    _close_tasks(conn, case, ["response"], at, f"responded to by {by}")


def _handover(conn, ws, policy, case, by, at, note, to):
    m, tk = t.managers, t.tasks
    if not to:
        raise UsageError("a handover names the manager it goes to (--to)")
    _require(not (case.state == "closed" and (case.callback_due_at is None
                                              or case.called_back_at is not None)),
             f"case {case.id} is closed with nothing left to do; it is not handed over")
    _require(to != case.owner_id, f"case {case.id} is already {to}'s")
    row = conn.execute(select(m.c.active).where(m.c.id == to)).first()
    if row is None:
        raise NotFoundError(f"no manager with id {to!r}")
    _require(bool(row.active), f"manager {to!r} is not active; hand over to an active manager")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(owner_id=to))
    _event(conn, case.id, at, "handover", by, from_owner=case.owner_id, to_owner=to, note=note)
    # The owner's to-dos on the case follow it; escalations stay with the superiors.
    conn.execute(update(tk).where(
        tk.c.status == "open", tk.c.rule.in_(("core.case_breach", "core.case_callback")),
        tk.c.customer_id == case.customer_id, tk.c.manager_id == case.owner_id,
        tk.c.dedupe_key.like(f"case:{case.id}:%"),
    ).values(manager_id=to))


def _pause(conn, ws, policy, case, by, at, note, to):
    _require(case.state == "open", f"case {case.id} is {case.state}; only an open case is paused")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(state="paused", paused_at=at))
    _event(conn, case.id, at, "pause", by, note=note)


def _resume(conn, ws, policy, case, by, at, note, to):
    _require(case.state == "paused", f"case {case.id} is {case.state}, not paused")
    territory = conn.execute(select(t.customers.c.territory)
                             .where(t.customers.c.id == case.customer_id)).scalar()
    clock = Clock(ws, policy)
    moved = {name: _shift(clock, getattr(case, name), case.paused_at, at, territory)
             for name in ("response_due_at", "resolution_due_at", "step_due_at")}
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(
        state="open", paused_at=None, paused_hours=case.paused_hours + _hours(at - case.paused_at),
        **moved))
    _event(conn, case.id, at, "resume", by, note=note)


def _resolve(conn, ws, policy, case, by, at, note, to):
    _require(case.state in ("open", "paused"), f"case {case.id} is {case.state}; only an open "
             "case is resolved")
    if case.step < len(policy.steps) and not note:
        raise UsageError(
            f"case {case.id} is at step {policy.steps[case.step].name!r} of its chain; resolving "
            "it before the chain is complete needs a note saying why"
        )
    if case.state == "paused":
        _resume(conn, ws, policy, case, by, at, None, to)
    territory = conn.execute(select(t.customers.c.territory)
                             .where(t.customers.c.id == case.customer_id)).scalar()
    callback_due = (Clock(ws, policy).add(at, policy.callback_hours, territory)
                    if policy.callback_hours is not None else None)
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(
        state="resolved", resolved_at=at, responded_at=func.coalesce(st.cases.c.responded_at, at),
        step_due_at=None, callback_due_at=callback_due))
    _event(conn, case.id, at, "resolve", by, note=note)
    _close_tasks(conn, case, ["response", "resolution", "level", "step"], at,
                 f"case resolved by {by}")


def _callback(conn, ws, policy, case, by, at, note, to):
    _require(case.resolved_at is not None, f"case {case.id} is not resolved yet; the customer is "
             "called back after resolving")
    _require(case.called_back_at is None,
             f"case {case.id} was called back at {case.called_back_at}")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(called_back_at=at))
    _event(conn, case.id, at, "callback", by, note=note)
    _close_tasks(conn, case, ["callback"], at, f"called back by {by}")


def _close(conn, ws, policy, case, by, at, note, to):
    _require(case.state == "resolved", f"case {case.id} is {case.state}; resolve it before "
             "closing it")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(state="closed", closed_at=at))
    _event(conn, case.id, at, "close", by, note=note)


def _chain_step(conn, ws, policy, case, by, action):
    _require(bool(policy.steps), f"case {case.id}'s policy {policy.name!r} has no approval chain")
    _require(case.state == "open", f"case {case.id} is {case.state}; steps are taken on an "
             "open case")
    _require(case.step < len(policy.steps), f"case {case.id} has completed its approval chain")
    step = policy.steps[case.step]
    person = acting_person(conn, policy, case)
    # Only the person the step's role resolves to may act: the history
    # then says that the approval came from the one who had to give it.
    _require(by == person, f"step {step.name!r} of case {case.id} is for {person} "
             f"({step.role}); {by} may not {action} it")
    return step


def _restart_step(conn, ws, policy, case, index: int, at) -> dict:
    if index >= len(policy.steps) or policy.steps[index].limit_hours is None:
        return {"step": index, "step_due_at": None}
    territory = conn.execute(select(t.customers.c.territory)
                             .where(t.customers.c.id == case.customer_id)).scalar()
    due = Clock(ws, policy).add(at, policy.steps[index].limit_hours, territory)
    return {"step": index, "step_due_at": due}


def _approve(conn, ws, policy, case, by, at, note, to):
    step = _chain_step(conn, ws, policy, case, by, "approve")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(**_restart_step(conn, ws, policy, case, case.step + 1, at)))
    _event(conn, case.id, at, "approve", by, step=step.name, note=note)
    _close_tasks(conn, case, ["step:" + step.name], at, f"{step.name} done by {by}")


def _reject(conn, ws, policy, case, by, at, note, to):
    step = _chain_step(conn, ws, policy, case, by, "reject")
    if not note:
        raise UsageError("a rejection needs a note saying why")
    back = max(case.step - 1, 0)
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(**_restart_step(conn, ws, policy, case, back, at)))
    _event(conn, case.id, at, "reject", by, step=step.name, note=note)
    _close_tasks(conn, case, ["step:" + step.name], at, f"{step.name} rejected by {by}")


def _escalate(conn, ws, policy, case, by, at, note, to):
    _require(case.resolved_at is None and case.state in ("open", "paused"),
             f"case {case.id} is {case.state}; only an unresolved case is escalated")
    level = case.level + 1
    person = _person(conn, level_person_sql(policy, level, literal(case.id),
                                            literal(case.owner_id, String)))
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(level=level))
    _event(conn, case.id, at, "escalate", by, level=level, to_owner=person, note=note)


_STEPS = {
    "respond": _respond, "handover": _handover, "pause": _pause, "resume": _resume,
    "approve": _approve, "reject": _reject, "escalate": _escalate, "resolve": _resolve,
    "callback": _callback, "close": _close,
}
