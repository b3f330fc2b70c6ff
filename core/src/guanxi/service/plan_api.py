"""The plan part of the workspace API; :class:`guanxi.Workspace` inherits it.

``ws.build_plan("2026-W48")`` plans a week's cadence visits (rule
BANK-VISIT, POWER-VISIT, TOB-PLAN) and ``ws.plan(week, manager)`` reads
the schedule back; :mod:`guanxi.service.planner` says how.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from guanxi.errors import NotFoundError


class PlanMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    def visit_cadences(self) -> list:
        """The enabled packs' visit cadences, by name."""
        self.plugins.require_healthy()
        return list(self.plugins.visit_cadences(self).values())

    def build_plan(self, week=None, cadences: Sequence[str] | None = None, *,
                   force: bool = False, as_of: dt.date | None = None, progress=None):
        """Plan one ISO week's visits for every cadence, or those named.

        :param week: ``"2026-W48"``, a date in the week, or ``None`` for
            the week after ``as_of`` (TOB-PLAN: at each week's end, next
            week's schedule).
        :param force: plan a week that is already over (its Sunday before
            ``as_of``); without it such a week raises
            :class:`~guanxi.errors.UsageError`.
        :param as_of: the day the plan is built on (default: today).
        :param progress: called as ``progress(done, total, step)`` as each
            cadence starts (the command line shows it at a terminal).
        :return: a :class:`~guanxi.service.planner.PlanResult`; visits the
            week could not hold are in ``unplaced``, counted per manager.
            A second run for the same week adds only what is new; an
            earlier week's open visit task of a customer planned again is
            carried into the week, not duplicated.
        """
        from guanxi.service import planner

        self.require_ready()
        today = self.today() if as_of is None else as_of
        chosen_week = planner.week_of(week, today)
        chosen = planner.cadences_for(self.runtime, cadences)
        planner.refuse_past_week(chosen_week, today, force)
        return planner.build_plan(self.runtime, chosen_week, chosen, progress)

    def plan(self, week=None, manager: str | None = None, *,
             since: dt.date | None = None, scope=None) -> list:
        """Planned visits, ordered by manager, date, territory and customer.

        :param week: ``"2026-W48"`` or a date in it; ``None``: every week.
        :param manager: only this manager's visits.
        :param since: only visits planned on or after this day.
        :param scope: only the visits of a user's managers (a
            :class:`~guanxi.service.scope.Scope`).
        :return: :class:`~guanxi.service.planner.PlanVisit` records.
        """
        from guanxi.service import planner
        from guanxi.storage import tables as t
        from sqlalchemy import select

        self.require_ready()
        if manager:
            with self.engine.connect() as conn:
                found = conn.execute(
                    select(t.managers.c.id).where(t.managers.c.id == manager)
                ).first()
            if found is None:
                raise NotFoundError(f"no manager with id {manager!r}")
        chosen = None if week is None else planner.week_of(week, self.today())
        visits = planner.plan_visits(self.runtime, chosen, manager, since, scope)
        # Stored as figures; read in the workspace's (or a web user's) language.
        return [attrs.evolve(v, reason=self.render_reason(v.reason)) for v in visits]
