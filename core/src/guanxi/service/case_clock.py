"""Case time and roles: due times in calendar or working hours, in SQL and in Python,
and who a step or an escalation level goes to.

Part of the SLA case machine (:mod:`guanxi.service.cases`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    Interval,
    String,
    cast,
    exists,
    func,
    literal,
    select,
    type_coerce,
)

# role_person and hours_between_sql live in the query kit (ctx.role_person,
# ctx.hours_between); the old names stay here for the core's callers.
from guanxi.engines.context_sql import role_person
from guanxi.errors import GuanxiError
from guanxi.service.case_records import escalation_role
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t



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


def hours_of(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600.0


class Clock:
    """Calendar or working hours for one policy, as the Python side counts them.

    Working time comes from the business calendar of the customer's
    territory (``Workspace.calendar``); calendars are kept for the job.
    """

    def __init__(self, rt, policy) -> None:
        self.rt = rt
        self.policy = policy
        self._calendars: dict[Any, Any] = {}

    def _calendar(self, territory):
        if territory not in self._calendars:
            if not hasattr(self.rt, "calendar"):
                raise GuanxiError(
                    f"case policy {self.policy.name!r} counts working time, which needs the "
                    "business calendar; this guanxi has none"
                )
            self._calendars[territory] = self.rt.calendar(territory)
        return self._calendars[territory]

    def add(self, start: dt.datetime, hours: float, territory=None) -> dt.datetime:
        """The moment ``hours`` of clock time after ``start``."""
        if not self.policy.working_time:
            return start + dt.timedelta(seconds=round(hours * 3600))
        return self._calendar(territory).add_working_hours(start, hours)

    def between(self, start: dt.datetime, end: dt.datetime, territory=None) -> float:
        """Clock hours from ``start`` to ``end``."""
        if not self.policy.working_time:
            return hours_of(end - start)
        return self._calendar(territory).working_hours_between(start, end)

# ---------------------------------------------------------------------------
# roles: who a step or a level goes to
# ---------------------------------------------------------------------------


def superior_of(person):
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
    # superior_of's subquery, SQLAlchemy would otherwise correlate it to that
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
    return func.coalesce(superior_of(base), base)


def case_territory():
    cu = t.customers
    return select(cu.c.territory).where(cu.c.id == st.cases.c.customer_id).scalar_subquery()


def has_event(action: str, case_id=None, **matches):
    e = st.case_events.alias(f"has_{action}")
    conditions = [e.c.case_id == (st.cases.c.id if case_id is None else case_id),
                  e.c.action == action]
    conditions += [e.c[name] == value for name, value in matches.items()]
    return exists().where(*conditions)
