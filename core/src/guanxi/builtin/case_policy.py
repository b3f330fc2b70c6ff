"""core.complaint: the generic complaint policy, and cases opened on save.

A complaint interaction opens a case owned by whoever received it
(首问负责制): respond within ``[core.complaint] response_hours`` (24),
resolve within ``resolution_hours`` (120, five days), call the customer
back within ``callback_hours`` (72) of resolving: the defaults of
BANK-COMPLAINT and POWER-COMPLAINT. Past the resolution target the case
goes to the owner's ``reports_to`` (level 2), past twice it one further up
(level 3: POWER-ROUTE). Calendar hours: a complaint's clock runs at
weekends too. It is the fallback: a pack whose own policy opens on
complaints replaces it (see ``guanxi.service.cases.case_policies``).
"""

from __future__ import annotations

from guanxi.contributions import CasePolicy, ConfigOption

OPTIONS = (
    ConfigOption(name="complaint.response_hours", type="number", default=24, minimum=0,
                 description="Hours to respond to a complaint (core.complaint)."),
    ConfigOption(name="complaint.resolution_hours", type="number", default=120, minimum=0,
                 description="Hours to resolve a complaint; escalated past it and past twice it."),
    ConfigOption(name="complaint.callback_hours", type="number", default=72, minimum=0,
                 description="Hours after resolving a complaint to call the customer back."),
)


def policies(workspace) -> tuple:
    cfg = workspace.settings["core"]
    return (
        CasePolicy(
            name="core.complaint",
            title="Complaint",
            description="Opened by a complaint interaction; owned by whoever received it.",
            opens_on=("complaint",),
            response_hours=cfg["complaint.response_hours"],
            resolution_hours=cfg["complaint.resolution_hours"],
            callback_hours=cfg["complaint.callback_hours"],
        ),
    )


def opening_kinds(workspace) -> set[str]:
    """The interaction kinds some enabled case policy opens a case on."""
    from guanxi.service import cases  # not at import: the config options are read at every start

    return {kind for p in cases.case_policies(workspace.runtime).values() for kind in p.opens_on}


def open_saved(workspace, batch) -> None:
    """Open the cases of the interactions just saved, in the save's transaction."""
    from guanxi.service import cases

    kinds = opening_kinds(workspace)
    if not kinds:
        return
    id_at, kind_at = batch.columns.index("id"), batch.columns.index("kind")
    ids = [row[id_at] for row in batch.rows if row[kind_at] in kinds]
    if ids:
        cases.open_from_interactions(batch.connection, workspace.runtime, ids)
