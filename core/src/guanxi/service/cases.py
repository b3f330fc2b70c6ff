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

This module holds the steps; the machine's other parts each have a module:
the records and policies (``case_records``), time and roles
(``case_clock``), reading (``case_reading``), opening (``case_opening``)
and the tick (``case_tick``). Their names are importable from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import String, func, insert, literal, or_, select, update

from guanxi.errors import GuanxiError, NotFoundError, UsageError
from guanxi.service.case_clock import Clock, hours_of, level_person_sql, step_person_sql
from guanxi.service.case_reading import load_case
from guanxi.service.case_records import Case, policy_named
from guanxi.service.case_tick import tick
from guanxi.service.case_words import ACTIONS
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t



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


def apply_step(rt, case_id: int, action: str, by: str, at: dt.datetime | None = None,
               note: str | None = None, to: str | None = None, *,
               by_login: bool = False) -> Case:
    """One step by a person on a case; see ``docs/cases.md`` for what each allows.

    ``by_login``: ``by`` is a web user's login (an admin without a manager id),
    recorded as the step's actor as it is.
    """
    if action not in ACTIONS:
        raise UsageError(f"unknown case action {action!r}; use one of: {', '.join(ACTIONS)}")
    at = at or rt.now()
    c, m = st.cases, t.managers
    with rt.engine.begin() as conn:
        case = load_case(conn, rt, case_id)
        policy = policy_named(rt, case.policy)
        if not by_login and conn.execute(select(m.c.id).where(m.c.id == by)).first() is None:
            raise NotFoundError(f"no manager with id {by!r}")
        last = conn.execute(select(func.max(st.case_events.c.at))
                            .where(st.case_events.c.case_id == case_id)).scalar()
        if at < case.opened_at or (last is not None and at < last):
            raise GuanxiError(
                f"case {case_id} has history up to {last or case.opened_at}; a step cannot be "
                f"dated {at}, before it"
            )
        # What the clocks owed up to this moment is recorded before the step.
        tick(conn, rt, at, st.cases.c.id == case_id)
        case = load_case(conn, rt, case_id)
        _STEPS[action](conn, rt, policy, case, by, at, note, to)
        return load_case(conn, rt, case_id)


def _respond(conn, rt, policy, case, by, at, note, to):
    _require(case.state in ("open", "paused"), f"case {case.id} is {case.state}; only an open "
             "case is responded to")
    _require(case.responded_at is None, f"case {case.id} was responded to at {case.responded_at}")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(responded_at=at))
    _event(conn, case.id, at, "respond", by, note=note)
    _close_tasks(conn, case, ["response"], at, f"responded to by {by}")


def _handover(conn, rt, policy, case, by, at, note, to):
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


def _pause(conn, rt, policy, case, by, at, note, to):
    _require(case.state == "open", f"case {case.id} is {case.state}; only an open case is paused")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(state="paused", paused_at=at))
    _event(conn, case.id, at, "pause", by, note=note)


def _resume(conn, rt, policy, case, by, at, note, to):
    _require(case.state == "paused", f"case {case.id} is {case.state}, not paused")
    territory = conn.execute(select(t.customers.c.territory)
                             .where(t.customers.c.id == case.customer_id)).scalar()
    clock = Clock(rt, policy)
    moved = {name: _shift(clock, getattr(case, name), case.paused_at, at, territory)
             for name in ("response_due_at", "resolution_due_at", "step_due_at")}
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(
        state="open", paused_at=None, paused_hours=case.paused_hours + hours_of(at - case.paused_at),
        **moved))
    _event(conn, case.id, at, "resume", by, note=note)


def _resolve(conn, rt, policy, case, by, at, note, to):
    _require(case.state in ("open", "paused"), f"case {case.id} is {case.state}; only an open "
             "case is resolved")
    if case.step < len(policy.steps) and not note:
        raise UsageError(
            f"case {case.id} is at step {policy.steps[case.step].name!r} of its chain; resolving "
            "it before the chain is complete needs a note saying why"
        )
    if case.state == "paused":
        _resume(conn, rt, policy, case, by, at, None, to)
    territory = conn.execute(select(t.customers.c.territory)
                             .where(t.customers.c.id == case.customer_id)).scalar()
    callback_due = (Clock(rt, policy).add(at, policy.callback_hours, territory)
                    if policy.callback_hours is not None else None)
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(
        state="resolved", resolved_at=at, responded_at=func.coalesce(st.cases.c.responded_at, at),
        step_due_at=None, callback_due_at=callback_due))
    _event(conn, case.id, at, "resolve", by, note=note)
    _close_tasks(conn, case, ["response", "resolution", "level", "step"], at,
                 f"case resolved by {by}")


def _callback(conn, rt, policy, case, by, at, note, to):
    _require(case.resolved_at is not None, f"case {case.id} is not resolved yet; the customer is "
             "called back after resolving")
    _require(case.called_back_at is None,
             f"case {case.id} was called back at {case.called_back_at}")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id).values(called_back_at=at))
    _event(conn, case.id, at, "callback", by, note=note)
    _close_tasks(conn, case, ["callback"], at, f"called back by {by}")


def _close(conn, rt, policy, case, by, at, note, to):
    _require(case.state == "resolved", f"case {case.id} is {case.state}; resolve it before "
             "closing it")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(state="closed", closed_at=at))
    _event(conn, case.id, at, "close", by, note=note)


def _chain_step(conn, rt, policy, case, by, action):
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


def _restart_step(conn, rt, policy, case, index: int, at) -> dict:
    if index >= len(policy.steps) or policy.steps[index].limit_hours is None:
        return {"step": index, "step_due_at": None}
    territory = conn.execute(select(t.customers.c.territory)
                             .where(t.customers.c.id == case.customer_id)).scalar()
    due = Clock(rt, policy).add(at, policy.steps[index].limit_hours, territory)
    return {"step": index, "step_due_at": due}


def _approve(conn, rt, policy, case, by, at, note, to):
    step = _chain_step(conn, rt, policy, case, by, "approve")
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(**_restart_step(conn, rt, policy, case, case.step + 1, at)))
    _event(conn, case.id, at, "approve", by, step=step.name, note=note)
    _close_tasks(conn, case, ["step:" + step.name], at, f"{step.name} done by {by}")


def _reject(conn, rt, policy, case, by, at, note, to):
    step = _chain_step(conn, rt, policy, case, by, "reject")
    if not note:
        raise UsageError("a rejection needs a note saying why")
    back = max(case.step - 1, 0)
    conn.execute(update(st.cases).where(st.cases.c.id == case.id)
                 .values(**_restart_step(conn, rt, policy, case, back, at)))
    _event(conn, case.id, at, "reject", by, step=step.name, note=note)
    _close_tasks(conn, case, ["step:" + step.name], at, f"{step.name} rejected by {by}")


def _escalate(conn, rt, policy, case, by, at, note, to):
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


# The machine's parts, importable from here as before (the workspace API,
# the CLI, the web workspace and the tests read them as ``cases.X``).
from guanxi.engines.context_sql import hours_between_sql, role_person  # noqa: E402,F401
from guanxi.engines.context_sql import minute_text_sql as minute_text  # noqa: E402,F401
from guanxi.service.case_clock import add_hours_sql  # noqa: E402,F401
from guanxi.service.case_opening import (  # noqa: E402,F401
    due_times_sql,
    fill_due_times,
    open_from_interactions,
    open_one,
)
from guanxi.service.case_reading import case_events, list_cases  # noqa: E402,F401
from guanxi.service.case_records import (  # noqa: E402,F401
    CASE_RULES,
    CaseEvent,
    TickResult,
    case_policies,
    escalation_role,
)
from guanxi.service.case_tick import live_cases  # noqa: E402,F401
from guanxi.service.case_words import CLOCKS, STATES  # noqa: E402,F401
