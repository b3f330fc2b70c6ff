"""core.visits: the generic visit cadence, by the core.activity label.

Active customers are visited every ``[core.visits] active_days`` (30),
dormant ones every ``dormant_days`` (14), lost ones are not planned; at most
``daily_cap`` (8) planned visits per manager a day, each territory whole on
the first day with room for it. An interaction of kind ``visit`` is the
visit. A sector pack declares its own cadence the same way (BANK-VISIT,
POWER-VISIT, TOB-PLAN); the planner plans this one last, so it visits only
whom the sector's cadences have not planned that week. An interval of 0
switches a label off.
"""

from __future__ import annotations

from guanxi.contributions import ConfigOption, VisitCadence

OPTIONS = (
    ConfigOption(name="visits.active_days", type="integer", default=30, minimum=0,
                 description="Days between planned visits to an active customer (0: none)."),
    ConfigOption(name="visits.dormant_days", type="integer", default=14, minimum=0,
                 description="Days between planned visits to a dormant customer (0: none)."),
    ConfigOption(name="visits.daily_cap", type="integer", default=8, minimum=1,
                 description="At most this many planned visits per manager a day."),
)


def cadences(settings) -> tuple[VisitCadence, ...]:
    """The core's cadence from the core pack's settings."""
    return (
        VisitCadence(
            name="core.visits",
            title="Visits by activity",
            description="Active customers every 30 days, dormant ones every 14, lost ones "
                        "not at all (the days and the cap are [core.visits] settings).",
            segmentation="core.activity",
            intervals={"active": settings["visits.active_days"],
                       "dormant": settings["visits.dormant_days"]},
            daily_cap=settings["visits.daily_cap"],
            group_by="territory",
            visit_kinds=("visit",),
        ),
    )


def close_visited_in_batch(workspace, batch) -> None:
    """Interactions just saved close the open visit tasks they are the visit of."""
    from guanxi.service.plan_closing import close_visited_in_batch as close

    close(workspace, batch)


def visit_kinds_if_planned(workspace, connection) -> set[str]:
    """The kinds that count as a visit, while some visit is planned (else none can close a task)."""
    from sqlalchemy import select

    from guanxi.storage import service_tables as st

    if connection.execute(select(st.plan_visits.c.id).limit(1)).first() is None:
        return set()
    return {kind for cadence in workspace.plugins.visit_cadences(workspace).values()
            for kind in cadence.visit_kinds}
