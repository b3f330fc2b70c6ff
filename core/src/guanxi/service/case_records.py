"""The SLA case records: a case, its events, what a tick did, and the policies they follow.

Part of the SLA case machine (:mod:`guanxi.service.cases`).
"""

from __future__ import annotations

import datetime as dt

import attrs

# role_person and hours_between_sql live in the query kit (ctx.role_person,
# ctx.hours_between); the old names stay here for the core's callers.
from guanxi.errors import PackError, UsageError
from guanxi.service.case_words import CLOCKS

#: The rules that turn breaches, escalations and callbacks into tasks.
CASE_RULES = ("core.case_breach", "core.case_escalation", "core.case_callback")

# The case ids one IN list carries: under every SQLite's parameter limit.
IDS_PER_STATEMENT = 500


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


def case_policies(rt) -> dict:
    """Every enabled pack's case policies by name, each checked.

    The core's policies are the fallback: they open no case for an
    interaction kind a pack's policy opens on (a bank's complaint policy
    replaces the generic one; a complaint never opens two cases).
    """
    policies = dict(rt.plugins.case_policies(rt.facade))
    claimed = {kind for p in policies.values() if p.pack != "core" for kind in p.opens_on}
    for name, policy in policies.items():
        _check_policy(policy)
        if policy.pack == "core" and claimed.intersection(policy.opens_on):
            kept = tuple(kind for kind in policy.opens_on if kind not in claimed)
            policies[name] = attrs.evolve(policy, opens_on=kept)
    return policies


def policy_named(rt, name: str):
    policies = case_policies(rt)
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
