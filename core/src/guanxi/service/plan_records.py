"""What the planner answers with: a build's result per cadence, and the planned visits."""

from __future__ import annotations

import datetime as dt

import attrs


@attrs.frozen(kw_only=True)
class Unplaced:
    """Due visits of one manager that the week could not hold."""

    cadence: str
    manager_id: str
    count: int


@attrs.frozen(kw_only=True)
class CadenceRun:
    """One cadence's part of a plan build."""

    cadence: str
    planned: int
    already_planned: int
    unplaced: int
    #: Of ``planned``: open visit tasks of earlier weeks moved into this one.
    carried: int = 0


@attrs.frozen(kw_only=True)
class PlanResult:
    """What ``build_plan`` did for one week."""

    week: str
    start: dt.date
    end: dt.date
    cadences: tuple[CadenceRun, ...]
    unplaced: tuple[Unplaced, ...]

    @property
    def planned(self) -> int:
        return sum(run.planned for run in self.cadences)

    def as_json(self) -> dict:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cadences": [attrs.asdict(run) for run in self.cadences],
            "unplaced": [attrs.asdict(u) for u in self.unplaced],
        }


@attrs.frozen(kw_only=True)
class PlanVisit:
    """One planned visit: who visits whom on which day, and why."""

    cadence: str
    week: str
    manager_id: str
    day: dt.date
    customer_id: str
    customer_name: str | None
    territory: str | None
    reason: str
    task_id: int | None
    status: str | None = None

    def as_json(self) -> dict:
        """The stable JSON of ``guanxi plan show --format json``."""
        return {"manager_id": self.manager_id, "date": self.day.isoformat(),
                "customer_id": self.customer_id, "territory": self.territory,
                "reason": self.reason, "task_id": self.task_id}

